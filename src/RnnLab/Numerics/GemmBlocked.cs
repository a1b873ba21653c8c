using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnLab.Numerics;

// The blocked driver, the packing routines and the micro-kernels behind Gemm.Multiply. They are marked
// AggressiveOptimization: tiered compilation would otherwise run the driver and the packing loops as unoptimised
// tier-0 code (no inlining of the vector helpers, several times slower) for the first hundreds of milliseconds,
// which is the whole of a short run or benchmark.
public static unsafe partial class Gemm
{
    /// <summary>Register and cache blocking of one micro-kernel family for one element type.</summary>
    internal readonly struct Shape
    {
        public GemmIsa Isa { get; init; }
        public int MR { get; init; }   // rows of C per micro-tile
        public int NR { get; init; }   // columns of C per micro-tile (two vectors)
        public int KC { get; init; }   // depth of a k slice: a KC×NR B panel must sit in L1 (32 KB on Zen 4, 48 KB on Zen 5)
        public int MC { get; init; }   // rows of A per packed block: MC×KC must sit in L2 (1 MB)
        public int NC { get; init; }   // columns of B per packed block: KC×NC sits in L2/L3

        public static Shape For<T>(GemmIsa isa) where T : unmanaged
        {
            int size = Unsafe.SizeOf<T>();
            return isa switch
            {
                // 8×2 zmm accumulators: 16 of 32 registers, enough independent FMA chains to cover
                // 4-cycle latency on two FMA pipes, and 10 loads per 16 FMAs.
                GemmIsa.Avx512 => new Shape { Isa = isa, MR = 8, NR = 2 * Vector512<T>.Count, KC = 256 * 4 / size, MC = 256, NC = 2048 },
                // 6×2 ymm accumulators: 12 of the 16 registers AVX2 has, leaving room for B and the broadcast.
                GemmIsa.Avx2 => new Shape { Isa = isa, MR = 6, NR = 2 * Vector256<T>.Count, KC = 256 * 4 / size, MC = 240, NC = 2048 },
                _ => new Shape { Isa = GemmIsa.Scalar, MR = 4, NR = 4, KC = 256, MC = 256, NC = 2048 },
            };
        }
    }

    /// <summary>One GEMM call in pointer form, with leading dimensions so a thread can take a slice of it.</summary>
    internal struct Job<T> where T : unmanaged
    {
        public Op OpA, OpB;
        public int M, N, K;
        public T* A; public int Lda;
        public T* B; public int Ldb;      // for a prepacked B: Ldb = K, panels of K·NR elements
        public bool PrepackedB;
        public T* C; public int Ldc;
        public bool Accumulate;
        public Shape Shape;
        public int Parts;                 // set by Dispatch: how many threads share the job
        public bool SplitN;               // split columns (true) or rows (false) between threads
    }

    /// <summary>
    /// Below this many multiply-adds a GEMM stays on one thread: forking costs about a microsecond on a spinning
    /// worker, and splitting the 32×128×128 step GEMM (0.5 M multiply-adds, a few microseconds) still pays.
    /// </summary>
    internal static long MinWorkToSplit = 160_000;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dispatch<T>(ref Job<T> job, int threads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Shape s = job.Shape;
        int tilesN = (job.N + s.NR - 1) / s.NR, tilesM = (job.M + s.MR - 1) / s.MR;
        long work = (long)job.M * job.N * job.K;
        int parts = threads <= 1 || work < MinWorkToSplit ? 1 : (int)Math.Min(threads, Math.Min(work / Math.Max(1, MinWorkToSplit / 2), Math.Max(tilesN, tilesM)));
        if (parts <= 1)
        {
            Run(in job);
            return;
        }
        // Columns first: each thread then packs only its own part of B and reads the shared A in place.
        job.SplitN = tilesN >= parts;
        job.Parts = parts;
        fixed (Job<T>* pj = &job)
            Parallelism.For(parts, &RunPart<T>, pj);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunPart<T>(int part, void* state) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Job<T> job = *(Job<T>*)state;
        Shape s = job.Shape;
        if (job.SplitN)
        {
            int tiles = (job.N + s.NR - 1) / s.NR;
            int t0 = (int)((long)tiles * part / job.Parts), t1 = (int)((long)tiles * (part + 1) / job.Parts);
            int j0 = t0 * s.NR, j1 = Math.Min(job.N, t1 * s.NR);
            if (j1 <= j0) return;
            job.B = job.PrepackedB ? job.B + (nint)t0 * job.K * s.NR
                : job.OpB == Op.N ? job.B + j0 : job.B + (nint)j0 * job.Ldb;
            job.C += j0;
            job.N = j1 - j0;
        }
        else
        {
            int tiles = (job.M + s.MR - 1) / s.MR;
            int t0 = (int)((long)tiles * part / job.Parts), t1 = (int)((long)tiles * (part + 1) / job.Parts);
            int i0 = t0 * s.MR, i1 = Math.Min(job.M, t1 * s.MR);
            if (i1 <= i0) return;
            job.A = job.OpA == Op.N ? job.A + (nint)i0 * job.Lda : job.A + i0;
            job.C += (nint)i0 * job.Ldc;
            job.M = i1 - i0;
        }
        Run(in job);
    }

    /// <summary>Per-thread packing buffers, grown once and reused: no allocation per call after warm-up.</summary>
    private static class Workspace<T> where T : unmanaged
    {
        [ThreadStatic] private static T[]? a, b;

        public static T* A(int length) => Get(ref a, length);
        public static T* B(int length) => Get(ref b, length);

        private static T* Get(ref T[]? buffer, int length)
        {
            int need = length + 64 / sizeof(T);
            if (buffer == null || buffer.Length < need) buffer = GC.AllocateUninitializedArray<T>(need, pinned: true);
            // Pinned arrays do not move, so the aligned interior pointer stays valid for the thread's lifetime.
            nint p = (nint)Unsafe.AsPointer(ref buffer[0]);
            return (T*)((p + 63) & ~(nint)63);
        }
    }

    /// <summary>The single-threaded blocked GEMM (loop order of GotoBLAS: jc, pc, ic, jr, ir).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<T>(in Job<T> job) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Shape s = job.Shape;
        int m = job.M, n = job.N, k = job.K, MR = s.MR, NR = s.NR;
        int KC = s.KC, MC = s.MC, NC = s.NC;
        // Pack B when it is stored transposed (its columns are what the kernel wants contiguous), when its last
        // panel is partial (the kernel reads whole panels), or when enough rows of A reuse it to repay the copy.
        bool packB = !job.PrepackedB && (job.OpB == Op.T || n % NR != 0 || m > 4 * MR);
        // Pack A only when it is stored transposed and large: a micro-panel of stored Aᵀ takes MR values from each
        // of KC rows lda apart (a new page per row once lda is large), so copying it into a contiguous panel saves
        // TLB misses, and the copy is cheap (MR contiguous values per row). Rows of an Op.N A are read in place
        // even when A is large: MR sequential streams prefetch well, and packing them would be a transpose.
        bool packA = job.OpA == Op.T && (m > MC || ((long)m * k > 64 * 1024 && n > 8 * NR));
        T* wsB = packB ? Workspace<T>.B(KC * ((Math.Min(NC, n) + NR - 1) / NR * NR)) : null;
        T* wsA = packA ? Workspace<T>.A(KC * ((Math.Min(MC, m) + MR - 1) / MR * MR)) : null;
        T* edge = stackalloc T[MR * NR];

        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                bool acc = job.Accumulate || pc > 0;
                T* bp; nint bPanel, bs;
                if (job.PrepackedB)
                {
                    bp = job.B + (nint)(jc / NR) * k * NR + (nint)pc * NR;
                    bPanel = (nint)k * NR; bs = NR;
                }
                else if (!packB)
                {
                    bp = job.B + (nint)pc * job.Ldb + jc;
                    bPanel = NR; bs = job.Ldb;
                }
                else
                {
                    for (int jr = 0; jr < nc; jr += NR)
                        PackBPanel(job.OpB, job.B, job.Ldb, pc, kc, jc + jr, Math.Min(NR, nc - jr), NR, wsB + (nint)(jr / NR) * kc * NR);
                    bp = wsB;
                    bPanel = (nint)kc * NR; bs = NR;
                }

                for (int ic = 0; ic < m; ic += MC)
                {
                    int mc = Math.Min(MC, m - ic);
                    T* ap; nint rs, ps, aPanel;
                    if (packA)
                    {
                        for (int ir = 0; ir < mc; ir += MR)
                            PackAPanel(job.A, job.Lda, ic + ir, Math.Min(MR, mc - ir), pc, kc, MR, wsA + (nint)(ir / MR) * kc * MR);
                        ap = wsA; rs = 1; ps = MR; aPanel = (nint)kc * MR;
                    }
                    else if (job.OpA == Op.N)
                    {
                        ap = job.A + (nint)ic * job.Lda + pc; rs = job.Lda; ps = 1; aPanel = (nint)MR * job.Lda;
                    }
                    else
                    {
                        ap = job.A + (nint)pc * job.Lda + ic; rs = 1; ps = job.Lda; aPanel = MR;
                    }

                    T* cBlock = job.C + (nint)ic * job.Ldc + jc;
                    for (int jr = 0; jr < nc; jr += NR)
                    {
                        T* bPanelPtr = bp + (nint)(jr / NR) * bPanel;
                        int nr = Math.Min(NR, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR)
                        {
                            T* aPanelPtr = ap + (nint)(ir / MR) * aPanel;
                            T* cTile = cBlock + (nint)ir * job.Ldc + jr;
                            int mr = Math.Min(MR, mc - ir);
                            // A whole tile goes straight to C; an edge tile is computed in full into the stack
                            // tile and its valid corner copied out.
                            bool whole = mr == MR && nr == NR;
                            T* dst = whole ? cTile : edge;
                            nint ldd = whole ? job.Ldc : NR;
                            bool accDst = whole && acc;
                            switch (s.Isa)
                            {
                                case GemmIsa.Avx512: Micro512(kc, aPanelPtr, rs, ps, mr, bPanelPtr, bs, dst, ldd, accDst); break;
                                case GemmIsa.Avx2: Micro256(kc, aPanelPtr, rs, ps, mr, bPanelPtr, bs, dst, ldd, accDst); break;
                                default: MicroScalar(kc, aPanelPtr, rs, ps, mr, bPanelPtr, bs, dst, ldd, accDst); break;
                            }
                            if (!whole) StoreEdge(edge, NR, cTile, job.Ldc, mr, nr, acc);
                        }
                    }
                }
            }
        }
    }

    /// <summary>dst[p·NR + c] = op(B)[p0 + p, j0 + c] for p &lt; kc, c &lt; nr; zero for nr ≤ c &lt; NR.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackBPanel<T>(Op opB, T* b, int ldb, int p0, int kc, int j0, int nr, int NR, T* dst) where T : unmanaged
    {
        if (opB == Op.N)
        {
            T* src = b + (nint)p0 * ldb + j0;
            for (int p = 0; p < kc; p++, src += ldb, dst += NR)
            {
                CopyShort(src, dst, nr);
                if (nr < NR) new Span<T>(dst + nr, NR - nr).Clear();
            }
            return;
        }
        // op(B)[p, j] = b[j·ldb + p]: a transpose.
        if (nr < NR)
            for (int p = 0; p < kc; p++) new Span<T>(dst + (nint)p * NR + nr, NR - nr).Clear();
        int c = 0;
        if (typeof(T) == typeof(float) && Avx512F.IsSupported && NR % 16 == 0)
        {
            // 16×16 blocks through registers; the scalar loops below finish the ragged edges.
            int kc16 = kc & ~15;
            for (; c + 16 <= nr; c += 16)
                for (int p = 0; p < kc16; p += 16)
                    Transpose16x16((float*)b + (nint)(j0 + c) * ldb + p0 + p, ldb, (float*)dst + (nint)p * NR + c, NR);
            for (int c2 = 0; c2 < c; c2++)
            {
                T* s0 = b + (nint)(j0 + c2) * ldb + p0;
                T* d = dst + c2;
                for (int p = kc16; p < kc; p++) d[(nint)p * NR] = s0[p];
            }
        }
        // Read four rows of stored B at once so each written cache line of the panel gets four values per visit.
        for (; c + 4 <= nr; c += 4)
        {
            T* s0 = b + (nint)(j0 + c) * ldb + p0, s1 = s0 + ldb, s2 = s1 + ldb, s3 = s2 + ldb;
            T* d = dst + c;
            for (int p = 0; p < kc; p++, d += NR)
            {
                d[0] = s0[p]; d[1] = s1[p]; d[2] = s2[p]; d[3] = s3[p];
            }
        }
        for (; c < nr; c++)
        {
            T* s0 = b + (nint)(j0 + c) * ldb + p0;
            T* d = dst + c;
            for (int p = 0; p < kc; p++, d += NR) d[0] = s0[p];
        }
    }

    /// <summary>
    /// dst[q·ldd + r] = src[r·lds + q] for a 16×16 float block: the in-register transpose of four rounds of
    /// interleaves (32-bit, 64-bit, then 128-bit lanes twice), the standard AVX-512 sequence.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose16x16(float* src, nint lds, float* dst, nint ldd)
    {
        Vector512<float> r0 = Vector512.Load(src), r1 = Vector512.Load(src + lds), r2 = Vector512.Load(src + 2 * lds), r3 = Vector512.Load(src + 3 * lds),
            r4 = Vector512.Load(src + 4 * lds), r5 = Vector512.Load(src + 5 * lds), r6 = Vector512.Load(src + 6 * lds), r7 = Vector512.Load(src + 7 * lds),
            r8 = Vector512.Load(src + 8 * lds), r9 = Vector512.Load(src + 9 * lds), r10 = Vector512.Load(src + 10 * lds), r11 = Vector512.Load(src + 11 * lds),
            r12 = Vector512.Load(src + 12 * lds), r13 = Vector512.Load(src + 13 * lds), r14 = Vector512.Load(src + 14 * lds), r15 = Vector512.Load(src + 15 * lds);
        // Round 1: interleave 32-bit elements of row pairs.
        Vector512<float> t0 = Avx512F.UnpackLow(r0, r1), t1 = Avx512F.UnpackHigh(r0, r1), t2 = Avx512F.UnpackLow(r2, r3), t3 = Avx512F.UnpackHigh(r2, r3),
            t4 = Avx512F.UnpackLow(r4, r5), t5 = Avx512F.UnpackHigh(r4, r5), t6 = Avx512F.UnpackLow(r6, r7), t7 = Avx512F.UnpackHigh(r6, r7),
            t8 = Avx512F.UnpackLow(r8, r9), t9 = Avx512F.UnpackHigh(r8, r9), t10 = Avx512F.UnpackLow(r10, r11), t11 = Avx512F.UnpackHigh(r10, r11),
            t12 = Avx512F.UnpackLow(r12, r13), t13 = Avx512F.UnpackHigh(r12, r13), t14 = Avx512F.UnpackLow(r14, r15), t15 = Avx512F.UnpackHigh(r14, r15);
        // Round 2: interleave 64-bit pairs.
        r0 = Lo64(t0, t2); r1 = Hi64(t0, t2); r2 = Lo64(t1, t3); r3 = Hi64(t1, t3);
        r4 = Lo64(t4, t6); r5 = Hi64(t4, t6); r6 = Lo64(t5, t7); r7 = Hi64(t5, t7);
        r8 = Lo64(t8, t10); r9 = Hi64(t8, t10); r10 = Lo64(t9, t11); r11 = Hi64(t9, t11);
        r12 = Lo64(t12, t14); r13 = Hi64(t12, t14); r14 = Lo64(t13, t15); r15 = Hi64(t13, t15);
        // Rounds 3 and 4: gather 128-bit lanes (0x88 takes lanes 0 and 2 of each source, 0xDD lanes 1 and 3).
        t0 = Avx512F.Shuffle4x128(r0, r4, 0x88); t1 = Avx512F.Shuffle4x128(r1, r5, 0x88); t2 = Avx512F.Shuffle4x128(r2, r6, 0x88); t3 = Avx512F.Shuffle4x128(r3, r7, 0x88);
        t4 = Avx512F.Shuffle4x128(r0, r4, 0xDD); t5 = Avx512F.Shuffle4x128(r1, r5, 0xDD); t6 = Avx512F.Shuffle4x128(r2, r6, 0xDD); t7 = Avx512F.Shuffle4x128(r3, r7, 0xDD);
        t8 = Avx512F.Shuffle4x128(r8, r12, 0x88); t9 = Avx512F.Shuffle4x128(r9, r13, 0x88); t10 = Avx512F.Shuffle4x128(r10, r14, 0x88); t11 = Avx512F.Shuffle4x128(r11, r15, 0x88);
        t12 = Avx512F.Shuffle4x128(r8, r12, 0xDD); t13 = Avx512F.Shuffle4x128(r9, r13, 0xDD); t14 = Avx512F.Shuffle4x128(r10, r14, 0xDD); t15 = Avx512F.Shuffle4x128(r11, r15, 0xDD);
        Avx512F.Shuffle4x128(t0, t8, 0x88).Store(dst); Avx512F.Shuffle4x128(t1, t9, 0x88).Store(dst + ldd);
        Avx512F.Shuffle4x128(t2, t10, 0x88).Store(dst + 2 * ldd); Avx512F.Shuffle4x128(t3, t11, 0x88).Store(dst + 3 * ldd);
        Avx512F.Shuffle4x128(t4, t12, 0x88).Store(dst + 4 * ldd); Avx512F.Shuffle4x128(t5, t13, 0x88).Store(dst + 5 * ldd);
        Avx512F.Shuffle4x128(t6, t14, 0x88).Store(dst + 6 * ldd); Avx512F.Shuffle4x128(t7, t15, 0x88).Store(dst + 7 * ldd);
        Avx512F.Shuffle4x128(t0, t8, 0xDD).Store(dst + 8 * ldd); Avx512F.Shuffle4x128(t1, t9, 0xDD).Store(dst + 9 * ldd);
        Avx512F.Shuffle4x128(t2, t10, 0xDD).Store(dst + 10 * ldd); Avx512F.Shuffle4x128(t3, t11, 0xDD).Store(dst + 11 * ldd);
        Avx512F.Shuffle4x128(t4, t12, 0xDD).Store(dst + 12 * ldd); Avx512F.Shuffle4x128(t5, t13, 0xDD).Store(dst + 13 * ldd);
        Avx512F.Shuffle4x128(t6, t14, 0xDD).Store(dst + 14 * ldd); Avx512F.Shuffle4x128(t7, t15, 0xDD).Store(dst + 15 * ldd);

        static Vector512<float> Lo64(Vector512<float> x, Vector512<float> y) => Avx512F.UnpackLow(x.AsDouble(), y.AsDouble()).AsSingle();
        static Vector512<float> Hi64(Vector512<float> x, Vector512<float> y) => Avx512F.UnpackHigh(x.AsDouble(), y.AsDouble()).AsSingle();
    }

    /// <summary>Copies one packed row (a few vectors): inline vector moves, where a memmove call per row would
    /// cost more than the copy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyShort<T>(T* src, T* dst, int count) where T : unmanaged
    {
        byte* s = (byte*)src, d = (byte*)dst;
        nint bytes = (nint)count * sizeof(T), i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 64 <= bytes; i += 64) Vector512.Store(Vector512.Load(s + i), d + i);
        for (; i + 32 <= bytes; i += 32) Vector256.Store(Vector256.Load(s + i), d + i);
        for (; i + sizeof(T) <= bytes; i += sizeof(T)) *(T*)(d + i) = *(T*)(s + i);
    }

    /// <summary>dst[p·MR + r] = op(A)[i0 + r, p0 + p] = a[(p0 + p)·lda + i0 + r] for p &lt; kc, r &lt; mr (A stored
    /// transposed; the only A the driver packs); zero for mr ≤ r &lt; MR.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackAPanel<T>(T* a, int lda, int i0, int mr, int p0, int kc, int MR, T* dst) where T : unmanaged
    {
        T* src = a + (nint)p0 * lda + i0;
        for (int p = 0; p < kc; p++, src += lda, dst += MR)
        {
            CopyShort(src, dst, mr);
            if (mr < MR) new Span<T>(dst + mr, MR - mr).Clear();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma512<T>(Vector512<T> x, Vector512<T> y, Vector512<T> acc)
    {
        if (typeof(T) == typeof(float)) return Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
        return Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma256<T>(Vector256<T> x, Vector256<T> y, Vector256<T> acc)
    {
        if (typeof(T) == typeof(float)) return Vector256.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
        return Vector256.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
    }

    /// <summary>
    /// AVX-512 micro-kernel: C[0..mr, 0..nr] (+)= Σ_p A[r, p]·B[p, 0..NR] with MR = 8 and NR = two zmm vectors.
    /// A element (r, p) is at a[r·rs + p·ps] (a row of stored A, a column of stored Aᵀ or a packed panel alike);
    /// B row p is at b[p·bs .. p·bs + NR). Rows past mr repeat the last valid row (in bounds; the caller discards
    /// them). Stores the whole 8×NR tile at c with row stride ldc. Nothing is called after the loop: a call would
    /// make the register allocator, without profile data (tiered compilation off), spill all sixteen accumulators
    /// to the stack on every iteration.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro512<T>(int kc, T* a, nint rs, nint ps, int mr, T* b, nint bs, T* c, nint ldc, bool acc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int W = Vector512<T>.Count;
        T* a0 = a, a1 = a + Math.Min(1, mr - 1) * rs, a2 = a + Math.Min(2, mr - 1) * rs, a3 = a + Math.Min(3, mr - 1) * rs,
           a4 = a + Math.Min(4, mr - 1) * rs, a5 = a + Math.Min(5, mr - 1) * rs, a6 = a + Math.Min(6, mr - 1) * rs, a7 = a + Math.Min(7, mr - 1) * rs;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default,
                     c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        nint off = 0;
        for (int p = 0; p < kc; p++)
        {
            Vector512<T> b0 = Vector512.Load(b), b1 = Vector512.Load(b + W), x;
            x = Vector512.Create(a0[off]); c00 = Fma512(x, b0, c00); c01 = Fma512(x, b1, c01);
            x = Vector512.Create(a1[off]); c10 = Fma512(x, b0, c10); c11 = Fma512(x, b1, c11);
            x = Vector512.Create(a2[off]); c20 = Fma512(x, b0, c20); c21 = Fma512(x, b1, c21);
            x = Vector512.Create(a3[off]); c30 = Fma512(x, b0, c30); c31 = Fma512(x, b1, c31);
            x = Vector512.Create(a4[off]); c40 = Fma512(x, b0, c40); c41 = Fma512(x, b1, c41);
            x = Vector512.Create(a5[off]); c50 = Fma512(x, b0, c50); c51 = Fma512(x, b1, c51);
            x = Vector512.Create(a6[off]); c60 = Fma512(x, b0, c60); c61 = Fma512(x, b1, c61);
            x = Vector512.Create(a7[off]); c70 = Fma512(x, b0, c70); c71 = Fma512(x, b1, c71);
            off += ps;
            b += bs;
        }
        Store512(c00, c01, c, acc); Store512(c10, c11, c + ldc, acc);
        Store512(c20, c21, c + 2 * ldc, acc); Store512(c30, c31, c + 3 * ldc, acc);
        Store512(c40, c41, c + 4 * ldc, acc); Store512(c50, c51, c + 5 * ldc, acc);
        Store512(c60, c61, c + 6 * ldc, acc); Store512(c70, c71, c + 7 * ldc, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512<T>(Vector512<T> v0, Vector512<T> v1, T* c, bool acc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int W = Vector512<T>.Count;
        if (acc) { v0 += Vector512.Load(c); v1 += Vector512.Load(c + W); }
        v0.Store(c); v1.Store(c + W);
    }

    /// <summary>Writes the valid mr×nr corner of a micro-tile that was computed in full into a stack tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StoreEdge<T>(T* tile, int ldt, T* c, nint ldc, int mr, int nr, bool acc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < mr; r++)
        {
            T* src = tile + r * ldt, dst = c + r * ldc;
            if (acc) for (int j = 0; j < nr; j++) dst[j] += src[j];
            else for (int j = 0; j < nr; j++) dst[j] = src[j];
        }
    }

    /// <summary>AVX2+FMA micro-kernel: as <see cref="Micro512"/> with MR = 6 and NR = two ymm vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro256<T>(int kc, T* a, nint rs, nint ps, int mr, T* b, nint bs, T* c, nint ldc, bool acc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int W = Vector256<T>.Count;
        T* a0 = a, a1 = a + Math.Min(1, mr - 1) * rs, a2 = a + Math.Min(2, mr - 1) * rs,
           a3 = a + Math.Min(3, mr - 1) * rs, a4 = a + Math.Min(4, mr - 1) * rs, a5 = a + Math.Min(5, mr - 1) * rs;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                     c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        nint off = 0;
        for (int p = 0; p < kc; p++)
        {
            Vector256<T> b0 = Vector256.Load(b), b1 = Vector256.Load(b + W), x;
            x = Vector256.Create(a0[off]); c00 = Fma256(x, b0, c00); c01 = Fma256(x, b1, c01);
            x = Vector256.Create(a1[off]); c10 = Fma256(x, b0, c10); c11 = Fma256(x, b1, c11);
            x = Vector256.Create(a2[off]); c20 = Fma256(x, b0, c20); c21 = Fma256(x, b1, c21);
            x = Vector256.Create(a3[off]); c30 = Fma256(x, b0, c30); c31 = Fma256(x, b1, c31);
            x = Vector256.Create(a4[off]); c40 = Fma256(x, b0, c40); c41 = Fma256(x, b1, c41);
            x = Vector256.Create(a5[off]); c50 = Fma256(x, b0, c50); c51 = Fma256(x, b1, c51);
            off += ps;
            b += bs;
        }
        Store256(c00, c01, c, acc); Store256(c10, c11, c + ldc, acc); Store256(c20, c21, c + 2 * ldc, acc);
        Store256(c30, c31, c + 3 * ldc, acc); Store256(c40, c41, c + 4 * ldc, acc); Store256(c50, c51, c + 5 * ldc, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256<T>(Vector256<T> v0, Vector256<T> v1, T* c, bool acc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int W = Vector256<T>.Count;
        if (acc) { v0 += Vector256.Load(c); v1 += Vector256.Load(c + W); }
        v0.Store(c); v1.Store(c + W);
    }

    /// <summary>Portable micro-kernel (MR = NR = 4) for CPUs without AVX2/FMA and element types other than float/double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroScalar<T>(int kc, T* a, nint rs, nint ps, int mr, T* b, nint bs, T* c, nint ldc, bool acc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* tile = stackalloc T[16];
        for (int i = 0; i < 16; i++) tile[i] = T.Zero;
        for (int r = 0; r < mr; r++)
        {
            T* ar = a + r * rs;
            T* br = b;
            T s0 = T.Zero, s1 = T.Zero, s2 = T.Zero, s3 = T.Zero;
            for (int p = 0; p < kc; p++, br += bs)
            {
                T x = ar[p * ps];
                s0 += x * br[0]; s1 += x * br[1]; s2 += x * br[2]; s3 += x * br[3];
            }
            tile[r * 4] = s0; tile[r * 4 + 1] = s1; tile[r * 4 + 2] = s2; tile[r * 4 + 3] = s3;
        }
        StoreEdge(tile, 4, c, ldc, 4, 4, acc);
    }
}
