using System.Diagnostics;
using MathNet.Numerics.LinearAlgebra;
using RnnLab.Numerics;

namespace RnnLab.Analysis;

/// <summary>
/// The linear maps a sweep multiplies, one per distance: K_k carries row vectors over the state at distance k−1
/// (from the end of the sequence) to the state at distance k, so the product after k maps is M_k = M_0·K_1···K_k.
/// For one layer K_k is the step Jacobian J_{T−k+1}; for a stack it couples the layers (see <see cref="StackSteps"/>).
/// </summary>
internal interface IStepMap
{
    int StateSize { get; }
    /// <summary>Distances k = 0..Steps−1 are swept.</summary>
    int Steps { get; }
    /// <summary>result[m, S] = rows[m, S]·K_k. <paramref name="rows"/> may be overwritten.</summary>
    void Apply(int k, Span<double> rows, int m, Span<double> result);
}

/// <summary>
/// One quantity read off the product at every k: X_k = M_k·R_k, with R_k the columns
/// <see cref="Start"/>..<see cref="Start"/>+<see cref="Count"/> of the state (a block of the Jacobian product), or a
/// matrix [S, Count] supplied per k (an input Jacobian). Holds the log10 norms it measured.
/// </summary>
internal sealed class SweepReadout
{
    public int Start { get; init; }
    public required int Count { get; init; }
    /// <summary>When set, fills R_k [S, Count] for distance k instead of selecting columns.</summary>
    public Action<int, Span<double>>? Matrix { get; init; }
    public double[] Log10Spectral { get; private set; } = [];
    public double[] Log10Frobenius { get; private set; } = [];
    /// <summary>Distances whose power iteration reached its limit; each was then measured by a dense SVD.</summary>
    public int PowerIterationLimitHits { get; internal set; }
    public int DenseSvdFallbacks { get; internal set; }
    internal double[] WarmStart = [];

    internal void Allocate(int steps, int rows)
    {
        Log10Spectral = new double[steps];
        Log10Frobenius = new double[steps];
        WarmStart = new double[rows];
        WarmStart.AsSpan().Fill(1.0);
    }
}

/// <summary>What a sweep measured besides its readouts.</summary>
internal sealed record SweepResult(int[] Rank, double[] LyapunovSums, double ProductSeconds, double OrthogonalizationSeconds, double NormSeconds);

/// <summary>
/// The norms of a long product of Jacobians, M_k = M_0·K_1···K_k for k = 0..T−1, in one pass.
/// The rows of M_k (one per output coordinate of M_0) are carried in two phases:
/// <list type="number">
/// <item>Explicit: M_k itself, renormalised every step (its log-scale accumulated).</item>
/// <item>Factored, once the product's numerical rank has fallen to half or less (checked by SVD at k = 8, 16, 32,…):
/// M_k = Z·C_kᵀ·U_kᵀ with U_kᵀ [r, S] orthonormal rows, C_k [r, c] small and Z never formed (a factor with
/// orthonormal columns does not change singular values). A step is Y = U_kᵀ·K_k = Rᵀ·Q (Gram–Schmidt), Uᵀ ← Q,
/// C ← R·C: the QR iteration of Benettin et al. (Meccanica 15, 1980), here with deflation: an SVD of C now and then
/// drops the directions below <see cref="FlowOptions.TruncationTolerance"/> of the largest.</item>
/// </list>
/// Each readout X_k = M_k·R_k is then Cᵀ·(Uᵀ·R_k) up to the dropped Z; its spectral norm comes from a power
/// iteration warm-started from the previous k, and from a dense SVD when that iteration reaches its limit.
/// Optional Lyapunov rows ride in the same buffer (one GEMM per step for both) and are re-orthonormalised each step.
/// </summary>
internal static class JacobianSweep
{
    /// <summary>Iteration limit of the per-step power iteration (warm-started, so usually 2–5 are used).</summary>
    public const int PowerMaxIterations = 300;
    /// <summary>Switch to the factored phase when the numerical rank is at most this fraction of the current rank.</summary>
    const double SwitchFraction = 0.5;

    /// <param name="start">M_0 [m0, S]</param>
    /// <param name="lyapunov">how many Lyapunov vectors to carry (0 for none); their log growth per step is summed</param>
    public static SweepResult Run(IStepMap map, ReadOnlySpan<double> start, int m0, IReadOnlyList<SweepReadout> readouts, FlowOptions options, int lyapunov = 0)
    {
        int S = map.StateSize, T = map.Steps, p = lyapunov;
        double tol = options.TruncationTolerance;
        long tProducts = 0, tOrtho = 0, tNorms = 0, mark;
        foreach (var ro in readouts) ro.Allocate(T, m0);
        var rank = new int[T];

        var cur = new double[(p + m0) * S];
        var nxt = new double[(p + m0) * S];
        start[..(m0 * S)].CopyTo(cur.AsSpan(p * S));
        var lr = new double[p * p];
        var lyapSum = new double[p];
        if (p > 0)
        {
            new SeededRandom(options.Seed).FillGaussian<double>(cur.AsSpan(0, p * S), 0, 1);
            DenseOps.OrthonormalizeRows(cur.AsSpan(0, p * S), p, S, lr);
        }
        int r = m0, cc = m0;
        bool factored = false;
        var cMat = Array.Empty<double>();
        var rMat = new double[m0 * m0];
        var cNew = new double[m0 * m0];
        int maxCols = Math.Max(S, readouts.Count == 0 ? 1 : readouts.Max(ro => ro.Count));
        var y = new double[m0 * maxCols];                                // U·R_k or M_k·R_k
        var xt = new double[m0 * maxCols];                               // the readout X_k
        var rk = new double[S * maxCols];                                // R_k when a matrix
        var w = new double[maxCols];
        var scratch = new double[m0 * S];
        double logScale = 0;                                             // ln of the factor taken out of the product
        int nextCheck = 8;

        ReadAll(0);
        rank[0] = m0;
        for (int k = 1; k < T; k++)
        {
            int m = p + r;
            mark = Stopwatch.GetTimestamp();
            map.Apply(k, cur.AsSpan(0, m * S), m, nxt.AsSpan(0, m * S));
            (cur, nxt) = (nxt, cur);
            Span<double> ut = cur.AsSpan(p * S, m0 * S);
            tProducts += Stopwatch.GetTimestamp() - mark;
            mark = Stopwatch.GetTimestamp();
            if (p > 0)
            {
                DenseOps.OrthonormalizeRows(cur.AsSpan(0, p * S), p, S, lr, dependence: 0);
                for (int i = 0; i < p; i++) lyapSum[i] += Math.Log(Math.Max(lr[i * p + i], 1e-300)); // a collapsed direction counts as e^−690
            }
            if (!factored)
            {
                double fro = Frobenius(ut[..(r * S)]);
                if (fro == 0) { FillDead(readouts, rank, k); break; }
                System.Numerics.Tensors.TensorPrimitives.Multiply(ut[..(r * S)], 1.0 / fro, ut[..(r * S)]);
                logScale += Math.Log(fro);
                if (tol > 0 && k == nextCheck)
                {
                    nextCheck *= 2;
                    // Numerical rank of M_k from its singular values; switch when it has fallen far enough.
                    // Singular values alone first (several times cheaper); the vectors only when switching.
                    var m0Mat = Matrix<double>.Build.DenseOfRowMajor(r, S, ut[..(r * S)].ToArray());
                    int keep = CountAbove(m0Mat.Svd(computeVectors: false).S, tol);
                    if (keep <= SwitchFraction * r)
                    {
                        var svd = m0Mat.Svd(computeVectors: true);
                        keep = CountAbove(svd.S, tol);
                        // M = A Σ Bᵀ: Uᵀ = Bᵀ[:keep], C = Σ[:keep], A absorbed into Z.
                        var vt = svd.VT;
                        for (int j = 0; j < keep; j++)
                            for (int q = 0; q < S; q++) ut[j * S + q] = vt[j, q];
                        r = keep; cc = keep;
                        cMat = new double[m0 * m0];
                        for (int j = 0; j < keep; j++) cMat[j * cc + j] = svd.S[j];
                        NormalizeC(cMat.AsSpan(0, r * cc), ref logScale);
                        factored = true;
                        ResetWarmStarts(readouts);
                        nextCheck = k + Math.Max(1, k / 16);
                    }
                }
            }
            else
            {
                int kept = DenseOps.OrthonormalizeRows(ut[..(r * S)], r, S, rMat);
                if (kept == 0) { FillDead(readouts, rank, k); break; }
                DenseOps.MatMul(rMat, cMat, cNew, kept, r, cc);
                (cMat, cNew) = (cNew, cMat);
                r = kept;
                NormalizeC(cMat.AsSpan(0, r * cc), ref logScale);
                if (tol > 0 && k >= nextCheck)
                {
                    nextCheck = k + Math.Max(1, k / 16);
                    Deflate(ref r, ref cc, ut, scratch, S, cMat, tol);
                    ResetWarmStarts(readouts);
                }
            }
            tOrtho += Stopwatch.GetTimestamp() - mark;
            mark = Stopwatch.GetTimestamp();
            ReadAll(k);
            rank[k] = r;
            tNorms += Stopwatch.GetTimestamp() - mark;
        }
        return new SweepResult(rank, lyapSum, Seconds(tProducts), Seconds(tOrtho), Seconds(tNorms));

        void ReadAll(int k)
        {
            ReadOnlySpan<double> ut = cur.AsSpan(p * S, r * S);
            foreach (var ro in readouts)
            {
                int n = ro.Count, rows, cols, stride;
                ReadOnlySpan<double> x;
                // Y = Uᵀ·R_k [r, n] (the rows themselves in the explicit phase, where C = I)
                ReadOnlySpan<double> yv;
                int yStride;
                if (ro.Matrix is not null)
                {
                    ro.Matrix(k, rk.AsSpan(0, S * n));
                    Gemm.Multiply<double>(Op.N, Op.N, r, n, S, ut, rk.AsSpan(0, S * n), y.AsSpan(0, r * n), accumulate: false);
                    yv = y.AsSpan(0, r * n); yStride = n;
                }
                else { yv = ut[ro.Start..]; yStride = S; }
                if (!factored) { x = yv; rows = r; cols = n; stride = yStride; }
                else if (ro.Matrix is null && ro.Start == 0 && n == S)
                {
                    // U has orthonormal rows: the whole state's norms are C's.
                    for (int a = 0; a < cc; a++)
                        for (int b = 0; b < r; b++) xt[a * r + b] = cMat[b * cc + a];
                    x = xt; rows = cc; cols = r; stride = r;
                }
                else
                {
                    // X = Cᵀ·Y [cc, n]
                    xt.AsSpan(0, cc * n).Clear();
                    for (int a = 0; a < cc; a++)
                        for (int b = 0; b < r; b++)
                        {
                            double cba = cMat[b * cc + a];
                            if (cba != 0) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(yv.Slice(b * yStride, n), cba, xt.AsSpan(a * n, n), xt.AsSpan(a * n, n));
                        }
                    x = xt; rows = cc; cols = n; stride = n;
                }
                var (spec, frob, ok) = DenseOps.Norms(x, rows, cols, stride, ro.WarmStart, w, options.PowerTolerance, PowerMaxIterations);
                if (!ok)
                {
                    ro.PowerIterationLimitHits++;
                    ro.DenseSvdFallbacks++;
                    spec = DenseOps.SpectralNormBySvd(x, rows, cols, stride);
                }
                ro.Log10Spectral[k] = spec > 0 ? (Math.Log(spec) + logScale) / Math.Log(10) : double.NegativeInfinity;
                ro.Log10Frobenius[k] = frob > 0 ? (Math.Log(frob) + logScale) / Math.Log(10) : double.NegativeInfinity;
            }
        }
    }

    /// <summary>SVD of C [r, cc]; keep the directions above tol·σ₁: Uᵀ ← A[:, :keep]ᵀ·Uᵀ, C ← diag(σ[:keep]).</summary>
    static void Deflate(ref int r, ref int cc, Span<double> ut, double[] scratch, int S, double[] cMat, double tol)
    {
        var svd = Matrix<double>.Build.DenseOfRowMajor(r, cc, cMat.AsSpan(0, r * cc).ToArray()).Svd(computeVectors: true);
        int keep = CountAbove(svd.S, tol);
        var a = svd.U;                                                   // [r, r]
        var aCols = new double[r * keep];                                // A[:, :keep] contiguous, [r, keep]
        for (int i = 0; i < r; i++)
            for (int j = 0; j < keep; j++) aCols[i * keep + j] = a[i, j];
        Gemm.Multiply<double>(Op.T, Op.N, keep, S, r, aCols, ut[..(r * S)], scratch.AsSpan(0, keep * S), accumulate: false);
        scratch.AsSpan(0, keep * S).CopyTo(ut);
        cMat.AsSpan(0, keep * keep).Clear();
        for (int j = 0; j < keep; j++) cMat[j * keep + j] = svd.S[j];
        r = keep; cc = keep;
    }

    /// <summary>After a change of coordinates the previous singular vectors mean nothing; e₁ is the top one of diag(σ).</summary>
    static void ResetWarmStarts(IReadOnlyList<SweepReadout> readouts)
    {
        foreach (var ro in readouts) { Array.Clear(ro.WarmStart); ro.WarmStart[0] = 1; }
    }

    static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    static void NormalizeC(Span<double> c, ref double logScale)
    {
        double fro = Frobenius(c);
        if (fro == 0) return;
        System.Numerics.Tensors.TensorPrimitives.Multiply(c, 1.0 / fro, c);
        logScale += Math.Log(fro);
    }

    static int CountAbove(MathNet.Numerics.LinearAlgebra.Vector<double> s, double tol)
    {
        int keep = 0;
        double cut = tol * s[0];
        while (keep < s.Count && s[keep] > cut) keep++;
        return Math.Max(keep, 1);
    }

    static double Frobenius(ReadOnlySpan<double> a) => Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(a, a));

    static void FillDead(IReadOnlyList<SweepReadout> readouts, int[] rank, int from)
    {
        // The product is exactly zero (e.g. every ReLU unit off at one step): all earlier states have no influence.
        foreach (var ro in readouts)
            for (int k = from; k < ro.Log10Spectral.Length; k++) { ro.Log10Spectral[k] = double.NegativeInfinity; ro.Log10Frobenius[k] = double.NegativeInfinity; }
        for (int k = from; k < rank.Length; k++) rank[k] = 0;
    }
}
