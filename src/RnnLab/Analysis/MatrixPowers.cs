using MathNet.Numerics.LinearAlgebra;
using Complex = System.Numerics.Complex;

namespace RnnLab.Analysis;

/// <summary>How one eigen-direction of A grows or shrinks under A^k.</summary>
/// <param name="Eigenvalue">λ</param>
/// <param name="Eigenvector">v, unit length (complex for a complex λ)</param>
/// <param name="Log10Size">log₁₀ ‖A^k v‖ = k·log₁₀|λ| for k = 0..K (A^k v = λ^k v)</param>
public sealed record EigenDirectionPowers(Complex Eigenvalue, Complex[] Eigenvector, double[] Log10Size);

/// <summary>The powers A^0..A^K of a small square matrix, seen through its eigen-directions.</summary>
/// <param name="Eigenvalues">all eigenvalues, sorted by decreasing modulus</param>
/// <param name="SpectralRadius">max |λ|</param>
/// <param name="Directions">one entry per eigenvalue, in the same order</param>
/// <param name="Log10Norm">log₁₀ ‖A^k‖₂ for k = 0..K, measured from the powers themselves</param>
public sealed record MatrixPowerProfile(Complex[] Eigenvalues, double SpectralRadius, EigenDirectionPowers[] Directions, double[] Log10Norm);

/// <summary>
/// The refresher on eigenvalues and matrix powers, for any small matrix: A v = λ v gives A^k v = λ^k v, so the
/// size of each eigen-direction after k steps is |λ|^k, and ‖A^k‖ is dominated by the spectral radius to the k-th
/// power (Gelfand's formula). The direction sizes use the identity (applying A repeatedly to a non-dominant
/// eigenvector would drift into the dominant direction through round-off, as power iteration does on purpose);
/// ‖A^k‖₂ is measured from the powers themselves, renormalised each step and accumulated as log₁₀ so that large k
/// neither overflows nor underflows. Eigen-decomposition: MathNet.Numerics.
/// </summary>
public static class MatrixPowers
{
    /// <summary>Largest matrix this refresher accepts: it is for hand-sized examples, not for W_hh.</summary>
    public const int MaxSize = 8;
    /// <summary>Largest power K.</summary>
    public const int MaxPower = 1000;

    /// <summary>Eigen-directions of a [n, n] (row-major) and their sizes under A^k for k = 0..maxPower.</summary>
    public static MatrixPowerProfile Profile(ReadOnlySpan<double> a, int n, int maxPower)
    {
        if (n < 1 || n > MaxSize) throw new ArgumentOutOfRangeException(nameof(n), $"matrix size must be 1..{MaxSize}, got {n}");
        if (a.Length != n * n) throw new ArgumentException($"matrix has {a.Length} values, expected [{n}, {n}]");
        if (maxPower < 0 || maxPower > MaxPower) throw new ArgumentOutOfRangeException(nameof(maxPower), $"largest power must be 0..{MaxPower}, got {maxPower}");
        foreach (double v in a)
            if (!double.IsFinite(v)) throw new ArgumentException("matrix entries must be finite numbers");

        var real = Matrix<double>.Build.DenseOfRowMajor(n, n, a.ToArray());
        var evd = real.ToComplex().Evd();
        int[] order = Enumerable.Range(0, n).OrderByDescending(i => evd.EigenValues[i].Magnitude).ToArray();

        var directions = new EigenDirectionPowers[n];
        for (int d = 0; d < n; d++)
        {
            int i = order[d];
            var v = evd.EigenVectors.Column(i);
            v = v.Divide(v.L2Norm());
            directions[d] = new EigenDirectionPowers(evd.EigenValues[i], v.ToArray(), Log10Sizes(evd.EigenValues[i], maxPower));
        }
        var eigenvalues = directions.Select(x => x.Eigenvalue).ToArray();
        return new MatrixPowerProfile(eigenvalues, eigenvalues[0].Magnitude, directions, Log10Norms(real, maxPower));
    }

    /// <summary>log₁₀ |λ|^k for k = 0..K (−∞ for λ = 0 and k &gt; 0).</summary>
    static double[] Log10Sizes(Complex lambda, int maxPower)
    {
        double perStep = Math.Log10(lambda.Magnitude);
        var sizes = new double[maxPower + 1];
        for (int k = 1; k <= maxPower; k++) sizes[k] = k * perStep;
        return sizes;
    }

    /// <summary>log₁₀ ‖A^k‖₂ for k = 0..K: P ← A·P, then divide by ‖P‖₂ and add its log.</summary>
    static double[] Log10Norms(Matrix<double> a, int maxPower)
    {
        var norms = new double[maxPower + 1];
        var p = Matrix<double>.Build.DenseIdentity(a.RowCount);
        double log = 0;
        for (int k = 1; k <= maxPower; k++)
        {
            p = a * p;
            double s = p.L2Norm();
            if (s == 0) { for (; k <= maxPower; k++) norms[k] = double.NegativeInfinity; break; }
            log += Math.Log10(s);
            p = p.Divide(s);
            norms[k] = log;
        }
        return norms;
    }
}
