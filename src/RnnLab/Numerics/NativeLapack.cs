using System.Runtime.InteropServices;

namespace RnnLab.Numerics;

/// <summary>
/// The system LAPACK (<c>liblapack.so.3</c>: Debian's <c>liblapack3</c>, or OpenBLAS's build of it) for the two
/// decompositions <see cref="Spectra"/> needs: eigenvalues by <c>dgeev</c> (Hessenberg QR, no eigenvectors) and
/// singular values by <c>dgesdd</c> with jobz = 'N'. Matrices are column-major, as Fortran reads them. Loaded once;
/// <see cref="Instance"/> is null when the library or its symbols are missing, and <see cref="Spectra"/> then uses
/// the managed solver.
/// </summary>
internal sealed unsafe class NativeLapack
{
    /// <summary>The library's soname, as the dynamic loader finds it.</summary>
    public const string LibraryName = "liblapack.so.3";

    // Fortran passes every argument by reference; gfortran appends one length per CHARACTER argument (size_t, by value).
    // dgeev(jobvl, jobvr, n, a, lda, wr, wi, vl, ldvl, vr, ldvr, work, lwork, info, len(jobvl), len(jobvr))
    readonly delegate* unmanaged<byte*, byte*, int*, double*, int*, double*, double*, double*, int*, double*, int*, double*, int*, int*, nint, nint, void> dgeev;
    // dgesdd(jobz, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, iwork, info, len(jobz))
    readonly delegate* unmanaged<byte*, int*, int*, double*, int*, double*, double*, int*, double*, int*, double*, int*, int*, int*, nint, void> dgesdd;

    NativeLapack(nint dgeev, nint dgesdd)
    {
        this.dgeev = (delegate* unmanaged<byte*, byte*, int*, double*, int*, double*, double*, double*, int*, double*, int*, double*, int*, int*, nint, nint, void>)dgeev;
        this.dgesdd = (delegate* unmanaged<byte*, int*, int*, double*, int*, double*, double*, int*, double*, int*, double*, int*, int*, int*, nint, void>)dgesdd;
    }

    /// <summary>The system LAPACK, or null when it cannot be loaded here.</summary>
    public static NativeLapack? Instance { get; } = TryLoad(LibraryName);

    /// <summary>LAPACK from <paramref name="library"/> (a soname or a path), or null when it or dgeev_/dgesdd_ is missing.</summary>
    internal static NativeLapack? TryLoad(string library)
    {
        if (!NativeLibrary.TryLoad(library, typeof(NativeLapack).Assembly, null, out nint handle)) return null;
        if (NativeLibrary.TryGetExport(handle, "dgeev_", out nint geev) && NativeLibrary.TryGetExport(handle, "dgesdd_", out nint gesdd))
            return new NativeLapack(geev, gesdd);
        NativeLibrary.Free(handle);
        return null;
    }

    /// <summary>
    /// All eigenvalues of the column-major [n, n] <paramref name="a"/> (overwritten) into <paramref name="wr"/> and
    /// <paramref name="wi"/> [n]: real and imaginary parts, complex-conjugate pairs adjacent with the positive
    /// imaginary part first (LAPACK's order, unsorted).
    /// </summary>
    public void Eigenvalues(Span<double> a, int n, Span<double> wr, Span<double> wi)
    {
        if (a.Length != n * n || wr.Length != n || wi.Length != n) throw new ArgumentException($"dgeev needs [{n}, {n}] and two [{n}], got {a.Length}, {wr.Length}, {wi.Length} values");
        if (n == 0) return;
        var work = new double[Geev(a, n, wr, wi, null)];
        Geev(a, n, wr, wi, work);
    }

    /// <summary>The min(m, n) singular values of the column-major [m, n] <paramref name="a"/> (overwritten), decreasing.</summary>
    public void SingularValues(Span<double> a, int m, int n, Span<double> s)
    {
        int k = Math.Min(m, n);
        if (a.Length != m * n || s.Length != k) throw new ArgumentException($"dgesdd needs [{m}, {n}] and [{k}], got {a.Length} and {s.Length} values");
        if (k == 0) return;
        var iwork = new int[8 * k];   // dgesdd's integer workspace: 8·min(m, n), whatever jobz
        var work = new double[Gesdd(a, m, n, s, iwork, null)];
        Gesdd(a, m, n, s, iwork, work);
    }

    /// <summary>The doubles of workspace dgeev and dgesdd (values only) ask for on an [n, n] matrix, for the memory plan's test.</summary>
    internal (int Eigenvalues, int SingularValues) WorkspaceLengths(int n)
    {
        var a = new double[n * n];
        var v = new double[n];
        return (Geev(a, n, v, v, null), Gesdd(a, n, n, v, new int[8 * n], null));
    }

    /// <summary>dgeev with jobvl = jobvr = 'N'; with <paramref name="work"/> null, the workspace query (lwork = −1), returning its length.</summary>
    int Geev(Span<double> a, int n, Span<double> wr, Span<double> wi, double[]? work)
    {
        byte no = (byte)'N';
        int lda = n, one = 1, info, lwork = work?.Length ?? -1;
        double query = 0, unusedVector = 0;
        fixed (double* pa = a, pwr = wr, pwi = wi, pw = work)
            dgeev(&no, &no, &n, pa, &lda, pwr, pwi, &unusedVector, &one, &unusedVector, &one, work is null ? &query : pw, &lwork, &info, 1, 1);
        Check("dgeev", work is null ? "workspace query" : "eigenvalues", info, n);
        return work is null ? WorkspaceLength(query) : lwork;
    }

    /// <summary>dgesdd with jobz = 'N'; with <paramref name="work"/> null, the workspace query (lwork = −1), returning its length.</summary>
    int Gesdd(Span<double> a, int m, int n, Span<double> s, int[] iwork, double[]? work)
    {
        byte none = (byte)'N';
        int lda = m, one = 1, info, lwork = work?.Length ?? -1;
        double query = 0, unusedVector = 0;
        fixed (double* pa = a, ps = s, pw = work)
        fixed (int* piw = iwork)
            dgesdd(&none, &m, &n, pa, &lda, ps, &unusedVector, &one, &unusedVector, &one, work is null ? &query : pw, &lwork, piw, &info, 1);
        Check("dgesdd", work is null ? "workspace query" : "singular values", info, Math.Min(m, n));
        return work is null ? WorkspaceLength(query) : lwork;
    }

    /// <summary>The workspace a query (lwork = −1) returned in work[0], as an array length (at least 1).</summary>
    static int WorkspaceLength(double query)
    {
        if (!(query >= 1 && query <= Array.MaxLength)) throw new InvalidOperationException($"LAPACK asked for a workspace of {query} doubles");
        return (int)Math.Ceiling(query);
    }

    /// <summary>
    /// info &lt; 0: argument −info was illegal, a bug in the call. info &gt; 0: the QR iteration (dgeev) or the
    /// divide-and-conquer (dgesdd) did not converge; the values LAPACK left are incomplete, so none are returned.
    /// </summary>
    static void Check(string routine, string what, int info, int n)
    {
        if (info < 0) throw new InvalidOperationException($"{routine} ({what}, n = {n}) rejected its argument {-info}");
        if (info > 0) throw new ArithmeticException($"{routine} did not converge computing the {what} of an n = {n} matrix (info = {info})");
    }
}
