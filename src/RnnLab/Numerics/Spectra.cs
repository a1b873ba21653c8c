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

/// <summary>Which implementation computes the decompositions: the system LAPACK, or MathNet.Numerics' managed code.</summary>
public enum SpectralSolver { Lapack, Managed }

/// <summary>
/// Eigenvalues and singular values of dense matrices, and a power iteration for the spectral radius that works
/// without a decomposition. The decompositions run in the system LAPACK (<see cref="NativeLapack"/>: dgeev, dgesdd)
/// where it can be loaded, else in MathNet.Numerics' managed EVD and SVD (ten to a hundred times slower from
/// H ≈ 500); <see cref="Solver"/> says which. Matrices are flat row-major [n, n].
/// </summary>
public static class Spectra
{
    /// <summary>Iteration limit of the power iteration: enough for |λ₃|/|λ₁| = 0.99 to reach 1e-12 relative.</summary>
    public const int PowerIterationMaxIterations = 20_000;
    /// <summary>Stop when successive estimates of ρ agree to this relative tolerance (checked over a window of iterations).</summary>
    public const double PowerIterationTolerance = 1e-12;

    /// <summary>The solver every decomposition here uses: LAPACK when the library loads, else the managed one.</summary>
    public static SpectralSolver Solver { get; } = NativeLapack.Instance is null ? SpectralSolver.Managed : SpectralSolver.Lapack;

    /// <summary><see cref="Solver"/> as the JSON and the messages name it: "lapack" or "managed".</summary>
    public static string SolverName(SpectralSolver solver) => solver == SpectralSolver.Lapack ? "lapack" : "managed";

    /// <summary>
    /// Doubles a decomposition of an [n, n] matrix holds besides its input and results, for the memory plan.
    /// LAPACK: the copy of the input each routine overwrites (one may still be live when the next is made, so two)
    /// and the larger workspace its query asks for: dgeev's n·(nb + 2), dgesdd's (jobz = 'N', through dgebrd)
    /// 3n + 2n·nb, nb the block size (32 in OpenBLAS 0.3.21: 34n and 67n), bounded here with nb ≤ 64.
    /// Managed: the copy, its Hessenberg form and eigenvectors (the managed EVD always forms them) and the SVD's
    /// bidiagonal work, with headroom: 8 n².
    /// </summary>
    public static double WorkingElements(SpectralSolver solver, double n) =>
        solver == SpectralSolver.Lapack ? 2 * n * n + n * (3 + 2 * LapackBlockSizeBound) : 8 * n * n;

    /// <summary>The largest block size nb LAPACK's ilaenv is taken to pick for dgehrd and dgebrd (both reference LAPACK and OpenBLAS pick 32).</summary>
    internal const int LapackBlockSizeBound = 64;

    /// <summary>
    /// A copy of the row-major [rows, cols] <paramref name="a"/> scaled to max |a_ij| = 1, and the scale. MathNet's
    /// EVD and SVD test convergence against absolute thresholds, and return wrong values for matrices whose entries
    /// are ~1e−16 (seen with products of Jacobians); scaling first makes them scale-free. LAPACK scales by itself,
    /// but overwrites its input, so it needs the copy too; the power iteration squares the copy into A's powers. Null when an entry is NaN or infinite: such a matrix has
    /// no spectrum, and the decompositions answer NaN instead of iterating on it.
    /// </summary>
    static double[]? ScaledCopy(ReadOnlySpan<double> a, int rows, int cols, out double scale)
    {
        if (a.Length != rows * cols) throw new ArgumentException($"matrix has {a.Length} values, expected [{rows}, {cols}]");
        double max = 0;
        foreach (double v in a)
        {
            if (!double.IsFinite(v)) { scale = double.NaN; return null; }
            max = Math.Max(max, Math.Abs(v));
        }
        scale = max > 0 ? max : 1;
        var data = new double[a.Length];
        System.Numerics.Tensors.TensorPrimitives.Divide(a, scale, data);
        return data;
    }

    /// <summary>All eigenvalues of a [n, n], sorted by decreasing modulus.</summary>
    public static Complex[] Eigenvalues(ReadOnlySpan<double> a, int n) => Eigenvalues(a, n, Solver);

    /// <summary>All eigenvalues of a [n, n] by <paramref name="solver"/>, sorted by decreasing modulus.</summary>
    internal static Complex[] Eigenvalues(ReadOnlySpan<double> a, int n, SpectralSolver solver)
    {
        var m = ScaledCopy(a, n, n, out double s);
        var ev = new Complex[n];
        if (n == 0) return ev;
        if (m is null) { Array.Fill(ev, new Complex(double.NaN, double.NaN)); return ev; }
        if (solver == SpectralSolver.Lapack)
        {
            // Row-major A is column-major Aᵀ, and Aᵀ has A's eigenvalues: no transpose needed.
            var wr = new double[n];
            var wi = new double[n];
            Lapack.Eigenvalues(m, n, wr, wi);
            for (int i = 0; i < n; i++) ev[i] = new Complex(wr[i], wi[i]);
        }
        else ev = Matrix<double>.Build.DenseOfRowMajor(n, n, m).Evd().EigenValues.ToArray();
        for (int i = 0; i < ev.Length; i++) ev[i] *= s;
        Array.Sort(ev, (p, q) => q.Magnitude.CompareTo(p.Magnitude));
        return ev;
    }

    /// <summary>Singular values of a [rows, cols] row-major, decreasing.</summary>
    public static double[] SingularValues(ReadOnlySpan<double> a, int rows, int cols) => SingularValues(a, rows, cols, Solver);

    /// <summary>Singular values of a [rows, cols] row-major by <paramref name="solver"/>, decreasing.</summary>
    internal static double[] SingularValues(ReadOnlySpan<double> a, int rows, int cols, SpectralSolver solver)
    {
        var m = ScaledCopy(a, rows, cols, out double s);
        var sv = new double[Math.Min(rows, cols)];
        if (sv.Length == 0) return sv;
        if (m is null) { Array.Fill(sv, double.NaN); return sv; }
        // Row-major [rows, cols] A is column-major [cols, rows] Aᵀ, which has A's singular values.
        if (solver == SpectralSolver.Lapack) Lapack.SingularValues(m, cols, rows, sv);
        else sv = Matrix<double>.Build.DenseOfRowMajor(rows, cols, m).Svd(computeVectors: false).S.ToArray();
        for (int i = 0; i < sv.Length; i++) sv[i] *= s;
        return sv;
    }

    static NativeLapack Lapack => NativeLapack.Instance ?? throw new InvalidOperationException($"{NativeLapack.LibraryName} is not loaded here");

    /// <summary>max |λ| by the eigen solver.</summary>
    public static double SpectralRadius(ReadOnlySpan<double> a, int n) => n == 0 ? 0 : Eigenvalues(a, n)[0].Magnitude;

    /// <summary>
    /// Eigenvalues, singular values, spectral radius and norm of a [n, n], by <see cref="Solver"/>;
    /// <paramref name="phase"/> hears "eigenvalues" and "singular values" as each starts (seconds each at n = 2000).
    /// </summary>
    public static SpectrumResult Analyze(ReadOnlySpan<double> a, int n, Action<string>? phase = null)
    {
        phase?.Invoke("eigenvalues");
        var ev = Eigenvalues(a, n);
        phase?.Invoke("singular values");
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
    /// <remarks>
    /// From <see cref="PowerOfMatrixFromOrder"/> on the iteration runs on B = (A/s)^8 (s = max |a_ij|, so B's
    /// entries are at most n^8 and cannot overflow) formed by three squarings, and returns s·ρ(B)^(1/8): the same convergence per pass
    /// over an [n, n] matrix in an eighth of the passes. Each pass is a memory-bound matrix–vector product over
    /// megabytes, while the three squarings are compute-bound GEMMs; at n = 2000 the passes were the verb's cost.
    /// <see cref="PowerIterationResult.Iterations"/> counts the steps on the matrix iterated.
    /// </remarks>
    public static PowerIterationResult PowerIterationSpectralRadius(ReadOnlySpan<double> a, int n, ulong seed = 1)
    {
        if (a.Length != n * n) throw new ArgumentException($"matrix has {a.Length} values, expected [{n}, {n}]");
        if (n == 0) return new(0, 0, true);
        if (n < PowerOfMatrixFromOrder || ScaledCopy(a, n, n, out double s) is not { } power) return Iterate(a, n, seed);
        var square = new double[n * n];
        for (int k = 0; k < PowerSquarings; k++)
        {
            Gemm.Multiply<double>(Op.N, Op.N, n, n, n, power, power, square, accumulate: false);
            (power, square) = (square, power);
        }
        var r = Iterate(power, n, seed);
        return r with { SpectralRadius = s * Math.Pow(r.SpectralRadius, 1.0 / (1 << PowerSquarings)) };
    }

    /// <summary>Doubles <see cref="PowerIterationSpectralRadius"/> allocates for an [n, n] matrix: the power and a square, from <see cref="PowerOfMatrixFromOrder"/> on.</summary>
    public static double PowerIterationElements(double n) => n >= PowerOfMatrixFromOrder ? 2 * n * n : 0;

    /// <summary>From this n on, <see cref="PowerIterationSpectralRadius"/> iterates on (A/s)^8 instead of A.</summary>
    internal const int PowerOfMatrixFromOrder = 512;
    const int PowerSquarings = 3;

    /// <summary>The three-term power iteration itself, on whichever matrix <see cref="PowerIterationSpectralRadius"/> chose.</summary>
    static PowerIterationResult Iterate(ReadOnlySpan<double> a, int n, ulong seed)
    {
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

    /// <summary>From this n on, <see cref="MatVec"/> splits its rows over <see cref="Parallelism.Threads"/>: a pass over A [n, n] then reads megabytes.</summary>
    internal const int ParallelMatVecFromOrder = 256;

    /// <summary>
    /// y = A·x for A [n, n] row-major, x and y [n]. Each y_i is one dot product of row i, whichever thread computes
    /// it, so the result does not depend on the thread count.
    /// </summary>
    internal static unsafe void MatVec(ReadOnlySpan<double> a, int n, ReadOnlySpan<double> x, Span<double> y)
    {
        int parts = n < ParallelMatVecFromOrder ? 1 : Math.Min(Parallelism.Threads, n);
        fixed (double* pa = a, px = x, py = y)
        {
            var job = new MatVecJob { A = pa, X = px, Y = py, N = n, RowsPerPart = (n + parts - 1) / parts };
            if (parts == 1) MatVecRows(0, &job);
            else Parallelism.For(parts, &MatVecRows, &job);
        }
    }

    unsafe struct MatVecJob
    {
        public double* A, X, Y;
        public int N, RowsPerPart;
    }

    /// <summary>Rows part·RowsPerPart .. of y = A·x.</summary>
    static unsafe void MatVecRows(int part, void* state)
    {
        var job = (MatVecJob*)state;
        int n = job->N, end = Math.Min(n, (part + 1) * job->RowsPerPart);
        var x = new ReadOnlySpan<double>(job->X, n);
        for (int i = part * job->RowsPerPart; i < end; i++)
            job->Y[i] = System.Numerics.Tensors.TensorPrimitives.Dot(new ReadOnlySpan<double>(job->A + (long)i * n, n), x);
    }

    internal static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);
    internal static double Norm(ReadOnlySpan<double> a) => Math.Sqrt(Dot(a, a));
    static void Normalize(Span<double> a)
    {
        double s = 1.0 / Norm(a);
        for (int i = 0; i < a.Length; i++) a[i] *= s;
    }
}
