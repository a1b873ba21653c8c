using MathNet.Numerics.LinearAlgebra;

namespace RnnLab.Lesson;

/// <summary>One row of the refresher example: A^k applied to x₀ = v₁ + v₂, split along the two eigenvectors.</summary>
/// <param name="K">the power k</param>
/// <param name="CoefficientSmall">coefficient of A^k x₀ along the 0.7-eigenvector (measured by solving V c = A^k x₀)</param>
/// <param name="CoefficientLarge">coefficient along the 1.2-eigenvector</param>
/// <param name="SpectralNorm">‖A^k‖₂ (SVD)</param>
public sealed record EigenDirectionRow(int K, double CoefficientSmall, double CoefficientLarge, double SpectralNorm);

/// <summary>
/// The lesson's refresher: "If A has eigenvalues 0.7 and 1.2, then A^10 is dominated by 1.2^10 ≈ 6.2 in the
/// 1.2-eigenvector direction, while the 0.7-eigenvector direction has shrunk to 0.7^10 ≈ 0.028."
/// A is built as V·diag(0.7, 1.2)·V⁻¹ with non-orthogonal eigenvectors v₁ = (1, 0), v₂ = (1, 1), so the example
/// is not merely a diagonal matrix; the coefficients are measured from explicit matrix powers.
/// </summary>
public static class RefresherExample
{
    public const double SmallEigenvalue = 0.7;
    public const double LargeEigenvalue = 1.2;

    /// <summary>A = V·diag(0.7, 1.2)·V⁻¹ with V = [[1, 1], [0, 1]], row-major [2, 2].</summary>
    public static double[] Matrix()
    {
        // V = [[1,1],[0,1]], V⁻¹ = [[1,−1],[0,1]]; A = V·D·V⁻¹ = [[0.7, 1.2 − 0.7], [0, 1.2]]
        return [SmallEigenvalue, LargeEigenvalue - SmallEigenvalue, 0, LargeEigenvalue];
    }

    public static EigenDirectionRow[] Rows(IEnumerable<int> powers)
    {
        var a = Matrix<double>.Build.DenseOfRowMajor(2, 2, Matrix());
        var v = Matrix<double>.Build.DenseOfRowMajor(2, 2, [1.0, 1.0, 0.0, 1.0]);
        var x0 = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense([2.0, 1.0]);   // v₁ + v₂
        var rows = new List<EigenDirectionRow>();
        foreach (int k in powers)
        {
            var ak = a.Power(k);
            var c = v.Solve(ak * x0);
            rows.Add(new EigenDirectionRow(k, c[0], c[1], ak.L2Norm()));
        }
        return rows.ToArray();
    }
}
