using System.Numerics;

namespace RnnLab.Models;

/// <summary>
/// Loss functions, each with its gradient written next to it. Every loss returns its value as a double
/// (accumulated in double, so a float32 model's loss is not rounded while it is summed) and overwrites a
/// destination span with ∂loss/∂input, or skips the gradient when that span is empty.
/// </summary>
public static class Losses
{
    /// <summary>The label that marks a row as not counted (no loss, no gradient, not in the mean).</summary>
    public const int IgnoreLabel = -1;

    /// <summary>
    /// Mean squared error over all elements, as <c>torch.nn.functional.mse_loss(prediction, target)</c>
    /// (reduction "mean"): L = (1/n)·Σ (p − y)². Gradient: dp = (2/n)·(p − y).
    /// </summary>
    public static double MeanSquaredError<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> dPrediction = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = prediction.Length;
        if (n == 0) throw new ArgumentException("MSE of an empty prediction is undefined");
        if (target.Length != n) throw new ArgumentException($"MSE target has {target.Length} values, prediction has {n}");
        if (!dPrediction.IsEmpty && dPrediction.Length != n) throw new ArgumentException($"MSE gradient has {dPrediction.Length} values, prediction has {n}");
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            double d = double.CreateTruncating(prediction[i]) - double.CreateTruncating(target[i]);
            sum += d * d;
        }
        if (!dPrediction.IsEmpty)
        {
            // forward: L = (1/n)·Σ (p − y)²  →  dp = (2/n)·(p − y)
            T scale = T.CreateTruncating(2.0 / n);
            for (int i = 0; i < n; i++) dPrediction[i] = scale * (prediction[i] - target[i]);
        }
        return sum / n;
    }

    /// <summary>
    /// Softmax cross-entropy with integer labels, as <c>torch.nn.functional.cross_entropy(logits, labels,
    /// ignore_index=-1)</c>: for each counted row r, ℓ_r = logsumexp(z_r) − z_r[y_r], and L is their mean over
    /// the counted rows. A row is counted when its label is not <see cref="IgnoreLabel"/> and, if a mask is
    /// given, its mask entry is true. Gradient: dz_r = (softmax(z_r) − onehot(y_r)) / count on counted rows, 0
    /// elsewhere. When no row is counted the loss is 0 and the gradient is 0 (PyTorch returns NaN there; a
    /// batch with nothing to score should not poison a training run).
    /// The log-sum-exp subtracts the row maximum first, so large logits do not overflow.
    /// </summary>
    /// <param name="logits">[N, C]</param>
    /// <param name="classes">C</param>
    /// <param name="labels">[N], each in [0, C) or <see cref="IgnoreLabel"/></param>
    /// <param name="dLogits">[N, C], overwritten; empty to skip the gradient</param>
    /// <param name="mask">[N] or empty for all rows</param>
    public static double SoftmaxCrossEntropy<T>(ReadOnlySpan<T> logits, int classes, ReadOnlySpan<int> labels,
        Span<T> dLogits = default, ReadOnlySpan<bool> mask = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = CheckClassification(logits, classes, labels, mask);
        if (!dLogits.IsEmpty && dLogits.Length != logits.Length) throw new ArgumentException($"cross-entropy gradient has {dLogits.Length} values, logits have {logits.Length}");
        int counted = CountRows(labels, mask);
        double sum = 0;
        double invCount = counted == 0 ? 0 : 1.0 / counted;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> z = logits.Slice(r * classes, classes);
            bool isCounted = IsCounted(labels, mask, r);
            if (!isCounted)
            {
                if (!dLogits.IsEmpty) dLogits.Slice(r * classes, classes).Clear();
                continue;
            }
            // log-sum-exp with the maximum taken out: log Σ e^{z_c} = m + log Σ e^{z_c − m}
            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++) max = Math.Max(max, double.CreateTruncating(z[c]));
            double sumExp = 0;
            for (int c = 0; c < classes; c++) sumExp += Math.Exp(double.CreateTruncating(z[c]) - max);
            double logSumExp = max + Math.Log(sumExp);
            int y = labels[r];
            sum += logSumExp - double.CreateTruncating(z[y]);
            if (!dLogits.IsEmpty)
            {
                // forward: ℓ = logsumexp(z) − z_y, L = mean ℓ  →  dz_c = (softmax(z)_c − [c = y]) / count
                Span<T> dz = dLogits.Slice(r * classes, classes);
                for (int c = 0; c < classes; c++)
                {
                    double p = Math.Exp(double.CreateTruncating(z[c]) - logSumExp);
                    dz[c] = T.CreateTruncating(((c == y ? p - 1.0 : p)) * invCount);
                }
            }
        }
        return sum * invCount;
    }

    /// <summary>
    /// Correct predictions (arg-max of the logits equals the label; the first maximum wins ties, as
    /// <c>torch.argmax</c>) and counted rows, with the same counting rule as <see cref="SoftmaxCrossEntropy{T}"/>.
    /// Returned as counts so batches can be summed before dividing.
    /// </summary>
    public static (int Correct, int Counted) CountCorrect<T>(ReadOnlySpan<T> logits, int classes, ReadOnlySpan<int> labels, ReadOnlySpan<bool> mask = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = CheckClassification(logits, classes, labels, mask);
        int correct = 0, counted = 0;
        for (int r = 0; r < rows; r++)
        {
            if (!IsCounted(labels, mask, r)) continue;
            counted++;
            if (ArgMax(logits.Slice(r * classes, classes)) == labels[r]) correct++;
        }
        return (correct, counted);
    }

    /// <summary>Fraction of counted rows predicted correctly; 0 when no row is counted.</summary>
    public static double Accuracy<T>(ReadOnlySpan<T> logits, int classes, ReadOnlySpan<int> labels, ReadOnlySpan<bool> mask = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (correct, counted) = CountCorrect(logits, classes, labels, mask);
        return counted == 0 ? 0 : (double)correct / counted;
    }

    /// <summary>Index of the first largest element; a NaN element is never the maximum.</summary>
    public static int ArgMax<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int best = 0;
        for (int i = 1; i < x.Length; i++) if (x[i] > x[best] || T.IsNaN(x[best])) best = i;
        return best;
    }

    static bool IsCounted(ReadOnlySpan<int> labels, ReadOnlySpan<bool> mask, int r)
        => labels[r] != IgnoreLabel && (mask.IsEmpty || mask[r]);

    static int CountRows(ReadOnlySpan<int> labels, ReadOnlySpan<bool> mask)
    {
        int n = 0;
        for (int r = 0; r < labels.Length; r++) if (IsCounted(labels, mask, r)) n++;
        return n;
    }

    static int CheckClassification<T>(ReadOnlySpan<T> logits, int classes, ReadOnlySpan<int> labels, ReadOnlySpan<bool> mask)
    {
        if (classes <= 0) throw new ArgumentOutOfRangeException(nameof(classes), $"class count must be positive, got {classes}");
        if (logits.Length % classes != 0) throw new ArgumentException($"logits have {logits.Length} values, not a multiple of {classes} classes");
        int rows = logits.Length / classes;
        if (labels.Length != rows) throw new ArgumentException($"{labels.Length} labels for {rows} rows of logits");
        if (!mask.IsEmpty && mask.Length != rows) throw new ArgumentException($"mask has {mask.Length} entries for {rows} rows");
        for (int r = 0; r < rows; r++)
            if (labels[r] != IgnoreLabel && (uint)labels[r] >= (uint)classes)
                throw new ArgumentException($"label {labels[r]} at row {r} is outside [0, {classes}) and is not the ignore label {IgnoreLabel}");
        return rows;
    }
}
