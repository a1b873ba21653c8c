using RnnLab.Numerics;

namespace RnnLab.Tests.Numerics;

public class GemmTests
{
    // Odd sizes around the micro-tile edges (MR = 8/6/4, NR = 32/16/4) and the cache blocks (KC = 256 floats).
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (2, 7, 3), (7, 2, 31), (31, 33, 7), (33, 31, 33), (8, 32, 1), (16, 64, 300),
        (6 * 64 + 7, 33, 5), (9, 6 * 64 + 7, 17), (17, 40, 6 * 64 + 7), (2, 129, 513), (260, 36, 40),
    ];

    /// <summary>Skips (reported as skipped, not passed) when this CPU cannot run the micro-kernel family.</summary>
    private static void SkipUnlessRuns(GemmIsa isa) =>
        Skip.IfNot(isa <= Gemm.BestIsa, $"the {isa} GEMM micro-kernel needs a CPU this one is not (best here: {Gemm.BestIsa})");

    internal static T[] Random<T>(SeededRandom rng, int length) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var x = new T[length];
        for (int i = 0; i < length; i++) x[i] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
        return x;
    }

    /// <summary>
    /// Checks c against the reference with an error bound relative to Σ_p |a||b| for each entry (plus |c₀| when
    /// accumulating): float32 rounding grows with that sum, not with the possibly cancelled result.
    /// </summary>
    internal static T[] Scale<T>(Op opA, Op opB, int m, int n, int k, T[] a, T[] b) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var scale = new T[m * n];
        Gemm.Reference(opA, opB, m, n, k, Array.ConvertAll(a, T.Abs), Array.ConvertAll(b, T.Abs), scale, accumulate: false);
        return scale;
    }

    internal static void AssertClose<T>(int m, int n, T[] scale, T[] c0, T[] expected, T[] actual,
        bool accumulate, double eps, string what) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m * n; i++)
        {
            double bound = eps * (double.CreateTruncating(scale[i]) + (accumulate ? Math.Abs(double.CreateTruncating(c0[i])) : 0) + 1e-30);
            double err = Math.Abs(double.CreateTruncating(actual[i]) - double.CreateTruncating(expected[i]));
            Assert.True(err <= bound, $"{what}: C[{i / n},{i % n}] = {actual[i]}, reference {expected[i]}, error {err:g3} > {bound:g3}");
        }
    }

    private static void CheckAll<T>(GemmIsa isa, double eps) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var rng = new SeededRandom(1234);
        foreach (var (m, n, k) in Shapes)
            foreach (Op opA in new[] { Op.N, Op.T })
                foreach (Op opB in new[] { Op.N, Op.T })
                {
                    T[] a = Random<T>(rng, m * k), b = Random<T>(rng, k * n), c0 = Random<T>(rng, m * n);
                    T[] scale = Scale(opA, opB, m, n, k, a, b);
                    foreach (bool accumulate in new[] { false, true })
                    {
                        var expected = (T[])c0.Clone();
                        Gemm.Reference(opA, opB, m, n, k, a, b, expected, accumulate);
                            foreach (int threads in new[] { 1, 2 })
                            {
                                string what = $"{typeof(T).Name} {opA}{opB} m={m} n={n} k={k} acc={accumulate} {isa} threads={threads}";
                                var actual = (T[])c0.Clone();
                                Gemm.Multiply(opA, opB, m, n, k, a, b, actual, accumulate, threads, isa);
                                AssertClose(m, n, scale, c0, expected, actual, accumulate, eps, what);

                                PackedMatrix<T> packed = Gemm.PackB(opB, k, n, b, null, isa);
                                actual = (T[])c0.Clone();
                                Gemm.Multiply(opA, m, a, packed, actual, accumulate, threads);
                                AssertClose(m, n, scale, c0, expected, actual, accumulate, eps, what + " prepacked");
                            }
                    }
                }
    }

    [SkippableTheory]
    [InlineData("Scalar")]
    [InlineData("Avx2")]
    [InlineData("Avx512")]
    public void Float_MatchesReference_AllTransposes_OddSizes(string kernel)
    {
        var isa = Enum.Parse<GemmIsa>(kernel);
        SkipUnlessRuns(isa);
        CheckAll<float>(isa, 1e-5);
    }

    [SkippableTheory]
    [InlineData("Scalar")]
    [InlineData("Avx2")]
    [InlineData("Avx512")]
    public void Double_MatchesReference_AllTransposes_OddSizes(string kernel)
    {
        var isa = Enum.Parse<GemmIsa>(kernel);
        SkipUnlessRuns(isa);
        CheckAll<double>(isa, 1e-13);
    }

    [Fact]
    public void ZeroDepth_ClearsOrKeepsC()
    {
        float[] c = [1, 2, 3, 4];
        Gemm.Multiply(Op.N, Op.N, 2, 2, 0, ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, c, accumulate: true);
        Assert.Equal([1f, 2, 3, 4], c);
        Gemm.Multiply(Op.N, Op.N, 2, 2, 0, ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, c, accumulate: false);
        Assert.Equal([0f, 0, 0, 0], c);
    }

    [Fact]
    public void TooSmallBuffer_Throws()
    {
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(Op.N, Op.N, 2, 2, 2, new float[3], new float[4], new float[4], false));
    }

    [Fact]
    public void Multiply_AllocatesNothingAfterWarmUp()
    {
        var rng = new SeededRandom(9);
        float[] a = Random<float>(rng, 300 * 70), b = Random<float>(rng, 70 * 90), c = new float[300 * 90];
        PackedMatrix<float> packed = Gemm.PackB(Op.T, 70, 90, b);
        void All()
        {
            for (Op opA = Op.N; opA <= Op.T; opA++)
                for (Op opB = Op.N; opB <= Op.T; opB++)
                    Gemm.Multiply(opA, opB, 300, 90, 70, a, b, c, accumulate: true);
            Gemm.Multiply(Op.N, 300, a, packed, c, accumulate: false);
            Gemm.PackB(Op.T, 70, 90, b, packed);
        }
        All();
        long before = GC.GetAllocatedBytesForCurrentThread();
        All();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void PackB_ReusesStorage()
    {
        var rng = new SeededRandom(3);
        float[] b1 = Random<float>(rng, 64 * 40), b2 = Random<float>(rng, 64 * 40), a = Random<float>(rng, 5 * 64);
        PackedMatrix<float> packed = Gemm.PackB(Op.T, 64, 40, b1);
        float[] storage = packed.Data;
        Assert.Same(packed, Gemm.PackB(Op.T, 64, 40, b2, packed));
        Assert.Same(storage, packed.Data);
        var expected = new float[5 * 40];
        var actual = new float[5 * 40];
        Gemm.Reference(Op.N, Op.T, 5, 40, 64, a, b2, expected, false);
        Gemm.Multiply(Op.N, 5, a, packed, actual, false);
        AssertClose(5, 40, Scale(Op.N, Op.T, 5, 40, 64, a, b2), expected, expected, actual, false, 1e-5, "repacked");
    }
}

/// <summary>GEMM split across threads on small shapes: changes process-wide settings, so it runs alone.</summary>
[Collection(GlobalStatics.Name)]
public class GemmSplitTests
{
    [Fact]
    public void ForcedSplit_SmallWork_MatchesReference()
    {
        // The split threshold keeps small calls on one thread; force splitting so both halves of small and edge
        // shapes (fewer tiles than threads, partial last panel) are exercised.
        long saved = Gemm.MinWorkToSplit;
        bool savedBackOff = Parallelism.BackOff;
        try
        {
            Gemm.MinWorkToSplit = 1;
            Parallelism.BackOff = false;
            var rng = new SeededRandom(7);
            foreach (var (m, n, k) in new[] { (1, 1, 1), (3, 40, 5), (40, 3, 5), (9, 33, 2), (32, 128, 128) })
            {
                float[] a = GemmTests.Random<float>(rng, m * k), b = GemmTests.Random<float>(rng, k * n);
                var expected = new float[m * n];
                var actual = new float[m * n];
                Gemm.Reference(Op.N, Op.T, m, n, k, a, b, expected, false);
                Gemm.Multiply(Op.N, Op.T, m, n, k, a, b, actual, false, threads: 2, Gemm.BestIsa);
                GemmTests.AssertClose(m, n, GemmTests.Scale(Op.N, Op.T, m, n, k, a, b), expected, expected, actual, false, 1e-5, $"split m={m} n={n} k={k}");
            }
        }
        finally
        {
            Gemm.MinWorkToSplit = saved;
            Parallelism.BackOff = savedBackOff;
        }
    }
}
