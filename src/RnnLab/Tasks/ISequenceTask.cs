using RnnLab.Numerics;

namespace RnnLab.Tasks;

/// <summary>
/// A seeded generator of batches for a long-range-dependency task, with its chance level: the loss and metric of the
/// best strategy that keeps no memory of the sequence, which a model has to beat to show it carries information
/// across the stated distance.
/// </summary>
public interface ISequenceTask
{
    string Name { get; }
    int InputSize { get; }
    int OutputSize { get; }
    /// <summary>Sequence length T; every batch of the task has exactly this many steps.</summary>
    int Steps { get; }
    TargetKind TargetKind { get; }

    /// <summary>"mse" or "cross-entropy" (natural log, mean over the scored steps and the batch).</summary>
    string LossName { get; }
    string MetricName { get; }
    bool HigherMetricIsBetter { get; }
    double ChanceLoss { get; }
    double ChanceMetric { get; }
    /// <summary>The memoryless strategy the chance numbers describe, in one sentence.</summary>
    string ChanceStrategy { get; }

    /// <summary>A fresh batch of <paramref name="batch"/> sequences; the same rng state gives the same batch, bit for bit.</summary>
    SequenceBatch Generate(int batch, SeededRandom rng);

    /// <summary>
    /// Scores a model's outputs [S, B, O] (S = <see cref="SequenceBatch.OutputSteps"/>): predictions for regression,
    /// logits for classification. The reference for what the training loop's loss must equal.
    /// </summary>
    TaskScore Score(SequenceBatch batch, ReadOnlySpan<float> outputs);
}
