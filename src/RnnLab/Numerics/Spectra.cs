using System.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace RnnLab.Numerics;

/// <summary>Result of <see cref="Spectra.PowerIterationSpectralRadius"/>.</summary>
/// <param name="SpectralRadius">the estimate of max |λ|</param>
/// <param name="Iterations">matrix–vector steps taken</param>
/// <param name="Converged">false when <see cref="Spectra.PowerIterationMaxIterations"/> was hit first</param>
public readonly record struct PowerIterationResult(double SpectralRadius, int Iterations, bool Converged);

/// <summary>The spectrum of a square recurrent matrix, as reported by <c>rnnlab spectrum</c>.</summary>
/// <param name="Eigenvalues">all eigenvalues, sorted by decreasing modulus</param>
/// <param name="SingularValues">all singular values, decreasing</param>
/// <param name="SpectralRadius">max |λ|: the per-step factor of ‖A^k‖ for large k (Gelfand's formula)</param>
/// <param name="SpectralNorm">σ_max: the largest factor by which A stretches any vector in one step</param>
public sealed record SpectrumResult(Complex[] Eigenvalues, double[] SingularValues, double SpectralRadius, double SpectralNorm);

/// <summary>
/// Eigenvalues and singular values of dense matrices (MathNet.Numerics' EVD and SVD), and a power iteration for
/// the spectral radius that works without a decomposition. Matrices are flat row-major [n, n].
/// </summary>
public static class Spectra
{
    /// <summary>Iteration limit of the power iteration: enough for |λ₃|/|λ₁| = 0.99 to reach 1e-12 relative.</summary>
    public const int PowerIterationMaxIterations = 20_000;
    /// <summary>Stop when successive estimates of ρ agree to this relative tolerance (checked over a window of iterations).</summary>
    public const double PowerIterationTolerance = 1e-12;

    /// <summary>
    /// The matrix scaled to max |a_ij| = 1, and the scale. MathNet's EVD and SVD test convergence against absolute
    /// thresholds, and return wrong values for matrices whose entries are ~1e−16 (seen with products of Jacobians);
    /// scaling first makes them scale-free.
    /// </summary>
    static (Matrix<double> M, double Scale) Scaled(ReadOnlySpan<double> a, int rows, int cols)
    {
        if (a.Length != rows * cols) throw new ArgumentException($"matrix has {a.Length} values, expected [{rows}, {cols}]");
        double max = 0;
        foreach (double v in a) max = Math.Max(max, Math.Abs(v));
        double s = max > 0 ? max : 1;
        var data = new double[a.Length];
        for (int i = 0; i < data.Length; i++) data[i] = a[i] / s;
        return (Matrix<double>.Build.DenseOfRowMajor(rows, cols, data), s);
    }

    /// <summary>All eigenvalues of a [n, n], sorted by decreasing modulus.</summary>
    public static Complex[] Eigenvalues(ReadOnlySpan<double> a, int n)
    {
        var (m, s) = Scaled(a, n, n);
        var ev = m.Evd().EigenValues.ToArray();
        for (int i = 0; i < ev.Length; i++) ev[i] *= s;
        Array.Sort(ev, (p, q) => q.Magnitude.CompareTo(p.Magnitude));
        return ev;
    }

    /// <summary>Singular values of a [rows, cols] row-major, decreasing.</summary>
    public static double[] SingularValues(ReadOnlySpan<double> a, int rows, int cols)
    {
        var (m, s) = Scaled(a, rows, cols);
        var sv = m.Svd(computeVectors: false).S.ToArray();
        for (int i = 0; i < sv.Length; i++) sv[i] *= s;
        return sv;
    }

    /// <summary>max |λ| by the eigen solver.</summary>
    public static double SpectralRadius(ReadOnlySpan<double> a, int n) => n == 0 ? 0 : Eigenvalues(a, n)[0].Magnitude;

    public static SpectrumResult Analyze(ReadOnlySpan<double> a, int n)
    {
        var ev = Eigenvalues(a, n);
        var sv = SingularValues(a, n, n);
        return new SpectrumResult(ev, sv, ev.Length > 0 ? ev[0].Magnitude : 0, sv.Length > 0 ? sv[0] : 0);
    }

    /// <summary>
    /// Spectral radius by power iteration, without an eigen solver. A real matrix's dominant eigenvalue is often a
    /// complex-conjugate pair, for which A^k v rotates instead of settling; so each step fits the three latest
    /// iterates with x₂ ≈ p·x₁ + q·x₀ (least squares), whose roots of t² − p t − q are the dominant pair
    /// (Wilkinson, The Algebraic Eigenvalue Problem, 1965, §9.22–9.29). When x₀ and x₁ are parallel the dominant
    /// eigenvalue is real and x₀·x₁/x₀·x₀ is it. Converges at the rate |λ₃|/|λ₁|.
    /// </summary>
    public static PowerIterationResult PowerIterationSpectralRadius(ReadOnlySpan<double> a, int n, ulong seed = 1)
    {
        if (a.Length != n * n) throw new ArgumentException($"matrix has {a.Length} values, expected [{n}, {n}]");
        if (n == 0) return new(0, 0, true);
        var rng = new Numerics.SeededRandom(seed);
        var x0 = new double[n];
        var x1 = new double[n];
        var x2 = new double[n];
        rng.FillGaussian<double>(x0, 0, 1);
        Normalize(x0);
        MatVec(a, n, x0, x1);
        double previous = double.NaN;
        int agreeing = 0;
        for (int it = 1; it <= PowerIterationMaxIterations; it++)
        {
            MatVec(a, n, x1, x2);
            double rho = FitDominantModulus(x0, x1, x2);
            if (rho == 0) return new(0, it, true);   // A·x = 0 for a generic x: A is nilpotent along it
            // Several agreeing estimates in a row, so a momentary coincidence during rotation does not stop it.
            if (Math.Abs(rho - previous) <= PowerIterationTolerance * rho) { if (++agreeing >= 3) return new(rho, it, true); }
            else agreeing = 0;
            previous = rho;
            // Shift the window and rescale the three-term relation consistently (x₀, x₁ scaled by the same factor).
            double scale = 1.0 / Norm(x1);
            for (int i = 0; i < n; i++) { x0[i] = x1[i] * scale; x1[i] = x2[i] * scale; }
        }
        return new(previous, PowerIterationMaxIterations, false);
    }

    /// <summary>max |root| of t² − p t − q, (p, q) the least-squares fit of x₂ ≈ p x₁ + q x₀.</summary>
    static double FitDominantModulus(double[] x0, double[] x1, double[] x2)
    {
        double a00 = Dot(x0, x0), a01 = Dot(x0, x1), a11 = Dot(x1, x1), b0 = Dot(x0, x2), b1 = Dot(x1, x2);
        if (a11 == 0) return 0;
        double det = a00 * a11 - a01 * a01;
        if (det <= 1e-13 * a00 * a11)
            return Math.Abs(a01 / a00);                   // x₁ ∥ x₀: a real dominant eigenvalue x₀·x₁/x₀·x₀
        double p = (a00 * b1 - a01 * b0) / det;           // normal equations [a11 a01; a01 a00]·[p; q] = [b1; b0]
        double q = (a11 * b0 - a01 * b1) / det;
        double disc = p * p + 4 * q;
        if (disc < 0) return Math.Sqrt(-q);               // complex pair: |λ|² = λλ̄ = −q
        double s = Math.Sqrt(disc);
        return Math.Max(Math.Abs(p + s), Math.Abs(p - s)) / 2;
    }

    internal static void MatVec(ReadOnlySpan<double> a, int n, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < n; i++) y[i] = System.Numerics.Tensors.TensorPrimitives.Dot(a.Slice(i * n, n), x);
    }

    internal static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);
    internal static double Norm(ReadOnlySpan<double> a) => Math.Sqrt(Dot(a, a));
    static void Normalize(Span<double> a)
    {
        double s = 1.0 / Norm(a);
        for (int i = 0; i < a.Length; i++) a[i] *= s;
    }
}
