using RnnLab.Numerics;

namespace RnnLab.Tasks;

/// <summary>
/// The temporal-order problem (Hochreiter &amp; Schmidhuber 1997, experiment 6a) as Pascanu, Mikolov &amp; Bengio 2013 define
/// it: a sequence of L one-hot symbols over {A, B, c, d, e, f}; A or B appears once at a position in
/// [⌊L/10⌋, 2⌊L/10⌋) and once more in [⌊L/2⌋, ⌊L/2⌋ + ⌊L/10⌋); every other position holds a distractor drawn
/// uniformly from {c, d, e, f}. At the last step the network classifies the order: AA, BA, AB or BB
/// (label v₀ + 2·v₁, with v = 0 for A and 1 for B, as in the authors' generator).
/// The first relevant symbol is at least L − 2⌊L/10⌋ steps before the prediction.
/// Chance: the four orders are equally likely, so guessing without memory scores 25% and cross-entropy ln 4.
/// </summary>
public sealed class TemporalOrderTask : ISequenceTask
{
    /// <summary>Symbols A and B are inputs 0 and 1; distractors c, d, e, f are 2..5.</summary>
    public const int Symbols = 6, Relevant = 2;
    /// <summary>The shortest L whose windows [⌊L/10⌋, 2⌊L/10⌋) are not empty.</summary>
    public const int MinLength = 10;

    public TemporalOrderTask(int length)
    {
        if (length < MinLength) throw new ArgumentOutOfRangeException(nameof(length), $"temporal order needs L >= {MinLength} (positions in [L/10, 2L/10)), got {length}");
        Steps = length;
    }

    public string Name => "temporal-order";
    public int InputSize => Symbols;
    public int OutputSize => 4;
    public int Steps { get; }
    public TargetKind TargetKind => TargetKind.ClassificationAtLastStep;
    public string LossName => "cross-entropy";
    public string MetricName => "accuracy";
    public bool HigherMetricIsBetter => true;
    public double ChanceLoss => Math.Log(OutputSize);
    public double ChanceMetric => 1.0 / OutputSize;
    public string ChanceStrategy => "guess one of the four orders with equal probability";

    /// <summary>⌊L/10⌋: the width of both windows and the start of the first.</summary>
    public int Window => Steps / 10;
    /// <summary>Start of the second window, ⌊L/2⌋.</summary>
    public int SecondStart => Steps / 2;

    public SequenceBatch Generate(int batch, SeededRandom rng)
    {
        Scoring.CheckBatchSize(batch);
        var result = new SequenceBatch(TargetKind, Steps, batch, InputSize, OutputSize);
        for (int b = 0; b < batch; b++)
        {
            int p0 = Window + rng.NextInt(Window), p1 = SecondStart + rng.NextInt(Window);
            int v0 = rng.NextInt(Relevant), v1 = rng.NextInt(Relevant);
            for (int t = 0; t < Steps; t++)
            {
                int symbol = t == p0 ? v0 : t == p1 ? v1 : Relevant + rng.NextInt(Symbols - Relevant);
                result.Input(t, b)[symbol] = 1;
            }
            result.Labels[b] = v0 + 2 * v1;
        }
        return result;
    }

    public TaskScore Score(SequenceBatch batch, ReadOnlySpan<float> outputs) => Scoring.LastStepClassification(batch, outputs);
}
