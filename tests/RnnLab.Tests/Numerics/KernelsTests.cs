using System.Numerics;
using System.Runtime.Intrinsics;
using RnnLab.Numerics;

namespace RnnLab.Tests.Numerics;

public class KernelsTests
{
    // Around the vector widths (8/16 floats, 4/8 doubles) and the 4-vector strips of AddColumnSums.
    private static readonly int[] Lengths = [0, 1, 2, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 6 * 64 + 7];

    /// <summary>
    /// Unit roundoff u: half the distance from 1 to the next number (2⁻²⁴ for float, 2⁻⁵³ for double), the relative
    /// error of one rounded operation. Not <c>T.Epsilon</c>, which in .NET is the smallest subnormal.
    /// </summary>
    internal static double UnitRoundoff<T>() where T : IFloatingPointIeee754<T> =>
        (double.CreateTruncating(T.BitIncrement(T.One)) - 1) / 2;

    [Fact]
    public void Unit_roundoff_is_half_the_gap_above_one()
    {
        Assert.Equal(Math.ScaleB(1, -24), UnitRoundoff<float>());
        Assert.Equal(Math.ScaleB(1, -53), UnitRoundoff<double>());
    }

    private static T[] Random<T>(SeededRandom rng, int length) where T : IFloatingPointIeee754<T>
    {
        var x = new T[length];
        rng.FillUniform<T>(x, -1, 1);
        return x;
    }

    private static void Elementwise<T>() where T : IFloatingPointIeee754<T>
    {
        var rng = new SeededRandom(11);
        foreach (int n in Lengths)
        {
            T[] h = Random<T>(rng, n), dh = Random<T>(rng, n);
            if (n > 3) h[3] = T.Zero; // the ReLU boundary: h = 0 passes no gradient
            T[] expected = new T[n], actual = new T[n];

            // The vector loop evaluates the scalar loop's expression dh·(1 − h·h) lane by lane, without contraction
            // into a fused multiply-add, so the two agree bit for bit.
            Kernels.TanhBackwardScalar<T>(h, dh, expected);
            Kernels.TanhBackward<T>(h, dh, actual);
            Assert.Equal(expected, actual);

            Kernels.ReluBackwardScalar<T>(h, dh, expected);
            Kernels.ReluBackward<T>(h, dh, actual);
            Assert.Equal(expected, actual);

            // Both sum the same double squares (exact for float inputs); the plain loop is within γ_(n−1)·Σx² of the
            // exact sum (Higham, Accuracy and Stability of Numerical Algorithms, §4.2), the compensated one within
            // 2u·Σx² + O(n·u²) (§4.3): they differ by at most (n + 2)·u·Σx² with u = 2⁻⁵³.
            double ss = Kernels.SumOfSquares<T>(h), ssRef = Kernels.SumOfSquaresScalar<T>(h);
            double ssBound = (n + 2) * UnitRoundoff<double>() * ssRef;
            Assert.True(Math.Abs(ss - ssRef) <= ssBound, $"{typeof(T).Name} SumOfSquares n={n}: {ss} vs {ssRef}, bound {ssBound:g3}");
        }
    }

    [Fact]
    public void Float_Elementwise_MatchesPlainLoops() => Elementwise<float>();

    [Fact]
    public void Double_Elementwise_MatchesPlainLoops() => Elementwise<double>();

    private static void ColumnSums<T>() where T : IFloatingPointIeee754<T>
    {
        var rng = new SeededRandom(5);
        foreach (int n in new[] { 1, 7, 16, 33, 64, 65, 6 * 64 + 7 })
            foreach (int rows in new[] { 0, 1, 3, 10 })
            {
                T[] m = Random<T>(rng, rows * n), y0 = Random<T>(rng, n);
                T[] expected = (T[])y0.Clone(), actual = (T[])y0.Clone();
                Kernels.AddColumnSumsScalar<T>(m, n, expected);
                Kernels.AddColumnSums<T>(m, n, actual);
                // The vector loop adds four rows pairwise before adding them to y, the plain loop one row at a time:
                // each is within γ_rows·Σ|terms| of the exact sum of the rows + 1 terms (Higham §4.2), so they differ
                // by at most 2·γ_rows·Σ|terms|, γ_k = k·u/(1 − k·u) in the element type's unit roundoff u.
                double u = UnitRoundoff<T>(), gamma = rows * u / (1 - rows * u);
                for (int j = 0; j < n; j++)
                {
                    double magnitude = Math.Abs(double.CreateTruncating(y0[j]));
                    for (int r = 0; r < rows; r++) magnitude += Math.Abs(double.CreateTruncating(m[r * n + j]));
                    double e = double.CreateTruncating(expected[j]), a = double.CreateTruncating(actual[j]);
                    Assert.True(Math.Abs(e - a) <= 2 * gamma * magnitude, $"{typeof(T).Name} AddColumnSums n={n} rows={rows} [{j}]: {a} vs {e}, bound {2 * gamma * magnitude:g3}");
                }
            }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 70)]
    [InlineData(33, 65)]
    [InlineData(64, 1024)]
    public void AddTransposed_adds_each_element_once_exactly_as_a_plain_loop(int rows, int cols)
    {
        var rng = new SeededRandom(7);
        var src = new float[rows * cols];
        var dst = new float[rows * cols];
        rng.FillGaussian<float>(src, 0, 1);
        rng.FillGaussian<float>(dst, 0, 1);
        var expected = (float[])dst.Clone();
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) expected[c * rows + r] += src[r * cols + c];
        Kernels.AddTransposed<float>(src, rows, cols, dst);
        Assert.Equal(expected, dst);                                        // bit for bit: one addition per element
    }

    [Fact]
    public void Float_AddColumnSums_MatchesPlainLoop() => ColumnSums<float>();

    [Fact]
    public void Double_AddColumnSums_MatchesPlainLoop() => ColumnSums<double>();

    /// <summary>A sweep over the whole useful range, every float near 0, and the saturated tails.</summary>
    private static float[] ActivationInputs()
    {
        var xs = new List<float>();
        for (int i = -40_000; i <= 40_000; i++) xs.Add(i * 5e-4f);          // [−20, 20]
        for (int e = -40; e <= 6; e++) { xs.Add(MathF.Pow(2, e)); xs.Add(-MathF.Pow(2, e)); }
        xs.AddRange([0f, -0f, 87f, -87f, 88.7f, -88.7f, 104f, -104f, 1e30f, -1e30f, float.MaxValue, float.MinValue]);
        return [.. xs];
    }

    /// <summary>The float tanh and σ of <see cref="Kernels"/> take their own approximation only with AVX-512; elsewhere
    /// they are TensorPrimitives', and a test of the fast path would pass without running it.</summary>
    const string NoFastActivations = "the float32 tanh/σ fast path needs AVX-512 (Vector512), which this CPU lacks";

    /// <summary>
    /// 1e−6 ≈ 17 u (u = 2⁻²⁴): the approximations' own error (tanh: Eigen's rational, about 3·10⁻⁷ ≈ 5 u; σ: Cephes'
    /// expf, a few u) plus the rounding of the dozen float operations that evaluate them.
    /// </summary>
    const double ActivationTolerance = 1e-6;

    [SkippableFact]
    public void Float_Tanh_WithinFewUlpOfMathTanh()
    {
        Skip.IfNot(Vector512.IsHardwareAccelerated, NoFastActivations);
        float[] x = ActivationInputs();
        float[] y = new float[x.Length];
        Kernels.Tanh<float>(x, y);
        double worst = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double exact = Math.Tanh(x[i]);
            double err = Math.Abs(y[i] - exact) / Math.Max(Math.Abs(exact), 1e-30);
            worst = Math.Max(worst, err);
            Assert.True(err < ActivationTolerance, $"tanh({x[i]:R}) = {y[i]:R}, exact {exact:R}, relative error {err:g3}");
            Assert.True(Math.Abs(y[i]) <= 1f, $"tanh({x[i]:R}) = {y[i]:R} outside [−1, 1]");
        }
        float[] special = [float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        float[] ys = new float[3];
        Kernels.Tanh<float>(special, ys);
        Assert.True(float.IsNaN(ys[0]));
        Assert.Equal([1f, -1f], ys[1..]);
    }

    [SkippableFact]
    public void Float_Sigmoid_WithinFewUlpOfDefinition()
    {
        Skip.IfNot(Vector512.IsHardwareAccelerated, NoFastActivations);
        float[] x = ActivationInputs();
        float[] y = new float[x.Length];
        Kernels.Sigmoid<float>(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            double exact = 1 / (1 + Math.Exp(-(double)x[i]));
            // Relative accuracy down to the smallest normal float: a closed gate's tiny value is still right.
            if (exact < 1.2e-38) { Assert.True(y[i] < 1.2e-38, $"σ({x[i]:R}) = {y[i]:R}, exact {exact:R}"); continue; }
            double err = Math.Abs(y[i] - exact) / exact;
            Assert.True(err < ActivationTolerance, $"σ({x[i]:R}) = {y[i]:R}, exact {exact:R}, relative error {err:g3}");
        }
        float[] special = [float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        float[] ys = new float[3];
        Kernels.Sigmoid<float>(special, ys);
        Assert.True(float.IsNaN(ys[0]));
        Assert.Equal(1f, ys[1]);
        Assert.True(ys[2] < 1.2e-38f);
    }

    [Fact]
    public void SumOfSquares_KeepsInfinityAndNaN()
    {
        float[] x = new float[40];
        x[20] = float.PositiveInfinity;
        Assert.Equal(double.PositiveInfinity, Kernels.SumOfSquares<float>(x));
        x[21] = float.NaN;
        Assert.True(double.IsNaN(Kernels.SumOfSquares<float>(x)));
    }

    [Fact]
    public void AddRowBias_MatchesPlainLoop()
    {
        var rng = new SeededRandom(8);
        foreach (int n in new[] { 1, 7, 16, 33, 6 * 64 + 7 })
        {
            float[] m = Random<float>(rng, 5 * n), b1 = Random<float>(rng, n), b2 = Random<float>(rng, n);
            float[] expected = (float[])m.Clone();
            for (int r = 0; r < 5; r++)
                for (int j = 0; j < n; j++) expected[r * n + j] = expected[r * n + j] + b1[j] + b2[j];
            Kernels.AddRowBias<float>(m, b1, b2, n);
            Assert.Equal(expected, m);
        }
    }

    [Fact]
    public void SumOfSquares_OfKnownVector()
    {
        float[] x = new float[37];
        x[0] = 3; x[36] = 4;
        Assert.Equal(25.0, Kernels.SumOfSquares<float>(x));
    }
}

/// <summary>The bias rows added over a whole sequence, split between threads, are the same bits as on one thread.</summary>
[Collection(GlobalStatics.Name)]
public class KernelsSplitTests
{
    static void SameBitsAcrossThreads<T>() where T : unmanaged, IFloatingPointIeee754<T> => GlobalStatics.WithEverySplitForced(() =>
    {
        var rng = new SeededRandom(23);
        // Around the vector widths; 7 rows split 3 + 4 (2 threads) and 2 + 2 + 3 (3 threads).
        foreach (int n in new[] { 1, 7, 15, 16, 17, 33, 6 * 64 + 7 })
            foreach (int rows in new[] { 1, 3, 7, 12 })
            {
                T[] m = new T[rows * n], b1 = new T[n], b2 = new T[n];
                rng.FillUniform<T>(m, -1, 1);
                rng.FillUniform<T>(b1, -1, 1);
                rng.FillUniform<T>(b2, -1, 1);
                (T[] OneBias, T[] TwoBiases) Run(int threads)
                {
                    using var _ = Parallelism.Use(threads);
                    T[] one = (T[])m.Clone(), two = (T[])m.Clone();
                    Kernels.AddRowBias<T>(one, b1, n);
                    Kernels.AddRowBias<T>(two, b1, b2, n);
                    return (one, two);
                }
                var serial = Run(1);
                foreach (int threads in new[] { 2, 3 })
                {
                    var split = Run(threads);
                    string at = $"{typeof(T).Name} [{rows}, {n}] at {threads} threads";
                    Assert.True(serial.OneBias.AsSpan().SequenceEqual(split.OneBias), $"AddRowBias {at} differs from one thread");
                    Assert.True(serial.TwoBiases.AsSpan().SequenceEqual(split.TwoBiases), $"AddRowBias (two biases) {at} differs from one thread");
                }
            }
    });

    [Fact]
    public void Float_bias_kernels_are_the_same_bits_at_1_2_and_3_threads() => SameBitsAcrossThreads<float>();

    [Fact]
    public void Double_bias_kernels_are_the_same_bits_at_1_2_and_3_threads() => SameBitsAcrossThreads<double>();
}
