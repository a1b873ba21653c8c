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

    /// <param name="start">M_0 [m0, S]</param>
    /// <param name="lyapunov">how many Lyapunov vectors to carry (0 for none); their log growth per step is summed</param>
    public static SweepResult Run(IStepMap map, ReadOnlySpan<double> start, int m0, IReadOnlyList<SweepReadout> readouts, FlowOptions options, int lyapunov = 0)
    {
        int T = map.Steps;
        foreach (var ro in readouts) ro.Allocate(T, m0);
        var product = new RunningProduct(map.StateSize, m0, lyapunov, start, options);
        var reader = new ReadoutReader(map.StateSize, m0, readouts, options);
        var rank = new int[T];
        long tProducts = 0, tOrtho = 0, tNorms = 0, mark;

        reader.ReadAll(product, 0);
        rank[0] = m0;
        for (int k = 1; k < T; k++)
        {
            mark = Stopwatch.GetTimestamp();
            product.Multiply(map, k);
            tProducts += Stopwatch.GetTimestamp() - mark;
            mark = Stopwatch.GetTimestamp();
            product.ReorthonormalizeLyapunov();
            var outcome = product.Condition(k);
            if (outcome == StepOutcome.Dead) { FillDead(readouts, rank, k); break; }
            if (outcome == StepOutcome.CoordinatesChanged) ResetWarmStarts(readouts);
            tOrtho += Stopwatch.GetTimestamp() - mark;
            mark = Stopwatch.GetTimestamp();
            reader.ReadAll(product, k);
            rank[k] = product.Rank;
            tNorms += Stopwatch.GetTimestamp() - mark;
            options.Progress?.Invoke(k, T);
        }
        return new SweepResult(rank, product.LyapunovSums, Seconds(tProducts), Seconds(tOrtho), Seconds(tNorms));
    }

    /// <summary>What conditioning the product after a step did, for the driver: go on, re-seed the warm starts, or stop.</summary>
    enum StepOutcome { Continued, CoordinatesChanged, Dead }

    /// <summary>
    /// The rows the sweep multiplies, and the phase they are in. Rows 0..p−1 are the Lyapunov vectors, the rest
    /// the product's rows: M_k itself (explicit phase), or U_kᵀ beside the small C_k (factored phase). Both kinds
    /// share one buffer so one GEMM per step advances them all.
    /// </summary>
    sealed class RunningProduct
    {
        /// <summary>Switch to the factored phase when the numerical rank is at most this fraction of the current rank.</summary>
        const double SwitchFraction = 0.5;

        readonly int S, p, m0;
        readonly double tol;
        double[] cur, nxt;
        readonly double[] lr, lyapSum;
        double[] cMat = [], cNew;
        readonly double[] rMat, scratch;
        int r, cc;
        int nextCheck = 8;

        public RunningProduct(int stateSize, int m0, int lyapunov, ReadOnlySpan<double> start, FlowOptions options)
        {
            S = stateSize; p = lyapunov; this.m0 = m0; tol = options.TruncationTolerance;
            cur = new double[(p + m0) * S];
            nxt = new double[(p + m0) * S];
            start[..(m0 * S)].CopyTo(cur.AsSpan(p * S));
            lr = new double[p * p];
            lyapSum = new double[p];
            if (p > 0)
            {
                new SeededRandom(options.Seed).FillGaussian<double>(cur.AsSpan(0, p * S), 0, 1);
                DenseOps.OrthonormalizeRows(cur.AsSpan(0, p * S), p, S, lr);
            }
            r = m0; cc = m0;
            rMat = new double[m0 * m0];
            cNew = new double[m0 * m0];
            scratch = new double[m0 * S];
        }

        /// <summary>Rows of U_kᵀ (or of M_k in the explicit phase) kept: the product's numerical rank.</summary>
        public int Rank => r;
        /// <summary>Columns of C_k (rows of the readouts in the factored phase).</summary>
        public int CColumns => cc;
        public bool Factored { get; private set; }
        /// <summary>ln of the factor taken out of the product by the renormalisations.</summary>
        public double LogScale { get; private set; }
        /// <summary>C_k [r, cc], row-major (factored phase only).</summary>
        public ReadOnlySpan<double> C => cMat;
        /// <summary>The product's rows, [r, S].</summary>
        public ReadOnlySpan<double> Rows => cur.AsSpan(p * S, r * S);
        /// <summary>Σ_t ln R_ii of the Lyapunov vectors' Gram–Schmidt.</summary>
        public double[] LyapunovSums => lyapSum;

        Span<double> ProductRows => cur.AsSpan(p * S, cur.Length - p * S);

        /// <summary>Every row (Lyapunov and product) times K_k, in one GEMM.</summary>
        public void Multiply(IStepMap map, int k)
        {
            int m = p + r;
            map.Apply(k, cur.AsSpan(0, m * S), m, nxt.AsSpan(0, m * S));
            (cur, nxt) = (nxt, cur);
        }

        /// <summary>
        /// The QR step of Benettin et al. on the Lyapunov rows: re-orthonormalise them and add the log of each
        /// one's growth (a collapsed direction counts as e^−690).
        /// </summary>
        public void ReorthonormalizeLyapunov()
        {
            if (p == 0) return;
            DenseOps.OrthonormalizeRows(cur.AsSpan(0, p * S), p, S, lr, dependence: 0);
            for (int i = 0; i < p; i++) lyapSum[i] += Math.Log(Math.Max(lr[i * p + i], 1e-300));
        }

        /// <summary>Keeps the product representable after a step: renormalised, and in the cheapest form that stays exact to the tolerance.</summary>
        public StepOutcome Condition(int k) => Factored ? FactoredStep(k) : ExplicitStep(k);

        /// <summary>
        /// Explicit phase: M_k is renormalised (so T = 10,000 does not underflow), and at k = 8, 16, 32, … its
        /// numerical rank decides whether to switch to the factored phase.
        /// </summary>
        StepOutcome ExplicitStep(int k)
        {
            Span<double> ut = ProductRows;
            double fro = Frobenius(ut[..(r * S)]);
            if (fro == 0) return StepOutcome.Dead;
            System.Numerics.Tensors.TensorPrimitives.Multiply(ut[..(r * S)], 1.0 / fro, ut[..(r * S)]);
            LogScale += Math.Log(fro);
            if (tol > 0 && k == nextCheck)
            {
                nextCheck *= 2;
                if (TrySwitchToFactored(k)) return StepOutcome.CoordinatesChanged;
            }
            return StepOutcome.Continued;
        }

        /// <summary>
        /// Numerical rank of M_k from its singular values; switch when it has fallen to half or less. Singular values
        /// alone first (several times cheaper); the vectors only when switching: M = A Σ Bᵀ gives Uᵀ = Bᵀ[:keep],
        /// C = Σ[:keep], with A absorbed into the never-formed Z.
        /// </summary>
        bool TrySwitchToFactored(int k)
        {
            Span<double> ut = ProductRows;
            var m0Mat = Matrix<double>.Build.DenseOfRowMajor(r, S, ut[..(r * S)].ToArray());
            int keep = CountAbove(m0Mat.Svd(computeVectors: false).S, tol);
            if (keep > SwitchFraction * r) return false;
            var svd = m0Mat.Svd(computeVectors: true);
            keep = CountAbove(svd.S, tol);
            var vt = svd.VT;
            for (int j = 0; j < keep; j++)
                for (int q = 0; q < S; q++) ut[j * S + q] = vt[j, q];
            r = keep; cc = keep;
            cMat = new double[m0 * m0];
            for (int j = 0; j < keep; j++) cMat[j * cc + j] = svd.S[j];
            NormalizeC();
            Factored = true;
            nextCheck = k + Math.Max(1, k / 16);
            return true;
        }

        /// <summary>
        /// Factored phase: Y = U_kᵀ·K_k = Rᵀ·Q by Gram–Schmidt, Uᵀ ← Q, C ← R·C (renormalised), and every k/16
        /// steps a deflation.
        /// </summary>
        StepOutcome FactoredStep(int k)
        {
            Span<double> ut = ProductRows;
            int kept = DenseOps.OrthonormalizeRows(ut[..(r * S)], r, S, rMat);
            if (kept == 0) return StepOutcome.Dead;
            DenseOps.MatMul(rMat, cMat, cNew, kept, r, cc);
            (cMat, cNew) = (cNew, cMat);
            r = kept;
            NormalizeC();
            if (tol > 0 && k >= nextCheck)
            {
                nextCheck = k + Math.Max(1, k / 16);
                Deflate();
                return StepOutcome.CoordinatesChanged;
            }
            return StepOutcome.Continued;
        }

        /// <summary>SVD of C [r, cc]; keep the directions above tol·σ₁: Uᵀ ← A[:, :keep]ᵀ·Uᵀ, C ← diag(σ[:keep]).</summary>
        void Deflate()
        {
            Span<double> ut = ProductRows;
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

        /// <summary>C's scale moves into <see cref="LogScale"/>, as M_k's does in the explicit phase.</summary>
        void NormalizeC()
        {
            Span<double> c = cMat.AsSpan(0, r * cc);
            double fro = Frobenius(c);
            if (fro == 0) return;
            System.Numerics.Tensors.TensorPrimitives.Multiply(c, 1.0 / fro, c);
            LogScale += Math.Log(fro);
        }
    }

    /// <summary>
    /// Reads every readout off the product at one k: X_k = M_k·R_k (explicit phase) or Cᵀ·(Uᵀ·R_k) (factored phase,
    /// up to the dropped Z, which has orthonormal columns and so changes no singular value), then its norms with the
    /// product's log-scale put back.
    /// </summary>
    sealed class ReadoutReader
    {
        readonly int S;
        readonly IReadOnlyList<SweepReadout> readouts;
        readonly FlowOptions options;
        readonly double[] y, xt, rk, w;

        public ReadoutReader(int stateSize, int m0, IReadOnlyList<SweepReadout> readouts, FlowOptions options)
        {
            S = stateSize;
            this.readouts = readouts;
            this.options = options;
            int maxCols = Math.Max(S, readouts.Count == 0 ? 1 : readouts.Max(ro => ro.Count));
            y = new double[m0 * maxCols];                                    // U·R_k or M_k·R_k
            xt = new double[m0 * maxCols];                                   // the readout X_k
            rk = new double[S * maxCols];                                    // R_k when a matrix
            w = new double[maxCols];
        }

        public void ReadAll(RunningProduct product, int k)
        {
            foreach (var ro in readouts)
            {
                var x = Readout(product, ro, k, out int rows, out int cols, out int stride);
                Measure(ro, k, x, rows, cols, stride, product.LogScale);
            }
        }

        /// <summary>X_k [rows, cols] (row stride <paramref name="stride"/>) for one readout.</summary>
        ReadOnlySpan<double> Readout(RunningProduct product, SweepReadout ro, int k, out int rows, out int cols, out int stride)
        {
            int n = ro.Count, r = product.Rank, cc = product.CColumns;
            ReadOnlySpan<double> ut = product.Rows;
            ReadOnlySpan<double> cMat = product.C;
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
            if (!product.Factored) { rows = r; cols = n; stride = yStride; return yv; }
            if (ro.Matrix is null && ro.Start == 0 && n == S)
            {
                // U has orthonormal rows: the whole state's norms are C's.
                for (int a = 0; a < cc; a++)
                    for (int b = 0; b < r; b++) xt[a * r + b] = cMat[b * cc + a];
                rows = cc; cols = r; stride = r;
                return xt;
            }
            // X = Cᵀ·Y [cc, n]
            xt.AsSpan(0, cc * n).Clear();
            for (int a = 0; a < cc; a++)
                for (int b = 0; b < r; b++)
                {
                    double cba = cMat[b * cc + a];
                    if (cba != 0) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(yv.Slice(b * yStride, n), cba, xt.AsSpan(a * n, n), xt.AsSpan(a * n, n));
                }
            rows = cc; cols = n; stride = n;
            return xt;
        }

        /// <summary>
        /// Spectral norm by the warm-started power iteration, by a dense SVD when that reaches its limit (so no k is
        /// reported from an unconverged iteration), and the Frobenius norm; both as log10 with the scale put back.
        /// </summary>
        void Measure(SweepReadout ro, int k, ReadOnlySpan<double> x, int rows, int cols, int stride, double logScale)
        {
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

    /// <summary>After a change of coordinates the previous singular vectors mean nothing; e₁ is the top one of diag(σ).</summary>
    static void ResetWarmStarts(IReadOnlyList<SweepReadout> readouts)
    {
        foreach (var ro in readouts) { Array.Clear(ro.WarmStart); ro.WarmStart[0] = 1; }
    }

    static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    static int CountAbove(MathNet.Numerics.LinearAlgebra.Vector<double> s, double tol)
    {
        int keep = 0;
        double cut = tol * s[0];
        while (keep < s.Count && s[keep] > cut) keep++;
        return Math.Max(keep, 1);
    }

    static double Frobenius(ReadOnlySpan<double> a) => Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(a, a));

    /// <summary>The product is exactly zero (e.g. every ReLU unit off at one step): all earlier states have no influence.</summary>
    static void FillDead(IReadOnlyList<SweepReadout> readouts, int[] rank, int from)
    {
        foreach (var ro in readouts)
            for (int k = from; k < ro.Log10Spectral.Length; k++) { ro.Log10Spectral[k] = double.NegativeInfinity; ro.Log10Frobenius[k] = double.NegativeInfinity; }
        for (int k = from; k < rank.Length; k++) rank[k] = 0;
    }
}
