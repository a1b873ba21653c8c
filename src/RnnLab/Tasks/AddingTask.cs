using RnnLab.Numerics;

namespace RnnLab.Tasks;

/// <summary>
/// The adding problem (Hochreiter &amp; Schmidhuber 1997, experiment 4), in the form of Le, Jaitly &amp; Hinton 2015
/// and Arjovsky, Shah &amp; Bengio 2016: at each of T steps the input is (value ~ U[0, 1], marker ∈ {0, 1}); exactly
/// two markers are set, one in each half of the sequence (first in [0, ⌊T/2⌋), second in [⌊T/2⌋, T)), and the
/// target at the last step is the sum of the two marked values.
/// Chance: predicting the mean 1 without looking gives MSE = Var(U₁ + U₂) = 2·(1/12) = 1/6.
/// </summary>
public sealed class AddingTask : ISequenceTask
{
    /// <summary>Hochreiter &amp; Schmidhuber's success criterion: absolute error below 0.04.</summary>
    public const double Tolerance = 0.04;

    /// <summary>The shortest sequence: one marker in each half.</summary>
    public const int MinSteps = 2;

    public AddingTask(int steps)
    {
        if (steps < MinSteps) throw new ArgumentOutOfRangeException(nameof(steps), $"adding problem needs T >= {MinSteps} (one marker in each half), got {steps}");
        Steps = steps;
    }

    public string Name => "adding";
    public int InputSize => 2;
    public int OutputSize => 1;
    public int Steps { get; }
    public TargetKind TargetKind => TargetKind.RegressionAtLastStep;
    public string LossName => "mse";
    public string MetricName => $"accuracy (|error| < {Tolerance})";
    public bool HigherMetricIsBetter => true;
    public double ChanceLoss => 1.0 / 6.0;
    /// <summary>P(|U₁ + U₂ − 1| &lt; ε) for the triangular density of the sum: 1 − (1 − ε)².</summary>
    public double ChanceMetric => 1 - (1 - Tolerance) * (1 - Tolerance);
    public string ChanceStrategy => "predict 1, the mean of the sum, for every sequence";

    public SequenceBatch Generate(int batch, SeededRandom rng)
    {
        Scoring.CheckBatchSize(batch);
        var result = new SequenceBatch(TargetKind, Steps, batch, InputSize, OutputSize);
        int half = Steps / 2;
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < Steps; t++) result.Input(t, b)[0] = (float)rng.NextDouble();
            int first = rng.NextInt(half);
            int second = half + rng.NextInt(Steps - half);
            result.Input(first, b)[1] = 1;
            result.Input(second, b)[1] = 1;
            result.Targets[b] = result.Input(first, b)[0] + result.Input(second, b)[0];
        }
        return result;
    }

    public TaskScore Score(SequenceBatch batch, ReadOnlySpan<float> outputs)
    {
        Scoring.CheckOutputs(batch, outputs);
        double sse = 0;
        int hits = 0;
        for (int b = 0; b < batch.Size; b++)
        {
            double err = outputs[b] - (double)batch.Targets[b];
            sse += err * err;
            if (Math.Abs(err) < Tolerance) hits++;
        }
        return new TaskScore(sse / batch.Size, (double)hits / batch.Size);
    }
}
