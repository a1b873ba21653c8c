using RnnLab.Analysis;
using RnnLab.Numerics;

namespace RnnLab.Tests.Analysis;

/// <summary>The norms a sweep reads at every k, on matrices far below (or above) the scale of the product they come from.</summary>
public class DenseOpsTests
{
    const int Rows = 6, Cols = 9;

    static double[] RandomMatrix()
    {
        var x = new double[Rows * Cols];
        new SeededRandom(7).FillGaussian<double>(x, 0, 1);
        return x;
    }

    static (double Spectral, double Frobenius, bool Converged) Norms(double[] x)
    {
        var v = new double[Rows];
        Array.Fill(v, 1.0);
        return DenseOps.Norms(x, Rows, Cols, Cols, v, new double[Cols], 1e-12, JacobianSweep.PowerMaxIterations);
    }

    [Fact]
    public void Norms_match_the_SVD()
    {
        var x = RandomMatrix();
        var (spectral, frobenius, converged) = Norms(x);
        Assert.True(converged);
        Assert.Equal(DenseOps.SpectralNormBySvd(x, Rows, Cols, Cols), spectral, 1e-10);
        Assert.Equal(Math.Sqrt(x.Sum(a => a * a)), frobenius, 1e-12);
    }

    /// <summary>
    /// Scaled by 2^k the norms scale by 2^k exactly, at any k: the power iteration forms sums of x⁴, which underflowed
    /// below entries of about 1e−77 (and gave one iteration's lower bound as converged) and overflow above 1e77.
    /// </summary>
    [Theory]
    [InlineData(-1000)]
    [InlineData(-300)]
    [InlineData(-260)]
    [InlineData(260)]
    [InlineData(900)]
    public void Norms_scale_exactly_far_from_one(int power)
    {
        var x = RandomMatrix();
        var (spectral, frobenius, _) = Norms(x);
        var (s, f, converged) = Norms([.. x.Select(a => Math.ScaleB(a, power))]);
        Assert.True(converged);
        Assert.Equal(Math.ScaleB(spectral, power), s);
        Assert.Equal(Math.ScaleB(frobenius, power), f);
    }
}
