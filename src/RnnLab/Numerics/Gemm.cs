using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnLab.Numerics;

/// <summary>Whether a GEMM operand is read as stored or transposed.</summary>
public enum Op { N, T }

/// <summary>Which micro-kernel family a GEMM runs: the widest the CPU supports, unless a test asks for another.</summary>
internal enum GemmIsa { Scalar, Avx2, Avx512 }

/// <summary>
/// General matrix multiply on dense row-major buffers: C = op(A)·op(B), or C += op(A)·op(B).
/// op(A) is [m, k], op(B) is [k, n], C is [m, n]. Stored A is [m, k] for Op.N and [k, m] for Op.T;
/// stored B is [k, n] for Op.N and [n, k] for Op.T. Buffers are contiguous (leading dimension = row length).
/// </summary>
/// <remarks>
/// The fast path is a GotoBLAS/BLIS-style blocked GEMM (Goto &amp; van de Geijn, "Anatomy of high-performance matrix
/// multiplication", 2008; Van Zee &amp; van de Geijn, BLIS, 2015): B is packed into k-major panels NR columns wide,
/// the k dimension is cut into KC-deep slices so a B panel stays in L1 while the micro-kernel streams over A, and a
/// register-blocked MR×NR micro-kernel keeps MR·NR/W accumulators in vector registers (8×32 floats with AVX-512).
/// Unlike BLIS, A is read in place whenever it is small enough to stay in cache: the micro-kernel broadcasts A
/// elements, and a broadcast from a strided row costs the same as one from a packed panel, while packing the small
/// A of an in-loop GEMM (h_{t-1}, [B, H]) would cost as much as multiplying it. Likewise an Op.N B that is not reused
/// by many rows of A is read in place. An Op.T B (the weights in x·Wᵀ) must be transposed into panels; when the same
/// B serves many calls (W_hh over all time steps) pack it once with <see cref="PackB{T}(Op, int, int, ReadOnlySpan{T}, PackedMatrix{T})"/>.
/// </remarks>
public static unsafe partial class Gemm
{
    /// <summary>The micro-kernel family this CPU runs.</summary>
    internal static readonly GemmIsa BestIsa =
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? GemmIsa.Avx512
        : Fma.IsSupported && Vector256.IsHardwareAccelerated ? GemmIsa.Avx2
        : GemmIsa.Scalar;

    public static void Multiply<T>(Op opA, Op opB, int m, int n, int k,
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Multiply(opA, opB, m, n, k, a, b, c, accumulate, Parallelism.Threads, BestIsa);

    /// <summary>C = op(A)·B, or C += op(A)·B, with B packed beforehand by <see cref="PackB{T}(Op, int, int, ReadOnlySpan{T}, PackedMatrix{T})"/>.</summary>
    public static void Multiply<T>(Op opA, int m, ReadOnlySpan<T> a, PackedMatrix<T> b, Span<T> c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Multiply(opA, m, a, b, c, accumulate, Parallelism.Threads);

    /// <summary>
    /// Packs op(B) [k, n] into the panel layout the micro-kernel reads, so a B used by many multiplications (a
    /// recurrent weight over all time steps) is transposed and copied once instead of on every call.
    /// Reuses <paramref name="reuse"/>'s storage when it is large enough; the result must be re-packed if B changes.
    /// </summary>
    public static PackedMatrix<T> PackB<T>(Op opB, int k, int n, ReadOnlySpan<T> b, PackedMatrix<T>? reuse = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        => PackB(opB, k, n, b, reuse, BestIsa);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Multiply<T>(Op opA, Op opB, int m, int n, int k,
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, bool accumulate, int threads, GemmIsa isa)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckSizes(m, n, k, a.Length, b.Length, c.Length);
        if (m == 0 || n == 0) return;
        if (k == 0) { if (!accumulate) c[..(m * n)].Clear(); return; }
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            Reference(opA, opB, m, n, k, a, b, c, accumulate);
            return;
        }
        fixed (T* pa = a, pb = b, pc = c)
        {
            var job = new Job<T>
            {
                OpA = opA, OpB = opB, M = m, N = n, K = k,
                A = pa, Lda = opA == Op.N ? k : m,
                B = pb, Ldb = opB == Op.N ? n : k,
                C = pc, Ldc = n, Accumulate = accumulate,
                Shape = Shape.For<T>(isa),
            };
            Dispatch(ref job, threads);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Multiply<T>(Op opA, int m, ReadOnlySpan<T> a, PackedMatrix<T> b, Span<T> c, bool accumulate, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = b.Columns, k = b.Rows;
        CheckSizes(m, n, k, a.Length, k * n, c.Length);
        if (m == 0 || n == 0) return;
        if (k == 0) { if (!accumulate) c[..(m * n)].Clear(); return; }
        fixed (T* pa = a, pb = b.Data, pc = c)
        {
            var job = new Job<T>
            {
                OpA = opA, OpB = Op.N, M = m, N = n, K = k,
                A = pa, Lda = opA == Op.N ? k : m,
                B = b.Align(pb), Ldb = k, PrepackedB = true,
                C = pc, Ldc = n, Accumulate = accumulate,
                Shape = Shape.For<T>(b.Isa),
            };
            Dispatch(ref job, threads);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static PackedMatrix<T> PackB<T>(Op opB, int k, int n, ReadOnlySpan<T> b, PackedMatrix<T>? reuse, GemmIsa isa)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (b.Length < k * n) throw new ArgumentException($"GEMM buffer too small: B has {b.Length} elements, needs {k}×{n}");
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double)) isa = GemmIsa.Scalar;
        Shape s = Shape.For<T>(isa);
        int panels = (n + s.NR - 1) / s.NR;
        PackedMatrix<T> packed = reuse ?? new PackedMatrix<T>();
        packed.Reset(k, n, isa, panels * k * s.NR);
        fixed (T* pb = b, pd = packed.Data)
        {
            T* dst = packed.Align(pd);
            for (int jp = 0; jp < panels; jp++)
            {
                int j0 = jp * s.NR;
                PackBPanel(opB, b: pb, ldb: opB == Op.N ? n : k, p0: 0, kc: k, j0: j0, nr: Math.Min(s.NR, n - j0), NR: s.NR, dst: dst + (nint)jp * k * s.NR);
            }
        }
        return packed;
    }

    private static void CheckSizes(int m, int n, int k, int aLength, int bLength, int cLength)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"GEMM sizes must be non-negative, got m={m} n={n} k={k}");
        if (aLength < (long)m * k || bLength < (long)k * n || cLength < (long)m * n)
            throw new ArgumentException($"GEMM buffer too small: m={m} n={n} k={k} needs A {m * k}, B {k * n}, C {m * n}; got {aLength}, {bLength}, {cLength}");
    }

    /// <summary>The obvious triple loop: the definition the fast kernels are tested against.</summary>
    public static void Reference<T>(Op opA, Op opB, int m, int n, int k,
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Length < m * k || b.Length < k * n || c.Length < m * n) throw new ArgumentException("GEMM buffer too small");
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T s = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    T av = opA == Op.N ? a[i * k + p] : a[p * m + i];
                    T bv = opB == Op.N ? b[p * n + j] : b[j * k + p];
                    s += av * bv;
                }
                c[i * n + j] = accumulate ? c[i * n + j] + s : s;
            }
    }
}

/// <summary>
/// op(B) [k, n] packed once into the k-major panels (NR columns wide, zero-padded) that the GEMM micro-kernel reads:
/// made by <see cref="Gemm.PackB{T}(Op, int, int, ReadOnlySpan{T}, PackedMatrix{T})"/> and consumed by the <see cref="Gemm.Multiply{T}(Op, int, ReadOnlySpan{T}, PackedMatrix{T}, Span{T}, bool)"/>
/// overload. Holds a copy: after B changes (an optimizer step), pack it again, passing this object to reuse its storage.
/// </summary>
public sealed class PackedMatrix<T> where T : unmanaged
{
    internal T[] Data = [];
    /// <summary>k: rows of op(B).</summary>
    public int Rows { get; private set; }
    /// <summary>n: columns of op(B).</summary>
    public int Columns { get; private set; }
    internal GemmIsa Isa { get; private set; }

    internal void Reset(int rows, int columns, GemmIsa isa, int length)
    {
        Rows = rows;
        Columns = columns;
        Isa = isa;
        int need = length + 64 / Unsafe.SizeOf<T>();
        // Pinned, so the 64-byte-aligned start found by Align stays put.
        if (Data.Length < need) Data = GC.AllocateUninitializedArray<T>(need, pinned: true);
    }

    internal unsafe T* Align(T* p) => (T*)(((nint)p + 63) & ~(nint)63);
}
