using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Tests.Models;

/// <summary>Chrono initialisation against its definition: exp(b) of the keep gate is uniform on [1, T_max − 1].</summary>
public class ChronoInitTests
{
    /// <summary>Kolmogorov–Smirnov distance between the sample and U[lo, hi].</summary>
    static double KsDistanceToUniform(double[] sample, double lo, double hi)
    {
        var s = sample.Order().ToArray();
        double d = 0;
        for (int i = 0; i < s.Length; i++)
        {
            double f = Math.Clamp((s[i] - lo) / (hi - lo), 0, 1);
            d = Math.Max(d, Math.Max((i + 1.0) / s.Length - f, f - (double)i / s.Length));
        }
        return d;
    }

    [Theory]
    [InlineData(CellKind.Lstm, 64), InlineData(CellKind.Lstm, 2), InlineData(CellKind.Gru, 200)]
    public void KeepGateBiasIsLogUniformAndSumsAsDefined(CellKind kind, int tMax)
    {
        const int H = 4000;
        var layer = RecurrentLayer<double>.Create(kind, 3, H);
        Initializers.Apply(layer, InitKind.PyTorch, new SeededRandom(1));
        double[] bihBefore = (double[])layer.BiasIH.Value.Clone(), bhhBefore = (double[])layer.BiasHH.Value.Clone();
        ChronoInit.Apply(layer, tMax, new SeededRandom(2));
        double Sum(int g, int j) => layer.BiasIH.Value[g * H + j] + layer.BiasHH.Value[g * H + j];
        var keep = Enumerable.Range(0, H).Select(j => Math.Exp(Sum(1, j))).ToArray();
        Assert.All(keep, e => Assert.InRange(e, 1 - 1e-12, tMax - 1 + 1e-12));
        if (tMax > 2)
        {
            // 1.63/√n is the KS critical value at the 1% level; the test's sample is fixed by its seed.
            double d = KsDistanceToUniform(keep, 1, tMax - 1);
            Assert.True(d < 1.63 / Math.Sqrt(H), $"KS distance {d:0.0000} to U[1, {tMax - 1}]");
            double mean = keep.Average();
            Assert.InRange(mean, tMax / 2.0 - 0.05 * tMax, tMax / 2.0 + 0.05 * tMax);   // E U[1, T−1] = T/2
        }
        else Assert.All(keep, e => Assert.Equal(1.0, e, 12));                          // U[1, 1]: b = 0
        for (int j = 0; j < H; j++)
        {
            Assert.Equal(0.0, layer.BiasHH.Value[H + j]);
            if (kind == CellKind.Lstm) Assert.Equal(-Sum(1, j), Sum(0, j), 15);             // b_i = −b_f
        }
        for (int k = 2 * H; k < layer.Gates * H; k++)                                    // g, o (LSTM) and n (GRU) untouched
        {
            Assert.Equal(bihBefore[k], layer.BiasIH.Value[k]);
            Assert.Equal(bhhBefore[k], layer.BiasHH.Value[k]);
        }
        if (kind == CellKind.Gru)
            for (int k = 0; k < H; k++) Assert.Equal(bihBefore[k], layer.BiasIH.Value[k]);  // r keeps its bias
    }

    [Fact]
    public void RejectsCellsWithoutAKeepGateAndAnEmptyRange()
    {
        Assert.Throws<ArgumentException>(() => ChronoInit.Apply(RecurrentLayer<double>.Create(CellKind.Rnn, 1, 2), 10, new SeededRandom(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChronoInit.Apply(RecurrentLayer<double>.Create(CellKind.Lstm, 1, 2), 1, new SeededRandom(1)));
    }
}
