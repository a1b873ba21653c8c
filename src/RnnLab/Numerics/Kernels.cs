using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnLab.Numerics;

/// <summary>
/// Element-wise kernels on spans, destination last, no allocation. Vectorised by TensorPrimitives where it has
/// the operation; the hot hand-written ones (the backward derivatives, norms, bias sums) are explicit Vector512/
/// Vector256 loops for float and double, each with its plain scalar loop beside it as the definition and tail. The
/// bias rows added over a whole sequence are split between the threads (<see cref="MinElementsToSplit"/>).
/// </summary>
public static class Kernels
{
    public static void Add<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : IFloatingPointIeee754<T>
        => TensorPrimitives.Add(a, b, y);

    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : IFloatingPointIeee754<T>
        => TensorPrimitives.Multiply(a, b, y);

    /// <summary>
    /// y = tanh(x). float32 with AVX-512 takes <see cref="TanhFloat"/> (within a few ulp, about 5× faster than
    /// TensorPrimitives, which matters because every time step applies it to [B, H] or [B, G·H]); double and other
    /// CPUs keep TensorPrimitives' accurate version. x and y may be the same span.
    /// </summary>
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && Vector512.IsHardwareAccelerated)
            Map<TanhOp>(As<T, float>(x), AsWritable<T, float>(y));
        else TensorPrimitives.Tanh(x, y);
    }

    /// <summary>y = σ(x) = 1 / (1 + e^(−x)); float32 with AVX-512 takes <see cref="SigmoidFloat"/>. x and y may be the same span.</summary>
    public static void Sigmoid<T>(ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && Vector512.IsHardwareAccelerated)
            Map<SigmoidOp>(As<T, float>(x), AsWritable<T, float>(y));
        else TensorPrimitives.Sigmoid(x, y);
    }

    /// <summary>A lane-wise float function; a struct type parameter so <see cref="Map{TOp}"/> is compiled (and
    /// the function inlined) once per function, where a delegate or function pointer would cost a call per vector.</summary>
    private interface IVectorFunction { static abstract Vector512<float> Apply(Vector512<float> x); }
    private readonly struct TanhOp : IVectorFunction { public static Vector512<float> Apply(Vector512<float> x) => TanhFloat(x); }
    private readonly struct SigmoidOp : IVectorFunction { public static Vector512<float> Apply(Vector512<float> x) => SigmoidFloat(x); }

    /// <summary>y[i] = f(x[i]) sixteen lanes at a time; the tail goes through one zero-padded vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Map<TOp>(ReadOnlySpan<float> x, Span<float> y) where TOp : struct, IVectorFunction
    {
        if (y.Length < x.Length) throw new ArgumentException($"destination has {y.Length} elements, needs {x.Length}");
        y = y[..x.Length];
        int i = 0;
        for (; i + 16 <= y.Length; i += 16) TOp.Apply(Vector512.Create(x.Slice(i, 16))).CopyTo(y.Slice(i));
        if (i < y.Length)
        {
            Span<float> tail = stackalloc float[16];
            tail.Clear();
            x[i..].CopyTo(tail);
            TOp.Apply(Vector512.Create(tail)).CopyTo(tail);
            tail[..(y.Length - i)].CopyTo(y[i..]);
        }
    }

    /// <summary>
    /// tanh as the odd/even rational approximation p(x)/q(x) of degree 13/6 on x clamped to ±7.9053 (where it reaches 1 in float), with the
    /// coefficients of Eigen's generic_fast_tanh_float (max relative error about 3·10⁻⁷). NaN stays NaN so a diverging
    /// run is still visible.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> TanhFloat(Vector512<float> a)
    {
        Vector512<float> x = Vector512.ClampNative(a, Vector512.Create(-7.90531110763549805f), Vector512.Create(7.90531110763549805f));
        Vector512<float> x2 = x * x;
        Vector512<float> p = Vector512.FusedMultiplyAdd(x2, Vector512.Create(-2.76076847742355e-16f), Vector512.Create(2.00018790482477e-13f));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(-8.60467152213735e-11f));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(5.12229709037114e-08f));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(1.48572235717979e-05f));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(6.37261928875436e-04f));
        p = Vector512.FusedMultiplyAdd(x2, p, Vector512.Create(4.89352455891786e-03f));
        p *= x;
        Vector512<float> q = Vector512.FusedMultiplyAdd(x2, Vector512.Create(1.19825839466702e-06f), Vector512.Create(1.18534705686654e-04f));
        q = Vector512.FusedMultiplyAdd(x2, q, Vector512.Create(2.26843463243900e-03f));
        q = Vector512.FusedMultiplyAdd(x2, q, Vector512.Create(4.89352518554385e-03f));
        Vector512<float> y = p / q;
        // Past |x| = 9 the float tanh is exactly ±1; the clamped rational stops 3·10⁻⁷ short of it.
        Vector512<float> one = Vector512<float>.One | (a & Vector512.Create(-0f));
        y = Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.Abs(a), Vector512.Create(9f)), one, y);
        return Vector512.ConditionalSelect(Vector512.IsNaN(a), a, y);
    }

    /// <summary>
    /// σ(x) = 1 / (1 + e^(−x)) with e^t computed as in Cephes' expf: t = n·ln 2 + r with n = round(t·log₂e) and
    /// ln 2 split in two (Cody–Waite), e^r by a degree-6 polynomial, 2ⁿ put into the exponent bits. Relative error a
    /// few ulp across the range, including the tiny values of a closed gate. NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> SigmoidFloat(Vector512<float> a)
    {
        // e^t for t = −a, clamped so that 2ⁿ stays a normal float (n in [−126, 127]).
        Vector512<float> t = Vector512.ClampNative(-a, Vector512.Create(-87.3f), Vector512.Create(88.3f));
        Vector512<float> n = Vector512.Round(t * Vector512.Create(1.44269504088896341f));
        Vector512<float> r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-0.693359375f), t);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(2.12194440e-4f), r);
        Vector512<float> p = Vector512.FusedMultiplyAdd(Vector512.Create(1.9875691500e-4f), r, Vector512.Create(1.3981999507e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894e-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459e-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201e-1f));
        Vector512<float> e = Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
        Vector512<int> bits = (Vector512.ConvertToInt32Native(n) + Vector512.Create(127)) << 23;
        e *= bits.AsSingle();
        return Vector512.ConditionalSelect(Vector512.IsNaN(a), a, Vector512<float>.One / (Vector512<float>.One + e));
    }

    public static void Relu<T>(ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
        => TensorPrimitives.Max(x, T.Zero, y);

    /// <summary>dz = dh·(1 − h²), the derivative of h = tanh(z) written in terms of h.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TanhBackward<T>(ReadOnlySpan<T> h, ReadOnlySpan<T> dh, Span<T> dz) where T : IFloatingPointIeee754<T>
    {
        CheckSameLength(h.Length, dh.Length, dz.Length);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
            for (; i + Vector512<T>.Count <= dz.Length; i += Vector512<T>.Count)
            {
                Vector512<T> hv = Vector512.Create(h.Slice(i, Vector512<T>.Count)), dv = Vector512.Create(dh.Slice(i, Vector512<T>.Count));
                (dv * (Vector512<T>.One - hv * hv)).CopyTo(dz.Slice(i));
            }
        else if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
            for (; i + Vector256<T>.Count <= dz.Length; i += Vector256<T>.Count)
            {
                Vector256<T> hv = Vector256.Create(h.Slice(i, Vector256<T>.Count)), dv = Vector256.Create(dh.Slice(i, Vector256<T>.Count));
                (dv * (Vector256<T>.One - hv * hv)).CopyTo(dz.Slice(i));
            }
        TanhBackwardScalar(h[i..], dh[i..], dz[i..]);
    }

    internal static void TanhBackwardScalar<T>(ReadOnlySpan<T> h, ReadOnlySpan<T> dh, Span<T> dz) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < dz.Length; i++) dz[i] = dh[i] * (T.One - h[i] * h[i]);
    }

    /// <summary>dz = dh·[h &gt; 0], the derivative of h = max(z, 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReluBackward<T>(ReadOnlySpan<T> h, ReadOnlySpan<T> dh, Span<T> dz) where T : IFloatingPointIeee754<T>
    {
        CheckSameLength(h.Length, dh.Length, dz.Length);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
            for (; i + Vector512<T>.Count <= dz.Length; i += Vector512<T>.Count)
            {
                Vector512<T> hv = Vector512.Create(h.Slice(i, Vector512<T>.Count)), dv = Vector512.Create(dh.Slice(i, Vector512<T>.Count));
                (dv & Vector512.GreaterThan(hv, Vector512<T>.Zero)).CopyTo(dz.Slice(i));
            }
        else if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
            for (; i + Vector256<T>.Count <= dz.Length; i += Vector256<T>.Count)
            {
                Vector256<T> hv = Vector256.Create(h.Slice(i, Vector256<T>.Count)), dv = Vector256.Create(dh.Slice(i, Vector256<T>.Count));
                (dv & Vector256.GreaterThan(hv, Vector256<T>.Zero)).CopyTo(dz.Slice(i));
            }
        ReluBackwardScalar(h[i..], dh[i..], dz[i..]);
    }

    internal static void ReluBackwardScalar<T>(ReadOnlySpan<T> h, ReadOnlySpan<T> dh, Span<T> dz) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < dz.Length; i++) dz[i] = h[i] > T.Zero ? dh[i] : T.Zero;
    }

    /// <summary>
    /// Σ x², accumulated in double with Kahan compensation. Called once per time step on ∂L/∂h_t (the gradient-flow
    /// probe), so it is as hot as the step's GEMM at small H: float lanes are widened to double (where their squares
    /// are exact) and summed lane-wise; the compensation keeps the result as close to the exact sum as the one-by-one
    /// double loop gets, whatever the lane order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double SumOfSquares<T>(ReadOnlySpan<T> x) where T : IFloatingPointIeee754<T>
    {
        if (!Vector512.IsHardwareAccelerated || (typeof(T) != typeof(float) && typeof(T) != typeof(double)))
            return SumOfSquaresScalar(x);
        Vector512<double> s0 = default, s1 = default, e0 = default, e1 = default;
        int i = 0;
        if (typeof(T) == typeof(float))
        {
            ReadOnlySpan<float> f = As<T, float>(x);
            for (; i + 16 <= f.Length; i += 16)
            {
                (Vector512<double> lo, Vector512<double> hi) = Vector512.Widen(Vector512.Create(f.Slice(i, 16)));
                KahanAdd(ref s0, ref e0, lo * lo);
                KahanAdd(ref s1, ref e1, hi * hi);
            }
        }
        else
        {
            ReadOnlySpan<double> d = As<T, double>(x);
            for (; i + 16 <= d.Length; i += 16)
            {
                Vector512<double> v0 = Vector512.Create(d.Slice(i, 8)), v1 = Vector512.Create(d.Slice(i + 8, 8));
                KahanAdd(ref s0, ref e0, v0 * v0);
                KahanAdd(ref s1, ref e1, v1 * v1);
            }
        }
        // Fold the lanes (and the tail) with the same compensation.
        double sum = 0, err = 0;
        for (int l = 0; l < 8; l++)
        {
            KahanAdd(ref sum, ref err, s0[l] - e0[l]);
            KahanAdd(ref sum, ref err, s1[l] - e1[l]);
        }
        for (; i < x.Length; i++) { double v = double.CreateTruncating(x[i]); KahanAdd(ref sum, ref err, v * v); }
        double result = sum - err;
        // An infinite term turns the compensation into NaN; the plain loop then gives the honest Inf (or NaN).
        return double.IsFinite(result) ? result : SumOfSquaresScalar(x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KahanAdd(ref Vector512<double> sum, ref Vector512<double> err, Vector512<double> term)
    {
        Vector512<double> y = term - err, t = sum + y;
        err = (t - sum) - y;
        sum = t;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KahanAdd(ref double sum, ref double err, double term)
    {
        double y = term - err, t = sum + y;
        err = (t - sum) - y;
        sum = t;
    }

    internal static double SumOfSquaresScalar<T>(ReadOnlySpan<T> x) where T : IFloatingPointIeee754<T>
    {
        double s = 0;
        foreach (T v in x) { double d = double.CreateTruncating(v); s += d * d; }
        return s;
    }

    /// <summary>
    /// Elements below which a whole-matrix element-wise pass (<see cref="AddRowBias{T}(Span{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, int)"/>
    /// over the whole sequence's [T·B, G·H] pre-activations, Adam's update of a weight) stays on one thread. Above it
    /// the rows, or the elements, are split between <see cref="Parallelism.Threads"/>; every element is computed by
    /// the same operations whichever thread takes it. (The bias gradients' column sums stay on one thread: split by
    /// columns, each thread reads a narrow strip of every row, which gained little on two cores.)
    /// </summary>
    internal static int MinElementsToSplit = 32_768;

    /// <summary>Threads for a whole-matrix element-wise pass over <paramref name="units"/> rows or elements.</summary>
    internal static int SplitParts(int elements, int units) =>
        Parallelism.Threads > 1 && elements >= MinElementsToSplit ? Math.Min(Parallelism.Threads, units) : 1;

    /// <summary>Adds bias to every row of m [rows, n].</summary>
    public static void AddRowBias<T>(Span<T> m, ReadOnlySpan<T> bias, int n) where T : unmanaged, IFloatingPointIeee754<T>
        => AddRowBias(m, bias, ReadOnlySpan<T>.Empty, n);

    /// <summary>
    /// Adds bias1 + bias2 to every row of m [rows, n], as (m + bias1) + bias2, in one pass over m; an empty bias2
    /// adds bias1 alone. The rows are split between threads when m is large (<see cref="MinElementsToSplit"/>).
    /// </summary>
    public static unsafe void AddRowBias<T>(Span<T> m, ReadOnlySpan<T> bias1, ReadOnlySpan<T> bias2, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (bias1.Length < n || (!bias2.IsEmpty && bias2.Length < n)) throw new ArgumentException($"biases have {bias1.Length} and {bias2.Length} elements, need {n}");
        if (n <= 0) return;
        int rows = m.Length / n;
        fixed (T* pm = m, pb1 = bias1, pb2 = bias2)
        {
            var job = new RowBiasJob<T> { M = pm, Bias1 = pb1, Bias2 = pb2, N = n };
            Parallelism.ForRanges(rows, SplitParts(m.Length, rows), &AddRowBiasRows<T>, &job);
        }
    }

    private unsafe struct RowBiasJob<T> where T : unmanaged
    {
        public T* M;      // [rows, n]
        public T* Bias1;  // [n]
        public T* Bias2;  // [n], or null for none
        public int N;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void AddRowBiasRows<T>(int first, int end, void* state) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref readonly RowBiasJob<T> job = ref *(RowBiasJob<T>*)state;
        int n = job.N;
        var bias1 = new ReadOnlySpan<T>(job.Bias1, n);
        for (int r = first; r < end; r++)
        {
            var row = new Span<T>(job.M + (long)r * n, n);
            if (job.Bias2 == null)
            {
                TensorPrimitives.Add(row, bias1, row);
                continue;
            }
            var bias2 = new ReadOnlySpan<T>(job.Bias2, n);
            int j = 0;
            if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
                for (; j + Vector512<T>.Count <= n; j += Vector512<T>.Count)
                {
                    Span<T> at = row.Slice(j, Vector512<T>.Count);
                    (Vector512.Create(at) + Vector512.Create(bias1.Slice(j, Vector512<T>.Count)) + Vector512.Create(bias2.Slice(j, Vector512<T>.Count))).CopyTo(at);
                }
            for (; j < n; j++) row[j] = row[j] + bias1[j] + bias2[j];
        }
    }

    /// <summary>
    /// dst[c, r] += src[r, c] for src [rows, cols], dst [cols, rows]: a transposed matrix added in. Walks 32×32 tiles,
    /// so both sides stay within a few cache lines and pages per tile (an element-by-element walk down dst's columns
    /// strides by 4·rows bytes, a page per element once rows reaches 1024). Each element gets one addition, so the
    /// result does not depend on the walk.
    /// </summary>
    public static void AddTransposed<T>(ReadOnlySpan<T> src, int rows, int cols, Span<T> dst) where T : IFloatingPointIeee754<T>
    {
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"sizes must be non-negative, got {rows}×{cols}");
        if (src.Length < rows * cols || dst.Length < rows * cols)
            throw new ArgumentException($"AddTransposed of [{rows}, {cols}] needs {rows * cols} elements each side, got {src.Length} and {dst.Length}");
        const int Tile = 32;
        for (int r0 = 0; r0 < rows; r0 += Tile)
            for (int c0 = 0; c0 < cols; c0 += Tile)
            {
                int r1 = Math.Min(rows, r0 + Tile), c1 = Math.Min(cols, c0 + Tile);
                for (int c = c0; c < c1; c++)
                {
                    Span<T> row = dst.Slice(c * rows, rows);
                    for (int r = r0; r < r1; r++) row[r] += src[r * cols + c];
                }
            }
    }

    /// <summary>
    /// y[j] += Σ_r m[r, j] for m [rows, n]: the bias gradient, summed over all T·B stacked rows. Adds four rows at a
    /// time in registers before touching y, reading m as contiguous row streams (a column-strip walk down the rows
    /// was slower: its 4·n-byte stride defeats the prefetcher on [6400, 512]).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddColumnSums<T>(ReadOnlySpan<T> m, int n, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        if (n <= 0) return;
        if (y.Length < n) throw new ArgumentException($"y has {y.Length} elements, needs {n}");
        int rows = m.Length / n, r = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported && n >= Vector512<T>.Count)
        {
            int W = Vector512<T>.Count, vecEnd = n - n % W;
            ref T m0 = ref MemoryMarshal.GetReference(m);
            ref T y0 = ref MemoryMarshal.GetReference(y);
            for (; r + 4 <= rows; r += 4)
            {
                nuint r0 = (nuint)((long)r * n), r1 = r0 + (nuint)n, r2 = r1 + (nuint)n, r3 = r2 + (nuint)n;
                for (int j = 0; j < vecEnd; j += W)
                {
                    nuint at = (nuint)j;
                    Vector512<T> sum = (Vector512.LoadUnsafe(ref m0, r0 + at) + Vector512.LoadUnsafe(ref m0, r1 + at))
                                     + (Vector512.LoadUnsafe(ref m0, r2 + at) + Vector512.LoadUnsafe(ref m0, r3 + at));
                    (Vector512.LoadUnsafe(ref y0, at) + sum).StoreUnsafe(ref y0, at);
                }
                for (int j = vecEnd; j < n; j++)
                    y[j] += (m[(int)r0 + j] + m[(int)r1 + j]) + (m[(int)r2 + j] + m[(int)r3 + j]);
            }
        }
        if (r < rows) AddColumnSumsScalar(m[(r * n)..], n, y);
    }

    /// <summary>The plain loop of <see cref="AddColumnSums{T}"/>, row by row.</summary>
    internal static void AddColumnSumsScalar<T>(ReadOnlySpan<T> m, int n, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r + n <= m.Length; r += n)
            for (int j = 0; j < n; j++) y[j] += m[r + j];
    }

    /// <summary>Reinterprets a span whose element type the caller has just tested to be <typeparamref name="TTo"/>.</summary>
    private static ReadOnlySpan<TTo> As<TFrom, TTo>(ReadOnlySpan<TFrom> x)
        => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<TFrom, TTo>(ref MemoryMarshal.GetReference(x)), x.Length);

    private static Span<TTo> AsWritable<TFrom, TTo>(Span<TFrom> x)
        => MemoryMarshal.CreateSpan(ref Unsafe.As<TFrom, TTo>(ref MemoryMarshal.GetReference(x)), x.Length);

    private static void CheckSameLength(int a, int b, int y)
    {
        if (a < y || b < y) throw new ArgumentException($"input spans ({a}, {b}) shorter than the destination ({y})");
    }
}
