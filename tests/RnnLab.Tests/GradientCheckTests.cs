namespace RnnLab.Tests;

public class GradientCheckTests
{
    // L = Σ_i c_i·sin(x_i) + (Σ_i x_i)², with dL/dx_i = c_i·cos(x_i) + 2·Σ x
    static double Loss(double[] x, double[] c)
    {
        double s = 0, sum = 0;
        for (int i = 0; i < x.Length; i++) { s += c[i] * Math.Sin(x[i]); sum += x[i]; }
        return s + sum * sum;
    }

    static double[] Grad(double[] x, double[] c)
    {
        double sum = x.Sum();
        return [.. x.Select((v, i) => c[i] * Math.Cos(v) + 2 * sum)];
    }

    [Fact]
    public void PassesACorrectGradientAndRestoresTheValues()
    {
        double[] x = [0.3, -1.2, 2.5, 0.0, 7.0, -0.01], c = [1, -2, 0.5, 3, 0, 1e-4];
        double[] before = (double[])x.Clone();
        var result = GradientCheck.Check("f.x", [2, 3], x, Grad(x, c), () => Loss(x, c));
        Assert.True(result.MaxRelativeError < 1e-8, result.ToString());
        Assert.Equal(before, x);
    }

    [Fact]
    public void NamesTheTensorAndIndexOfAWrongEntry()
    {
        double[] x = [0.3, -1.2, 2.5, 0.4, 7.0, -0.01], c = [1, -2, 0.5, 3, 0, 1e-4];
        double[] g = Grad(x, c);
        g[4] *= 1.001;                                        // flat 4 of [2, 3] is [1,1]
        var result = GradientCheck.Measure("f.x", [2, 3], x, g, () => Loss(x, c));
        Assert.False(result.Passed);
        Assert.Equal(4, result.WorstIndex);
        Assert.StartsWith("f.x: max rel err 5.0e-04 at [1,1]", result.ToString());
    }

    [Fact]
    public void ANaNGradientFails()
    {
        double[] x = [0.3, -1.2], c = [1, 2];
        double[] g = Grad(x, c);
        g[1] = double.NaN;
        var result = GradientCheck.Measure("f.x", [2], x, g, () => Loss(x, c));
        Assert.False(result.Passed);
        Assert.Equal(1, result.WorstIndex);
    }

    [Fact]
    public void AnEntryWithZeroDerivativePassesDespiteRoundingNoise()
    {
        // x₁ has no effect apart from rounding in the sum: its true derivative is 0.
        double[] x = [1e3, 0.5];
        var result = GradientCheck.Check("f.x", [2], x, [2 * x[0], 0], () => x[0] * x[0] + 1e-30 * x[1]);
        Assert.True(result.Passed);
    }

    [Theory]
    [InlineData(new[] { 3, 4 }, 7, "[1,3]")]
    [InlineData(new[] { 5 }, 4, "[4]")]
    [InlineData(new[] { 2, 3, 4 }, 23, "[1,2,3]")]
    public void FormatsIndicesRowMajor(int[] shape, int flat, string expected)
        => Assert.Equal(expected, GradientCheck.FormatIndex(shape, flat));
}
