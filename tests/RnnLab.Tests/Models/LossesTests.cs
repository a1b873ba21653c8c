using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Tests.Models;

public class LossesTests
{
    static double[] Random(SeededRandom rng, int n, double scale = 1)
    {
        var a = new double[n];
        rng.FillUniform<double>(a, -scale, scale);
        return a;
    }

    [Fact]
    public void MseIsTheMeanOfSquaredDifferences()
    {
        double[] p = [1, 2, 3], y = [0, 2, 5], dp = new double[3];
        double loss = Losses.MeanSquaredError<double>(p, y, dp);
        Assert.Equal((1 + 0 + 4) / 3.0, loss, 15);
        Assert.Equal([2 / 3.0, 0, -4 / 3.0], dp);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    public void MseGradientMatchesFiniteDifferences(int n)
    {
        var rng = new SeededRandom(10);
        double[] p = Random(rng, n), y = Random(rng, n), dp = new double[n];
        Losses.MeanSquaredError<double>(p, y, dp);
        GradientCheck.Check("mse.prediction", [n], p, dp, () => Losses.MeanSquaredError<double>(p, y));
    }

    [Theory]
    [InlineData(7, 5, false)]
    [InlineData(7, 5, true)]
    [InlineData(1, 1, false)]
    [InlineData(9, 3, true)]
    public void CrossEntropyGradientMatchesFiniteDifferences(int rows, int classes, bool masked)
    {
        var rng = new SeededRandom(11);
        double[] z = Random(rng, rows * classes, 3);
        int[] labels = [.. Enumerable.Range(0, rows).Select(_ => rng.NextInt(classes))];
        bool[] mask = [];
        if (masked && rows > 2)
        {
            labels[1] = Losses.IgnoreLabel;                              // ignored by label
            mask = [.. Enumerable.Range(0, rows).Select(r => r != rows - 1)]; // and the last row by mask
        }
        double[] dz = new double[z.Length];
        Losses.SoftmaxCrossEntropy<double>(z, classes, labels, dz, mask);
        GradientCheck.Check("cross_entropy.logits", [rows, classes], z, dz,
            () => Losses.SoftmaxCrossEntropy<double>(z, classes, labels, default, mask));
        if (masked && rows > 2)
        {
            Assert.All(dz.AsSpan(classes, classes).ToArray(), g => Assert.Equal(0.0, g));
            Assert.All(dz.AsSpan((rows - 1) * classes, classes).ToArray(), g => Assert.Equal(0.0, g));
        }
    }

    [Fact]
    public void CrossEntropyIsTheMeanOverCountedRows()
    {
        // Row 0: logits (0, ln 3), label 1: p = 3/4, ℓ = ln(4/3). Row 1 ignored. Row 2: uniform over 2, ℓ = ln 2.
        double[] z = [0, Math.Log(3), 100, -100, 1, 1];
        int[] labels = [1, Losses.IgnoreLabel, 0];
        double[] dz = new double[6];
        double loss = Losses.SoftmaxCrossEntropy<double>(z, 2, labels, dz);
        Assert.Equal((Math.Log(4.0 / 3) + Math.Log(2)) / 2, loss, 14);
        Assert.Equal(0.25 / 2, dz[0], 14);
        Assert.Equal(-0.25 / 2, dz[1], 14);
        Assert.Equal([0.0, 0.0], dz[2..4]);
        Assert.Equal(-0.25, dz[4], 14);
    }

    [Fact]
    public void CrossEntropyIsStableForHugeLogits()
    {
        float[] z = [1000f, 0f, -1000f, 3000f, 3000f, 2999f];
        float[] dz = new float[6];
        double loss = Losses.SoftmaxCrossEntropy<float>(z, 3, [1, 0], dz);
        // Row 0: ℓ = 1000 − 0. Row 1: ℓ = logsumexp(0, 0, −1) = ln(2 + e⁻¹).
        Assert.Equal((1000 + Math.Log(2 + Math.Exp(-1))) / 2, loss, 9);
        Assert.All(dz, g => Assert.True(float.IsFinite(g)));
    }

    [Fact]
    public void CrossEntropyWithNothingCountedIsZero()
    {
        double[] dz = [9, 9, 9, 9];
        Assert.Equal(0.0, Losses.SoftmaxCrossEntropy<double>([1.0, 2, 3, 4], 2, [0, 1], dz, [false, false]));
        Assert.All(dz, g => Assert.Equal(0.0, g));
    }

    [Fact]
    public void CrossEntropyRejectsLabelsOutOfRange()
    {
        var e = Assert.Throws<ArgumentException>(() => Losses.SoftmaxCrossEntropy<double>([1.0, 2, 3, 4], 2, [0, 2]));
        Assert.Contains("label 2 at row 1", e.Message);
    }

    [Fact]
    public void AccuracyCountsArgMaxHitsOnCountedRows()
    {
        double[] z = [0.1, 0.9, 0.8, 0.2, 0.5, 0.5, 0.3, 0.7];
        int[] labels = [1, 1, 0, Losses.IgnoreLabel];              // hit, miss, hit (tie → first), ignored
        Assert.Equal((2, 3), Losses.CountCorrect<double>(z, 2, labels));
        Assert.Equal(2.0 / 3, Losses.Accuracy<double>(z, 2, labels), 15);
        Assert.Equal((1, 1), Losses.CountCorrect<double>(z, 2, labels, [true, false, false, true]));
    }
}
