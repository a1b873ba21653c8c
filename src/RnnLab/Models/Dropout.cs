using System.Numerics;
using RnnLab.Numerics;

namespace RnnLab.Models;

/// <summary>
/// Inverted dropout as <c>torch.nn.functional.dropout</c> in training mode (Srivastava et al. 2014): each value is
/// zeroed with probability p and the survivors are scaled by 1/(1 − p), so the expected output equals the input and
/// evaluation needs no rescaling. The mask comes from the caller's <see cref="SeededRandom"/>, one draw per value in
/// row-major order, so a seed gives the same masks on every machine and thread count.
/// </summary>
public sealed class Dropout<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public double Probability { get; }

    T[] mask = [];  // [N]  0 or 1/(1 − p), the factor each value of the last forward pass was multiplied by
    int size;

    public Dropout(double probability)
    {
        if (!(probability >= 0 && probability < 1)) throw new ArgumentOutOfRangeException(nameof(probability), $"dropout must be in [0, 1), got {probability}");
        Probability = probability;
    }

    /// <summary>y = x ⊙ m with a fresh mask m, x and y [N] (they may be the same buffer).</summary>
    public void Forward(ReadOnlySpan<T> x, Span<T> y, SeededRandom rng)
    {
        size = x.Length;
        if (mask.Length < size) mask = new T[size];
        T keep = T.CreateTruncating(1 / (1 - Probability));
        Span<T> m = mask.AsSpan(0, size);
        for (int i = 0; i < size; i++) m[i] = rng.NextDouble() < Probability ? T.Zero : keep;
        Kernels.Multiply(x, m, y);
    }

    /// <summary>Backward of the last forward pass: forward y = x ⊙ m  →  dx = dy ⊙ m (in place allowed).</summary>
    public void Backward(ReadOnlySpan<T> dy, Span<T> dx)
    {
        if (dy.Length != size) throw new ArgumentException($"dropout gradient has {dy.Length} values, the forward pass had {size}");
        Kernels.Multiply(dy, mask.AsSpan(0, size), dx);
    }
}
