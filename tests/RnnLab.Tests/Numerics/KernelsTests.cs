using System.Numerics;
using RnnLab.Numerics;

namespace RnnLab.Tests.Numerics;

public class KernelsTests
{
    // Around the vector widths (8/16 floats, 4/8 doubles) and the 4-vector strips of AddColumnSums.
    private static readonly int[] Lengths = [0, 1, 2, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 6 * 64 + 7];

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

            Kernels.TanhBackwardScalar<T>(h, dh, expected);
            Kernels.TanhBackward<T>(h, dh, actual);
            for (int i = 0; i < n; i++)
            {
                double e = double.CreateTruncating(expected[i]), a = double.CreateTruncating(actual[i]);
                Assert.True(Math.Abs(e - a) <= 4 * double.CreateTruncating(T.Epsilon * T.One) + 1e-6 * Math.Abs(e) + 1e-15,
                    $"{typeof(T).Name} TanhBackward n={n} [{i}]: {a} vs {e}");
            }

            Kernels.ReluBackwardScalar<T>(h, dh, expected);
            Kernels.ReluBackward<T>(h, dh, actual);
            Assert.Equal(expected, actual);

            double ss = Kernels.SumOfSquares<T>(h), ssRef = Kernels.SumOfSquaresScalar<T>(h);
            Assert.True(Math.Abs(ss - ssRef) <= 1e-13 * ssRef + 1e-300, $"{typeof(T).Name} SumOfSquares n={n}: {ss} vs {ssRef}");
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
                Kernels.AddColumnSumsScalar<T>(m, n, 0, expected);
                Kernels.AddColumnSums<T>(m, n, actual);
                for (int j = 0; j < n; j++)
                {
                    double e = double.CreateTruncating(expected[j]), a = double.CreateTruncating(actual[j]);
                    Assert.True(Math.Abs(e - a) <= 1e-5 * (rows + 1), $"{typeof(T).Name} AddColumnSums n={n} rows={rows} [{j}]: {a} vs {e}");
                }
            }
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

    [Fact]
    public void Float_Tanh_WithinFewUlpOfMathTanh()
    {
        float[] x = ActivationInputs();
        float[] y = new float[x.Length];
        Kernels.Tanh<float>(x, y);
        double worst = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double exact = Math.Tanh(x[i]);
            double err = Math.Abs(y[i] - exact) / Math.Max(Math.Abs(exact), 1e-30);
            worst = Math.Max(worst, err);
            Assert.True(err < 1e-6, $"tanh({x[i]:R}) = {y[i]:R}, exact {exact:R}, relative error {err:g3}");
            Assert.True(Math.Abs(y[i]) <= 1f, $"tanh({x[i]:R}) = {y[i]:R} outside [−1, 1]");
        }
        float[] special = [float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        float[] ys = new float[3];
        Kernels.Tanh<float>(special, ys);
        Assert.True(float.IsNaN(ys[0]));
        Assert.Equal([1f, -1f], ys[1..]);
    }

    [Fact]
    public void Float_Sigmoid_WithinFewUlpOfDefinition()
    {
        float[] x = ActivationInputs();
        float[] y = new float[x.Length];
        Kernels.Sigmoid<float>(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            double exact = 1 / (1 + Math.Exp(-(double)x[i]));
            // Relative accuracy down to the smallest normal float: a closed gate's tiny value is still right.
            if (exact < 1.2e-38) { Assert.True(y[i] < 1.2e-38, $"σ({x[i]:R}) = {y[i]:R}, exact {exact:R}"); continue; }
            double err = Math.Abs(y[i] - exact) / exact;
            Assert.True(err < 1e-6, $"σ({x[i]:R}) = {y[i]:R}, exact {exact:R}, relative error {err:g3}");
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
