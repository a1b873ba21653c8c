using System.Numerics;
using System.Numerics.Tensors;

namespace RnnLab.Numerics;

/// <summary>
/// Element-wise kernels on spans, destination last, no allocation. Vectorised by TensorPrimitives where it has
/// the operation; the rest are short loops the JIT vectorises or that are not on a hot path.
/// </summary>
public static class Kernels
{
    public static void Add<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : IFloatingPointIeee754<T>
        => TensorPrimitives.Add(a, b, y);

    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : IFloatingPointIeee754<T>
        => TensorPrimitives.Multiply(a, b, y);

    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
        => TensorPrimitives.Tanh(x, y);

    public static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
        => TensorPrimitives.Sigmoid(x, y);

    public static void Relu<T>(ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
        => TensorPrimitives.Max(x, T.Zero, y);

    /// <summary>dz = dh·(1 − h²), the derivative of h = tanh(z) written in terms of h.</summary>
    public static void TanhBackward<T>(ReadOnlySpan<T> h, ReadOnlySpan<T> dh, Span<T> dz) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < dz.Length; i++) dz[i] = dh[i] * (T.One - h[i] * h[i]);
    }

    /// <summary>dz = dh·[h &gt; 0], the derivative of h = max(z, 0).</summary>
    public static void ReluBackward<T>(ReadOnlySpan<T> h, ReadOnlySpan<T> dh, Span<T> dz) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < dz.Length; i++) dz[i] = h[i] > T.Zero ? dh[i] : T.Zero;
    }

    /// <summary>Euclidean norm, accumulated in double so float32 buffers do not lose the small terms.</summary>
    public static T Norm<T>(ReadOnlySpan<T> x) where T : IFloatingPointIeee754<T>
        => T.CreateTruncating(Math.Sqrt(SumOfSquares(x)));

    public static double SumOfSquares<T>(ReadOnlySpan<T> x) where T : IFloatingPointIeee754<T>
    {
        double s = 0;
        foreach (T v in x) { double d = double.CreateTruncating(v); s += d * d; }
        return s;
    }

    /// <summary>Adds bias to every row of m [rows, n].</summary>
    public static void AddRowBias<T>(Span<T> m, ReadOnlySpan<T> bias, int n) where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r + n <= m.Length; r += n) TensorPrimitives.Add(m.Slice(r, n), bias, m.Slice(r, n));
    }

    /// <summary>Adds bias1 + bias2 to every row of m [rows, n].</summary>
    public static void AddRowBias<T>(Span<T> m, ReadOnlySpan<T> bias1, ReadOnlySpan<T> bias2, int n) where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r + n <= m.Length; r += n)
        {
            Span<T> row = m.Slice(r, n);
            TensorPrimitives.Add(row, bias1, row);
            TensorPrimitives.Add(row, bias2, row);
        }
    }

    /// <summary>y[j] += Σ_r m[r, j] for m [rows, n].</summary>
    public static void AddColumnSums<T>(ReadOnlySpan<T> m, int n, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r + n <= m.Length; r += n) TensorPrimitives.Add(y, m.Slice(r, n), y);
    }
}
