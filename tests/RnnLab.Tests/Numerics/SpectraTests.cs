using RnnLab.Numerics;

namespace RnnLab.Tests.Numerics;

public class SpectraTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(50)]
    public void PowerIterationMatchesEigenSolver(int n)
    {
        for (ulong seed = 1; seed <= 3; seed++)
        {
            var a = new double[n * n];
            new SeededRandom(seed * 100 + (ulong)n).FillGaussian<double>(a, 0, 1 / Math.Sqrt(n));
            double exact = Spectra.SpectralRadius(a, n);
            var pi = Spectra.PowerIterationSpectralRadius(a, n);
            Assert.True(pi.Converged, $"n={n} seed={seed}: no convergence in {pi.Iterations} iterations");
            Assert.True(Math.Abs(pi.SpectralRadius - exact) <= 1e-8 * exact, $"n={n} seed={seed}: power {pi.SpectralRadius} vs eigen {exact}");
        }
    }

    [Fact]
    public void EigenpairIdentityHoldsForLeadingEigenvalue()
    {
        // A·v = λ·v checked through det(A − λI) ≈ 0 via the smallest singular value of A − λI (real leading λ here).
        double[] a = [2, 1, 0, 1, 3, 1, 0, 1, 4];
        var ev = Spectra.Eigenvalues(a, 3);
        double lambda = ev[0].Real;
        var shifted = (double[])a.Clone();
        for (int i = 0; i < 3; i++) shifted[i * 3 + i] -= lambda;
        Assert.True(Spectra.SingularValues(shifted, 3, 3)[^1] < 1e-12);
        Assert.Equal(lambda, Spectra.PowerIterationSpectralRadius(a, 3).SpectralRadius, 10);
    }

    [Fact]
    public void RescaleSetsSpectralRadius()
    {
        var a = new double[36];
        new SeededRandom(4).FillGaussian<double>(a, 0, 1);
        RnnLab.Models.Initializers.RescaleToSpectralRadius<double>(a, 6, 0.9, "a");
        Assert.Equal(0.9, Spectra.SpectralRadius(a, 6), 12);
    }
}
