namespace RnnLab.Tasks;

/// <summary>A batch's mean loss (MSE or cross-entropy, per <see cref="ISequenceTask.LossName"/>) and its metric.</summary>
public readonly record struct TaskScore(double Loss, double Metric);
