using System.Numerics;
using RnnLab.Analysis;
using RnnLab.Numerics;

namespace RnnLab.Tests.Analysis;

public class MatrixPowersTests
{
    [Fact]
    public void Lesson_refresher_example_sizes_after_ten_steps()
    {
        // A = V·diag(0.7, 1.2)·V⁻¹ with V = [[1, 1], [0, 1]]: "1.2^10 ≈ 6.2 ... 0.7^10 ≈ 0.028".
        double[] a = [0.7, 0.5, 0, 1.2];
        var p = MatrixPowers.Profile(a, 2, 10);
        Assert.Equal(1.2, p.SpectralRadius, 12);
        Assert.Equal(1.2, p.Eigenvalues[0].Real, 12);
        Assert.Equal(0.7, p.Eigenvalues[1].Real, 12);
        Assert.Equal(6.19, Math.Pow(10, p.Directions[0].Log10Size[10]), 2);
        Assert.Equal(0.0282, Math.Pow(10, p.Directions[1].Log10Size[10]), 4);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(8)]
    public void Eigenpairs_satisfy_Av_equals_lambda_v_and_sizes_are_k_log_lambda(int n)
    {
        var rng = new SeededRandom((ulong)n);
        double[] a = new double[n * n];
        rng.FillUniform<double>(a, -1, 1);
        var p = MatrixPowers.Profile(a, n, 40);
        foreach (var d in p.Directions)
        {
            for (int i = 0; i < n; i++)
            {
                Complex av = 0;
                for (int j = 0; j < n; j++) av += a[i * n + j] * d.Eigenvector[j];
                Assert.True((av - d.Eigenvalue * d.Eigenvector[i]).Magnitude < 1e-9, $"A·v ≠ λ·v at row {i} for λ = {d.Eigenvalue}");
            }
            // The sizes agree with A applied k times to v, for k small enough that round-off has not yet pulled v
            // into the dominant direction.
            var u = d.Eigenvector.ToArray();
            for (int k = 1; k <= 8; k++)
            {
                var next = new Complex[n];
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++) next[i] += a[i * n + j] * u[j];
                u = next;
                double size = Math.Sqrt(u.Sum(z => z.Magnitude * z.Magnitude));
                Assert.Equal(Math.Log10(size), d.Log10Size[k], 6);
            }
        }
        // Gelfand: ‖A^k‖^(1/k) → ρ; at k = 40 within a loose factor.
        double rate = Math.Pow(10, p.Log10Norm[40] / 40);
        Assert.InRange(rate, p.SpectralRadius * 0.9, p.SpectralRadius * 1.2);
    }

    [Fact]
    public void Rotation_has_complex_pair_of_unit_modulus()
    {
        double c = Math.Cos(0.3), s = Math.Sin(0.3);
        var p = MatrixPowers.Profile([c, -s, s, c], 2, 500);
        Assert.Equal(1, p.SpectralRadius, 12);
        Assert.Equal(s, Math.Abs(p.Eigenvalues[0].Imaginary), 12);
        Assert.Equal(0, p.Log10Norm[500], 9);
    }

    [Fact]
    public void Rejects_bad_input()
    {
        Assert.Throws<ArgumentException>(() => MatrixPowers.Profile([1, 2, 3], 2, 5));
        Assert.Throws<ArgumentException>(() => MatrixPowers.Profile([1, double.NaN, 0, 1], 2, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => MatrixPowers.Profile([1], 1, MatrixPowers.MaxPower + 1));
    }
}
