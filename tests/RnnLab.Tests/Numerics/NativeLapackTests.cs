using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using RnnLab.Numerics;

namespace RnnLab.Tests.Numerics;

/// <summary>
/// The system LAPACK (dgeev, dgesdd) against the managed solver and against matrices whose spectra are known.
/// Where liblapack.so.3 cannot be loaded, the LAPACK cases are reported skipped, not passed.
/// </summary>
public class NativeLapackTests
{
    static readonly string NoLapack = $"{NativeLapack.LibraryName} cannot be loaded here (Debian: apt-get install liblapack3); the managed solver is used";

    static void SkipUnlessLapack() => Skip.If(NativeLapack.Instance is null, NoLapack);

    static void SkipUnlessRuns(SpectralSolver solver)
    {
        if (solver == SpectralSolver.Lapack) SkipUnlessLapack();
    }

    static double[] Gaussian(int n, ulong seed)
    {
        var a = new double[n * n];
        new SeededRandom(seed).FillGaussian<double>(a, 0, 1 / Math.Sqrt(n));
        return a;
    }

    [SkippableFact]
    public void Loads_where_the_system_has_it()
    {
        bool present = new[] { "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib" }.Any(d => File.Exists(Path.Combine(d, NativeLapack.LibraryName)));
        Skip.IfNot(present, NoLapack);
        Assert.NotNull(NativeLapack.Instance);
        Assert.Equal(SpectralSolver.Lapack, Spectra.Solver);
    }

    [Fact]
    public void A_missing_library_is_no_solver()
    {
        Assert.Null(NativeLapack.TryLoad("librnnlab-no-such-lapack.so.3"));
        Assert.Equal(NativeLapack.Instance is null ? SpectralSolver.Managed : SpectralSolver.Lapack, Spectra.Solver);
    }

    /// <summary>The orders n both solvers are compared at: the tolerances below are argued for n ≤ 200.</summary>
    public static TheoryData<int> Orders => new() { 1, 2, 7, 50, 200 };

    /// <summary>
    /// Singular values: both solvers are backward stable, so each σ_i is off by at most ‖δA‖₂ ≈ p(n)·ε·σ_max (Weyl);
    /// for n ≤ 200 that is below 1e-13·σ_max, so 1e-12·σ_max separates rounding from a wrong value. On a
    /// well-conditioned matrix (σ_max/σ_min ≤ 4: 2I plus a quarter-norm perturbation) the same bound is relative 1e-12.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Orders))]
    public void Singular_values_equal_the_managed_solvers(int n)
    {
        SkipUnlessLapack();
        for (ulong seed = 1; seed <= 2; seed++)
        {
            var a = Gaussian(n, 1000 * seed + (ulong)n);
            var lapack = Spectra.SingularValues(a, n, n, SpectralSolver.Lapack);
            var managed = Spectra.SingularValues(a, n, n, SpectralSolver.Managed);
            Assert.Equal(n, lapack.Length);
            for (int i = 0; i < n; i++)
                Assert.True(Math.Abs(lapack[i] - managed[i]) <= 1e-12 * managed[0], $"n={n} seed={seed}: σ[{i}] {lapack[i]:R} (LAPACK) vs {managed[i]:R} (managed)");
            var conditioned = a.Select((v, k) => v / 4 + (k / n == k % n ? 2.0 : 0.0)).ToArray();
            lapack = Spectra.SingularValues(conditioned, n, n, SpectralSolver.Lapack);
            managed = Spectra.SingularValues(conditioned, n, n, SpectralSolver.Managed);
            Assert.True(managed[0] / managed[^1] <= 4, $"n={n}: condition number {managed[0] / managed[^1]}");
            for (int i = 0; i < n; i++)
                Assert.True(Math.Abs(lapack[i] - managed[i]) <= 1e-12 * managed[i], $"n={n} seed={seed}, well-conditioned: σ[{i}] {lapack[i]:R} vs {managed[i]:R}");
        }
    }

    [SkippableFact]
    public void Singular_values_of_a_rectangular_matrix_equal_the_managed_solvers()
    {
        SkipUnlessLapack();
        foreach (var (rows, cols) in new[] { (3, 8), (8, 3), (1, 5) })
        {
            var a = new double[rows * cols];
            new SeededRandom(7).FillGaussian<double>(a, 0, 1);
            var lapack = Spectra.SingularValues(a, rows, cols, SpectralSolver.Lapack);
            var managed = Spectra.SingularValues(a, rows, cols, SpectralSolver.Managed);
            Assert.Equal(Math.Min(rows, cols), lapack.Length);
            for (int i = 0; i < lapack.Length; i++)
                Assert.True(Math.Abs(lapack[i] - managed[i]) <= 1e-12 * managed[0], $"[{rows}, {cols}]: σ[{i}] {lapack[i]:R} vs {managed[i]:R}");
        }
    }

    /// <summary>
    /// Eigenvalues, as multisets: each LAPACK eigenvalue is matched to the nearest unmatched managed one. A simple
    /// eigenvalue moves by about κ(λ)·‖δA‖₂ under a backward error δA; for these Gaussian matrices κ(λ) stays below
    /// ~10³, so 1e-10·‖A‖₂ is far above rounding and far below the spacing of the eigenvalues (~1/√n).
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Orders))]
    public void Eigenvalues_equal_the_managed_solvers_as_multisets(int n)
    {
        SkipUnlessLapack();
        for (ulong seed = 1; seed <= 2; seed++)
        {
            var a = Gaussian(n, 2000 * seed + (ulong)n);
            var lapack = Spectra.Eigenvalues(a, n, SpectralSolver.Lapack);
            var managed = Spectra.Eigenvalues(a, n, SpectralSolver.Managed).ToList();
            double tolerance = 1e-10 * Spectra.SingularValues(a, n, n)[0];
            Assert.Equal(n, lapack.Length);
            foreach (var l in lapack)
            {
                int nearest = Enumerable.Range(0, managed.Count).MinBy(j => Complex.Abs(managed[j] - l));
                Assert.True(Complex.Abs(managed[nearest] - l) <= tolerance, $"n={n} seed={seed}: LAPACK's {l} is {Complex.Abs(managed[nearest] - l):e2} from the nearest managed eigenvalue {managed[nearest]}");
                managed.RemoveAt(nearest);
            }
            // A real matrix's complex eigenvalues come in conjugate pairs, and dgeev returns them exactly conjugate.
            foreach (var l in lapack.Where(l => l.Imaginary != 0))
                Assert.Contains(Complex.Conjugate(l), lapack);
            for (int i = 1; i < n; i++) Assert.True(lapack[i - 1].Magnitude >= lapack[i].Magnitude, $"n={n}: not sorted by modulus at {i}");
        }
    }

    [SkippableTheory]
    [InlineData(SpectralSolver.Lapack)]
    [InlineData(SpectralSolver.Managed)]
    public void A_rotation_has_eigenvalues_e_to_the_plus_minus_i_theta(SpectralSolver solver)
    {
        SkipUnlessRuns(solver);
        double theta = 0.3;
        double[] r = [Math.Cos(theta), -Math.Sin(theta), Math.Sin(theta), Math.Cos(theta)];
        var ev = Spectra.Eigenvalues(r, 2, solver).OrderBy(l => l.Imaginary).ToArray();
        Assert.True(Complex.Abs(ev[0] - Complex.FromPolarCoordinates(1, -theta)) < 1e-14, $"{ev[0]}");
        Assert.True(Complex.Abs(ev[1] - Complex.FromPolarCoordinates(1, theta)) < 1e-14, $"{ev[1]}");
        foreach (double s in Spectra.SingularValues(r, 2, 2, solver)) Assert.True(Math.Abs(s - 1) < 1e-14, $"σ = {s:R}");
    }

    [SkippableTheory]
    [InlineData(SpectralSolver.Lapack)]
    [InlineData(SpectralSolver.Managed)]
    public void A_diagonal_matrix_has_its_diagonal_as_eigenvalues_and_its_moduli_as_singular_values(SpectralSolver solver)
    {
        SkipUnlessRuns(solver);
        double[] d = [3, -1, 0.5, 2, -4];
        int n = d.Length;
        var a = new double[n * n];
        for (int i = 0; i < n; i++) a[i * n + i] = d[i];
        var ev = Spectra.Eigenvalues(a, n, solver);
        var sv = Spectra.SingularValues(a, n, n, solver);
        double[] byModulus = [.. d.OrderByDescending(Math.Abs)];
        for (int i = 0; i < n; i++)
        {
            Assert.True(Complex.Abs(ev[i] - byModulus[i]) <= 1e-15 * Math.Abs(byModulus[i]), $"λ[{i}] = {ev[i]}, expected {byModulus[i]}");
            Assert.True(Math.Abs(sv[i] - Math.Abs(byModulus[i])) <= 1e-15 * Math.Abs(byModulus[i]), $"σ[{i}] = {sv[i]:R}, expected {Math.Abs(byModulus[i])}");
        }
    }

    /// <summary>Q of a QR factorisation is orthogonal: every |λ| = 1 and every σ = 1, to rounding (Q's own is ~n·ε).</summary>
    [SkippableTheory]
    [InlineData(SpectralSolver.Lapack, 1)]
    [InlineData(SpectralSolver.Lapack, 51)]
    [InlineData(SpectralSolver.Managed, 51)]
    public void An_orthogonal_matrix_has_every_eigenvalue_on_the_unit_circle_and_every_singular_value_one(SpectralSolver solver, int n)
    {
        SkipUnlessRuns(solver);
        var q = Matrix<double>.Build.DenseOfRowMajor(n, n, Gaussian(n, 5)).QR().Q;
        var a = q.ToRowMajorArray();
        foreach (var l in Spectra.Eigenvalues(a, n, solver)) Assert.True(Math.Abs(l.Magnitude - 1) < 1e-12, $"|{l}| = {l.Magnitude:R}");
        foreach (double s in Spectra.SingularValues(a, n, n, solver)) Assert.True(Math.Abs(s - 1) < 1e-12, $"σ = {s:R}");
    }

    [SkippableTheory]
    [InlineData(SpectralSolver.Lapack)]
    [InlineData(SpectralSolver.Managed)]
    public void A_matrix_with_a_non_finite_entry_has_a_NaN_spectrum(SpectralSolver solver)
    {
        SkipUnlessRuns(solver);
        foreach (double bad in new[] { double.NaN, double.PositiveInfinity })
        {
            double[] a = [1, 2, bad, 4];
            Assert.All(Spectra.Eigenvalues(a, 2, solver), l => Assert.True(double.IsNaN(l.Real) && double.IsNaN(l.Imaginary)));
            Assert.All(Spectra.SingularValues(a, 2, 2, solver), s => Assert.True(double.IsNaN(s)));
        }
    }

    [SkippableTheory]
    [InlineData(SpectralSolver.Lapack)]
    [InlineData(SpectralSolver.Managed)]
    public void An_empty_matrix_has_an_empty_spectrum(SpectralSolver solver)
    {
        SkipUnlessRuns(solver);
        Assert.Empty(Spectra.Eigenvalues([], 0, solver));
        Assert.Empty(Spectra.SingularValues([], 0, 0, solver));
    }

    /// <summary>The memory plan's estimate holds both copies of the input and the larger workspace LAPACK asks for.</summary>
    [SkippableTheory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(200)]
    [InlineData(2000)]
    public void The_memory_plan_covers_the_workspace_LAPACK_asks_for(int n)
    {
        SkipUnlessLapack();
        var (eigen, singular) = NativeLapack.Instance!.WorkspaceLengths(n);
        double planned = Spectra.WorkingElements(SpectralSolver.Lapack, n);
        Assert.True(2.0 * n * n + Math.Max(eigen, singular) <= planned, $"n={n}: dgeev asks {eigen}, dgesdd {singular} doubles; planned {planned} in all");
    }
}
