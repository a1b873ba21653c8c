namespace RnnLab.Tasks;

/// <summary>
/// One batch of a sequence task, time-major. Shapes: T steps, B sequences, I inputs, O outputs.
/// <list type="bullet">
/// <item><see cref="Inputs"/> [T, B, I]</item>
/// <item><see cref="Targets"/> [B, O] for <see cref="TargetKind.RegressionAtLastStep"/>, empty otherwise</item>
/// <item><see cref="Labels"/> [B] for <see cref="TargetKind.ClassificationAtLastStep"/>, [T, B] for
/// <see cref="TargetKind.ClassificationAtEveryStep"/>, empty for regression; class indices in [0, O)</item>
/// </list>
/// A model's outputs for the batch are [S, B, O] with S = <see cref="OutputSteps"/> (1 or T).
/// </summary>
public sealed class SequenceBatch
{
    public int Steps { get; }
    public int Size { get; }
    public int InputSize { get; }
    public int OutputSize { get; }
    public TargetKind Kind { get; }
    public float[] Inputs { get; }   // [T, B, I]
    public float[] Targets { get; }  // [B, O] or empty
    public int[] Labels { get; }     // [B] or [T, B] or empty

    public SequenceBatch(TargetKind kind, int steps, int size, int inputSize, int outputSize)
    {
        Kind = kind;
        Steps = steps;
        Size = size;
        InputSize = inputSize;
        OutputSize = outputSize;
        Inputs = new float[steps * size * inputSize];
        Targets = kind == TargetKind.RegressionAtLastStep ? new float[size * outputSize] : [];
        Labels = kind switch
        {
            TargetKind.ClassificationAtLastStep => new int[size],
            TargetKind.ClassificationAtEveryStep => new int[steps * size],
            _ => [],
        };
    }

    /// <summary>How many steps carry a loss term: 1 (the last) or T (all).</summary>
    public int OutputSteps => Kind == TargetKind.ClassificationAtEveryStep ? Steps : 1;

    /// <summary>The input vector of sequence b at step t, [I].</summary>
    public Span<float> Input(int t, int b) => Inputs.AsSpan((t * Size + b) * InputSize, InputSize);
}
