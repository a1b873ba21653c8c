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
    public void Norm_OfKnownVector()
    {
        float[] x = new float[37];
        x[0] = 3; x[36] = 4;
        Assert.Equal(5f, Kernels.Norm<float>(x));
    }
}
