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

    /// <summary>From <see cref="Spectra.PowerOfMatrixFromOrder"/> on the iteration runs on (A/s)^8; it must give ρ(A), at any scale.</summary>
    [Theory]
    [InlineData(1.0)]
    [InlineData(1e-200)]
    [InlineData(1e200)]
    public void PowerIterationOnTheMatrixPowerMatchesEigenSolver(double scale)
    {
        int n = Spectra.PowerOfMatrixFromOrder + 3;
        var a = new double[n * n];
        new SeededRandom(7).FillGaussian<double>(a, 0, scale / Math.Sqrt(n));
        double exact = Spectra.SpectralRadius(a, n);
        var pi = Spectra.PowerIterationSpectralRadius(a, n);
        Assert.True(pi.Converged, $"no convergence in {pi.Iterations} iterations");
        Assert.True(Math.Abs(pi.SpectralRadius - exact) <= 1e-8 * exact, $"power {pi.SpectralRadius} vs eigen {exact}");
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

    /// <summary>From <see cref="Spectra.ParallelMatVecFromOrder"/> on the rows are split over threads; each row's dot product is the same.</summary>
    [Theory]
    [InlineData(Spectra.ParallelMatVecFromOrder - 1)]
    [InlineData(Spectra.ParallelMatVecFromOrder + 45)]
    [InlineData(Spectra.PowerOfMatrixFromOrder + 5)]
    public void MatVec_and_power_iteration_do_not_depend_on_the_thread_count(int n)
    {
        var a = new double[n * n];
        new SeededRandom(9).FillGaussian<double>(a, 0, 1 / Math.Sqrt(n));
        var x = new double[n];
        new SeededRandom(10).FillGaussian<double>(x, 0, 1);
        var serial = new double[n];
        var split = new double[n];
        PowerIterationResult one, three;
        using (Parallelism.Use(1)) { Spectra.MatVec(a, n, x, serial); one = Spectra.PowerIterationSpectralRadius(a, n); }
        using (Parallelism.Use(3)) { Spectra.MatVec(a, n, x, split); three = Spectra.PowerIterationSpectralRadius(a, n); }
        for (int i = 0; i < n; i++)
        {
            double expected = 0;
            for (int j = 0; j < n; j++) expected += a[i * n + j] * x[j];
            Assert.True(Math.Abs(serial[i] - expected) <= 1e-13 * n, $"row {i}: {serial[i]:R} vs the plain loop's {expected:R}");
        }
        Assert.Equal(serial, split);
        Assert.Equal(one, three);
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
