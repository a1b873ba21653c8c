using MathNet.Numerics.LinearAlgebra;
using RnnLab.Lesson;
using RnnLab.Numerics;

namespace RnnLab.Tests.Lesson;

public class RefresherExampleTests
{
    [Fact]
    public void Rows_are_what_explicit_matrix_powers_give()
    {
        // Computed another way: A^k from repeated products, x₀ = v₁ + v₂ split along V by solving V c = A^k x₀, and
        // ‖A^k‖₂ by MathNet's SVD; the rows come from MatrixPowers' identities A^k v = λ^k v and renormalised products.
        var a = Matrix<double>.Build.DenseOfRowMajor(2, 2, RefresherExample.Matrix());
        var v = Matrix<double>.Build.DenseOfRowMajor(2, 2, [1.0, 1.0, 0.0, 1.0]);
        var x0 = Vector<double>.Build.Dense([2.0, 1.0]);
        int[] powers = [0, 1, 2, 5, 10, 20, 30];
        var rows = RefresherExample.Rows(powers);
        Assert.Equal(powers, rows.Select(r => r.K));
        foreach (var row in rows)
        {
            var ak = a.Power(row.K);
            var c = v.Solve(ak * x0);
            Assert.Equal(c[0], row.CoefficientSmall, 1e-12 * Math.Max(1, c[0]));
            Assert.Equal(c[1], row.CoefficientLarge, 1e-12 * Math.Max(1, c[1]));
            Assert.Equal(ak.L2Norm(), row.SpectralNorm, 1e-12 * ak.L2Norm());
        }
    }

    [Fact]
    public void The_lesson_numbers_at_k_10()
    {
        var ev = Spectra.Eigenvalues(RefresherExample.Matrix(), 2);
        Assert.Equal(1.2, ev[0].Real, 12);
        Assert.Equal(0.7, ev[1].Real, 12);
        var k10 = RefresherExample.Rows([10]).Single();
        Assert.Equal("6.2", k10.CoefficientLarge.ToString("F1", System.Globalization.CultureInfo.InvariantCulture));   // lesson: 1.2^10 ≈ 6.2
        Assert.Equal("0.028", k10.CoefficientSmall.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)); // lesson: 0.7^10 ≈ 0.028
    }
}
