using RnnLab.Analysis;

namespace RnnLab.Lesson;

/// <summary>One row of the refresher example: what A^k does to each eigen-direction, and ‖A^k‖₂.</summary>
/// <param name="K">the power k</param>
/// <param name="CoefficientSmall">size of A^k v along the 0.7-eigenvector v: 0.7^k (unit v; for x₀ = v₁ + v₂, its coefficient)</param>
/// <param name="CoefficientLarge">the same along the 1.2-eigenvector: 1.2^k</param>
/// <param name="SpectralNorm">‖A^k‖₂, measured from the powers themselves</param>
public sealed record EigenDirectionRow(int K, double CoefficientSmall, double CoefficientLarge, double SpectralNorm);

/// <summary>
/// The lesson's refresher: "If A has eigenvalues 0.7 and 1.2, then A^10 is dominated by 1.2^10 ≈ 6.2 in the
/// 1.2-eigenvector direction, while the 0.7-eigenvector direction has shrunk to 0.7^10 ≈ 0.028."
/// A is built as V·diag(0.7, 1.2)·V⁻¹ with non-orthogonal eigenvectors v₁ = (1, 0), v₂ = (1, 1), so the example
/// is not merely a diagonal matrix. Its numbers are <see cref="MatrixPowers.Profile"/>'s, the function the web
/// page's refresher calls for any matrix: <c>rnnlab spectrum --refresher</c>, the page and the lesson report agree.
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

    /// <summary>The rows for the given powers k ≥ 0, read off one <see cref="MatrixPowers.Profile"/> up to the largest.</summary>
    public static EigenDirectionRow[] Rows(IReadOnlyCollection<int> powers)
    {
        var profile = MatrixPowers.Profile(Matrix(), 2, powers.Count == 0 ? 0 : powers.Max());
        // Directions come by decreasing |λ|: [0] is the 1.2-direction, [1] the 0.7-direction.
        var large = profile.Directions[0].Log10Size;
        var small = profile.Directions[1].Log10Size;
        return [.. powers.Select(k => new EigenDirectionRow(k, Math.Pow(10, small[k]), Math.Pow(10, large[k]), Math.Pow(10, profile.Log10Norm[k])))];
    }
}
