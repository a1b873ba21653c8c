using System.Diagnostics;
using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Analysis;

/// <summary>Settings of a flow-profile sweep; the one record the command line, the web page and the benchmarks share.</summary>
public sealed record FlowOptions
{
    /// <summary>
    /// Singular directions of the running product smaller than this fraction of its largest singular value are
    /// dropped. Their share of the Frobenius norm is at most √(H)·tol, and a dropped direction is contracted by the
    /// later Jacobians like any other, so the reported norms move by about tol relative. 0 keeps the product exact
    /// (full rank at every k, T·H³ work).
    /// </summary>
    public double TruncationTolerance { get; init; } = 1e-10;

    /// <summary>How many Lyapunov exponents to estimate (the "first few"); clipped to the state size.</summary>
    public int LyapunovCount { get; init; } = 4;

    /// <summary>The gradient horizon is the largest k with ‖∂h_T/∂h_{T−k}‖₂ ≥ this fraction of its value at k = 0 (1%).</summary>
    public double HorizonThreshold { get; init; } = 0.01;

    /// <summary>Relative tolerance on σ₁² of the warm-started power iteration at each k.</summary>
    public double PowerTolerance { get; init; } = 1e-12;

    /// <summary>Whether to compute the spectral radius of W_hh (or of each gate block) with the eigen solver.</summary>
    public bool ComputeSpectralRadius { get; init; } = true;

    /// <summary>Seed of the random orthonormal start of the Lyapunov vectors.</summary>
    public ulong Seed { get; init; } = 1;
}

/// <summary>
/// A flow profile: for k = 0..T−1 the norms of ∂h_T/∂h_{T−k}. Arrays are indexed by k. Property names map 1:1 to
/// the JSON fields of <c>rnnlab flow --json</c> (snake_case). The linear norms underflow to 0 below ~1e−308; the
/// log10 arrays stay finite for any T.
/// </summary>
public sealed class FlowResult
{
    public required string Cell { get; init; }
    public required int HiddenSize { get; init; }
    public required int Steps { get; init; }
    /// <summary>spectral_norm: ‖∂h_T/∂h_{T−k}‖₂, the largest singular value.</summary>
    public required double[] SpectralNorm { get; init; }
    /// <summary>frobenius_norm: ‖∂h_T/∂h_{T−k}‖_F.</summary>
    public required double[] FrobeniusNorm { get; init; }
    /// <summary>log10_spectral_norm.</summary>
    public required double[] Log10SpectralNorm { get; init; }
    /// <summary>log10_frobenius_norm.</summary>
    public required double[] Log10FrobeniusNorm { get; init; }
    /// <summary>cell_spectral_norm (LSTM only): ‖∂c_T/∂c_{T−k}‖₂ along the cell path, h held fixed: ‖Π diag(f_t)‖₂ = max_j Π f_t[j].</summary>
    public double[]? CellSpectralNorm { get; init; }
    /// <summary>log10_cell_spectral_norm (LSTM only).</summary>
    public double[]? Log10CellSpectralNorm { get; init; }
    /// <summary>cell_frobenius_norm (LSTM only).</summary>
    public double[]? CellFrobeniusNorm { get; init; }
    /// <summary>spectral_radius: ρ(W_hh) for the RNN; for the LSTM and GRU the largest of the gate blocks' radii.</summary>
    public double? SpectralRadius { get; init; }
    /// <summary>gate_spectral_radii: ρ of each H×H block of W_hh, in PyTorch's gate order (i, f, g, o / r, z, n; "h" for the RNN).</summary>
    public IReadOnlyDictionary<string, double>? GateSpectralRadii { get; init; }
    /// <summary>lyapunov_exponents: the first few, natural log per step, decreasing.</summary>
    public required double[] LyapunovExponents { get; init; }
    /// <summary>effective_rho = exp(λ₁): the per-step factor the lesson's ρ^(T−1) stands for, measured.</summary>
    public required double EffectiveRho { get; init; }
    /// <summary>decay_rate: least-squares slope of ln ‖∂h_T/∂h_{T−k}‖₂ against k (negative: vanishing).</summary>
    public required double DecayRate { get; init; }
    /// <summary>horizon: largest k with ‖·‖₂ ≥ threshold × its value at k = 0.</summary>
    public required int Horizon { get; init; }
    public required double HorizonThreshold { get; init; }
    /// <summary>rank: dimension of the running product kept at each k (diagnostic of the truncation).</summary>
    public required int[] Rank { get; init; }
    /// <summary>Steps whose power iteration hit its iteration limit before the tolerance (should be 0).</summary>
    public required int PowerIterationLimitHits { get; init; }
    public required double ElapsedSeconds { get; init; }
    /// <summary>Where the time went, so every run doubles as a profile.</summary>
    public required FlowTimings Timings { get; init; }
}

/// <summary>Seconds spent in each part of a flow sweep.</summary>
/// <param name="Trajectory">the float64 forward pass</param>
/// <param name="Products">forming step Jacobians and the GEMMs with them</param>
/// <param name="Orthogonalization">Gram–Schmidt, the small products R·C, and the SVDs that decide the rank</param>
/// <param name="Norms">power iterations and Frobenius norms at every k</param>
/// <param name="Spectrum">eigenvalues of W_hh for the spectral radius</param>
public sealed record FlowTimings(double Trajectory, double Products, double Orthogonalization, double Norms, double Spectrum);

/// <summary>
/// The flow profile ‖∂h_T/∂h_{T−k}‖ for k = 0..T−1 in one backward sweep.
///
/// With J_t = ∂s_t/∂s_{t−1} (see <see cref="StepJacobian"/>) the running product is P_0 = I,
/// P_k = P_{k−1}·J_{T−k+1} = ∂s_T/∂s_{T−k}. The sweep carries its transpose M_k = P_kᵀ = J_{T−k+1}ᵀ·M_{k−1} (the
/// gradient vectors of the H outputs h_T, pulled back one step at a time: what BPTT does with one vector), as
/// rows of a buffer, so each step is one GEMM [r, S]·[S, S].
/// Two phases:
/// <list type="number">
/// <item>Explicit: M_k itself, renormalised every step (its log-scale accumulated), norms by power iteration
/// warm-started from the previous k's singular vector.</item>
/// <item>Factored, once the product's numerical rank has fallen to half or less (checked by SVD at k = 8, 16, 32,…):
/// M_k = U_k·C_k·Zᵀ with U_k [S, r] orthonormal, C_k [r, c] small and Z never formed (a factor with orthonormal
/// columns does not change singular values). A step is Y = J_tᵀ·U, Y = Q·R (Gram–Schmidt), U ← Q, C ← R·C: the QR
/// iteration of Benettin et al. (Meccanica 15, 1980), here with deflation: an SVD of C now and then drops the
/// directions below <see cref="FlowOptions.TruncationTolerance"/>. Products of random-like Jacobians separate
/// their singular values at rates λ_i − λ₁ ≈ −i/(2H) per step, so the rank falls roughly like H·ln(1/tol)/k and
/// the sweep costs about H³·ln(T)·ln(1/tol) instead of T·H³.</item>
/// </list>
/// The LSTM's state is s = (h, c): the sweep starts from M_0 = [I; 0] (the h_T rows) and reports the h-block
/// ∂h_T/∂h_{T−k} = top H rows of M_k; the cell path ∏ diag(f_t) is accumulated separately in log space.
/// </summary>
public static class FlowProfile
{
    /// <summary>Iteration limit of the per-step power iteration (warm-started, so usually 2–5 are used).</summary>
    public const int PowerMaxIterations = 300;
    /// <summary>Switch to the factored phase when the numerical rank is at most this fraction of the current rank.</summary>
    const double SwitchFraction = 0.5;

    /// <summary>Flow profile of a layer's weights on the sequence x [T, I] from zero state (batch 1, analysed in float64).</summary>
    public static FlowResult Compute<T>(RecurrentLayer<T> layer, ReadOnlySpan<double> x, int steps, FlowOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Compute(CellWeights.From(layer), x, steps, options);

    public static FlowResult Compute(CellWeights cell, ReadOnlySpan<double> x, int steps, FlowOptions? options = null)
    {
        var sw = Stopwatch.StartNew();
        var tr = CellTrajectory.Run(cell, x, steps);
        return Compute(tr, options, sw, sw.Elapsed.TotalSeconds);
    }

    public static FlowResult Compute(CellTrajectory tr, FlowOptions? options = null) => Compute(tr, options, Stopwatch.StartNew(), 0);

    static FlowResult Compute(CellTrajectory tr, FlowOptions? options, Stopwatch sw, double trajectorySeconds)
    {
        long tProducts = 0, tOrtho = 0, tNorms = 0, mark;
        options ??= new FlowOptions();
        var cell = tr.Cell;
        int T = tr.Steps, H = cell.HiddenSize, S = cell.StateSize, L = H;   // L: the reported rows (h) of the state
        bool lstm = cell.Kind == CellKind.Lstm, rnn = cell.Kind == CellKind.Rnn;
        double tol = options.TruncationTolerance;

        var log10Spec = new double[T];
        var log10Fro = new double[T];
        var rank = new int[T];
        int limitHits = 0;

        // Lyapunov vectors: p orthonormal rows [p, S], QR'd every step (Benettin et al. 1980).
        int p = Math.Clamp(options.LyapunovCount, 0, S);
        // One buffer holds the p Lyapunov rows and then the running product's rows, so that each step streams
        // the Jacobian through one GEMM [p + r, S]·[S, S] instead of two.
        // Product rows: phase 1 ut = M_kᵀ [H, S]; phase 2 ut = U_kᵀ [r, S], with cMat = C_k [r, cc].
        var cur = new double[(p + H) * S];
        var nxt = new double[(p + H) * S];
        for (int j = 0; j < H; j++) cur[(p + j) * S + j] = 1;         // M_0 = [I; 0]: row j is e_j
        int r = H, cc = H;
        bool factored = false;
        var cMat = Array.Empty<double>();
        var rMat = new double[H * H];
        var cNew = new double[H * H];
        var xt = new double[H * Math.Max(H, S)];                        // the readout X_kᵀ for the norms
        var v = new double[H];                                          // warm start: top singular vector, stable coordinates
        var w = new double[Math.Max(S, H)];
        var scratch = new double[H * S];
        v.AsSpan().Fill(1.0);
        double logScale = 0;                                            // ln of the factor taken out of the product
        int nextCheck = 8;

        var lr = new double[p * p];
        var lyapSum = new double[p];
        if (p > 0)
        {
            new SeededRandom(options.Seed).FillGaussian<double>(cur.AsSpan(0, p * S), 0, 1);
            DenseOps.OrthonormalizeRows(cur.AsSpan(0, p * S), p, S, lr);
        }

        // LSTM cell path: ln ∏ f_t[j] per unit.
        var logF = lstm ? new double[H] : [];
        double[]? log10CellSpec = lstm ? new double[T] : null, log10CellFro = lstm ? new double[T] : null;
        if (lstm) { log10CellSpec![0] = 0; log10CellFro![0] = 0.5 * Math.Log10(H); }

        var jac = rnn ? [] : new double[S * S];
        var d = new double[H];

        log10Spec[0] = 0;                                               // ∂h_T/∂h_T = I
        log10Fro[0] = 0.5 * Math.Log10(H);
        rank[0] = H;

        for (int k = 1; k < T; k++)
        {
            int t = T - k + 1;                                          // M_k = J_tᵀ·M_{k−1}
            // Rows: (J_tᵀ u)ᵀ = uᵀ·J_t. RNN: J = diag(d)·W_hh, so scale the columns of the rows by d, then ·W_hh.
            int m = p + r;
            mark = Stopwatch.GetTimestamp();
            if (rnn)
            {
                StepJacobian.RnnDiagonal(tr, t, d);
                for (int j = 0; j < m; j++) System.Numerics.Tensors.TensorPrimitives.Multiply(cur.AsSpan(j * S, S), d, cur.AsSpan(j * S, S));
                Gemm.Multiply<double>(Op.N, Op.N, m, S, S, cur.AsSpan(0, m * S), cell.WeightHH, nxt.AsSpan(0, m * S), accumulate: false);
            }
            else
            {
                StepJacobian.Dense(tr, t, jac);
                Gemm.Multiply<double>(Op.N, Op.N, m, S, S, cur.AsSpan(0, m * S), jac, nxt.AsSpan(0, m * S), accumulate: false);
            }
            (cur, nxt) = (nxt, cur);
            Span<double> ut = cur.AsSpan(p * S, H * S);
            tProducts += Stopwatch.GetTimestamp() - mark;
            mark = Stopwatch.GetTimestamp();
            if (p > 0)
            {
                DenseOps.OrthonormalizeRows(cur.AsSpan(0, p * S), p, S, lr, dependence: 0);
                for (int i = 0; i < p; i++) lyapSum[i] += Math.Log(Math.Max(lr[i * p + i], 1e-300)); // a collapsed direction counts as e^−690
            }
            if (lstm)
            {
                ReadOnlySpan<double> f = StepJacobian.ForgetGate(tr, t);
                for (int j = 0; j < H; j++) logF[j] += Math.Log(f[j]);
                (log10CellSpec![k], log10CellFro![k]) = LogNorms(logF);
            }

            int readRows, readCols, stride;
            if (!factored)
            {
                double fro = Frobenius(ut.Slice(0, r * S));
                if (fro == 0) { FillDead(log10Spec, log10Fro, rank, k); break; }
                System.Numerics.Tensors.TensorPrimitives.Multiply(ut.Slice(0, r * S), 1.0 / fro, ut.Slice(0, r * S));
                logScale += Math.Log(fro);
                if (tol > 0 && k == nextCheck)
                {
                    nextCheck *= 2;
                    // Numerical rank of M_k from its singular values; switch when it has fallen far enough.
                    // Singular values alone first (several times cheaper); the vectors only when switching.
                    var m0 = Matrix<double>.Build.DenseOfRowMajor(r, S, ut.Slice(0, r * S).ToArray());
                    int keep = CountAbove(m0.Svd(computeVectors: false).S, tol);
                    if (keep <= SwitchFraction * r)
                    {
                        var svd = m0.Svd(computeVectors: true);
                        keep = CountAbove(svd.S, tol);
                        // M = utᵀ = (A Σ Bᵀ)ᵀ = B Σ Aᵀ: U = B[:, :keep], C = Σ[:keep], Aᵀ absorbed into Z.
                        var vt = svd.VT;                                  // [S, S], rows are Bᵀ rows
                        for (int j = 0; j < keep; j++)
                            for (int q = 0; q < S; q++) ut[j * S + q] = vt[j, q];
                        r = keep; cc = keep;
                        cMat = new double[H * H];
                        for (int j = 0; j < keep; j++) cMat[j * cc + j] = svd.S[j];
                        NormalizeC(cMat.AsSpan(0, r * cc), ref logScale);
                        factored = true;
                        v.AsSpan().Clear(); v[0] = 1;
                        nextCheck = k + Math.Max(1, k / 16);
                    }
                }
                if (!factored)
                {
                    // X_kᵀ = M_kᵀ restricted to the h coordinates: rows of ut, first L columns.
                    readRows = r; readCols = L; stride = S;
                    tOrtho += Stopwatch.GetTimestamp() - mark;
                    mark = Stopwatch.GetTimestamp();
                    var (spec, frob, ok) = DenseOps.Norms(ut, readRows, readCols, stride, v, w, options.PowerTolerance, PowerMaxIterations);
                    if (!ok) limitHits++;
                    Record(k, spec, frob);
                    rank[k] = r;
                    tNorms += Stopwatch.GetTimestamp() - mark;
                    continue;
                }
            }
            else
            {
                // Y = J_tᵀ U = Q R; U ← Q; C ← R·C.
                int kept = DenseOps.OrthonormalizeRows(ut.Slice(0, r * S), r, S, rMat);
                if (kept == 0) { FillDead(log10Spec, log10Fro, rank, k); break; }
                DenseOps.MatMul(rMat, cMat, cNew, kept, r, cc);
                (cMat, cNew) = (cNew, cMat);
                r = kept;
                NormalizeC(cMat.AsSpan(0, r * cc), ref logScale);
                if (tol > 0 && k >= nextCheck)
                {
                    nextCheck = k + Math.Max(1, k / 16);
                    Deflate(ref r, ref cc, ut, scratch, S, cMat, tol, v);
                }
            }
            tOrtho += Stopwatch.GetTimestamp() - mark;
            mark = Stopwatch.GetTimestamp();
            // Factored readout: X_kᵀ = Cᵀ·Uᵀ[:, :L] (LSTM) or Cᵀ (RNN, GRU, where U is orthonormal and L = S).
            if (lstm)
            {
                xt.AsSpan(0, cc * L).Clear();
                for (int a = 0; a < cc; a++)
                    for (int b = 0; b < r; b++)
                    {
                        double cba = cMat[b * cc + a];
                        if (cba != 0) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(ut.Slice(b * S, L), cba, xt.AsSpan(a * L, L), xt.AsSpan(a * L, L));
                    }
                readRows = cc; readCols = L; stride = L;
            }
            else
            {
                for (int a = 0; a < cc; a++)
                    for (int b = 0; b < r; b++) xt[a * r + b] = cMat[b * cc + a];
                readRows = cc; readCols = r; stride = r;
            }
            {
                var (spec, frob, ok) = DenseOps.Norms(xt, readRows, readCols, stride, v, w, options.PowerTolerance, PowerMaxIterations);
                if (!ok) limitHits++;
                Record(k, spec, frob);
                rank[k] = r;
            }
            tNorms += Stopwatch.GetTimestamp() - mark;
        }

        void Record(int k, double spec, double frob)
        {
            log10Spec[k] = spec > 0 ? (Math.Log(spec) + logScale) / Math.Log(10) : double.NegativeInfinity;
            log10Fro[k] = frob > 0 ? (Math.Log(frob) + logScale) / Math.Log(10) : double.NegativeInfinity;
        }

        int steps = Math.Max(T - 1, 1);
        var lyap = new double[p];
        for (int i = 0; i < p; i++) lyap[i] = T > 1 ? lyapSum[i] / steps : double.NaN;
        Array.Sort(lyap, (a, b) => b.CompareTo(a));

        mark = Stopwatch.GetTimestamp();
        double? radius = null;
        Dictionary<string, double>? gateRadii = null;
        if (options.ComputeSpectralRadius)
        {
            string[] names = cell.Kind switch { CellKind.Lstm => ["i", "f", "g", "o"], CellKind.Gru => ["r", "z", "n"], _ => ["h"] };
            gateRadii = [];
            for (int g = 0; g < names.Length; g++)
                gateRadii[names[g]] = Spectra.SpectralRadius(cell.WeightHH.AsSpan(g * H * H, H * H), H);
            radius = gateRadii.Values.Max();
        }

        return new FlowResult
        {
            Cell = cell.Kind == CellKind.Rnn && cell.Nonlinearity == Nonlinearity.Relu ? "relu" : cell.Kind.Name(),
            HiddenSize = H,
            Steps = T,
            SpectralNorm = Pow10(log10Spec),
            FrobeniusNorm = Pow10(log10Fro),
            Log10SpectralNorm = log10Spec,
            Log10FrobeniusNorm = log10Fro,
            CellSpectralNorm = log10CellSpec is null ? null : Pow10(log10CellSpec),
            Log10CellSpectralNorm = log10CellSpec,
            CellFrobeniusNorm = log10CellFro is null ? null : Pow10(log10CellFro),
            SpectralRadius = radius,
            GateSpectralRadii = gateRadii,
            LyapunovExponents = lyap,
            EffectiveRho = p > 0 ? Math.Exp(lyap[0]) : double.NaN,
            DecayRate = DecayRate(log10Spec),
            Horizon = Horizon(log10Spec, options.HorizonThreshold),
            HorizonThreshold = options.HorizonThreshold,
            Rank = rank,
            PowerIterationLimitHits = limitHits,
            ElapsedSeconds = sw.Elapsed.TotalSeconds,
            Timings = new FlowTimings(trajectorySeconds, Seconds(tProducts), Seconds(tOrtho), Seconds(tNorms), Seconds(Stopwatch.GetTimestamp() - mark)),
        };
    }

    /// <summary>SVD of C [r, cc]; keep the directions above tol·σ₁: U ← A[:, :keep]ᵀ·U, C ← diag(σ[:keep]).</summary>
    static void Deflate(ref int r, ref int cc, Span<double> ut, double[] scratch, int S, double[] cMat, double tol, double[] v)
    {
        var svd = Matrix<double>.Build.DenseOfRowMajor(r, cc, cMat.AsSpan(0, r * cc).ToArray()).Svd(computeVectors: true);
        int keep = CountAbove(svd.S, tol);
        var a = svd.U;                                                   // [r, r]
        var aCols = new double[r * keep];                                // A[:, :keep] contiguous, [r, keep]
        for (int i = 0; i < r; i++)
            for (int j = 0; j < keep; j++) aCols[i * keep + j] = a[i, j];
        Gemm.Multiply<double>(Op.T, Op.N, keep, S, r, aCols, ut.Slice(0, r * S), scratch.AsSpan(0, keep * S), accumulate: false);
        scratch.AsSpan(0, keep * S).CopyTo(ut);
        cMat.AsSpan(0, keep * keep).Clear();
        for (int j = 0; j < keep; j++) cMat[j * keep + j] = svd.S[j];
        r = keep; cc = keep;
        // The top right singular vector of diag(σ) is e₁ (Z rotated by B).
        Array.Clear(v);
        v[0] = 1;
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

    static void FillDead(double[] log10Spec, double[] log10Fro, int[] rank, int from)
    {
        // The product is exactly zero (e.g. every ReLU unit off at one step): all earlier states have no influence.
        for (int k = from; k < log10Spec.Length; k++) { log10Spec[k] = double.NegativeInfinity; log10Fro[k] = double.NegativeInfinity; rank[k] = 0; }
    }

    /// <summary>(log10 max_j e^{ℓ_j}, log10 √Σ_j e^{2ℓ_j}) without leaving log space: the norms of diag(e^ℓ).</summary>
    static (double Spectral, double Frobenius) LogNorms(ReadOnlySpan<double> logF)
    {
        double max = double.NegativeInfinity;
        foreach (double l in logF) max = Math.Max(max, l);
        double s = 0;
        foreach (double l in logF) s += Math.Exp(2 * (l - max));
        return (max / Math.Log(10), (max + 0.5 * Math.Log(s)) / Math.Log(10));
    }

    static double[] Pow10(double[] log10)
    {
        var y = new double[log10.Length];
        for (int i = 0; i < y.Length; i++) y[i] = Math.Pow(10, log10[i]);
        return y;
    }

    /// <summary>Least-squares slope of ln‖·‖ against k over the finite entries: the measured per-step decay rate.</summary>
    public static double DecayRate(ReadOnlySpan<double> log10Norm)
    {
        double n = 0, sk = 0, sy = 0, skk = 0, sky = 0;
        for (int k = 0; k < log10Norm.Length; k++)
        {
            if (!double.IsFinite(log10Norm[k])) continue;
            double y = log10Norm[k] * Math.Log(10);
            n++; sk += k; sy += y; skk += (double)k * k; sky += k * y;
        }
        double den = n * skk - sk * sk;
        return den > 0 ? (n * sky - sk * sy) / den : double.NaN;
    }

    /// <summary>Largest k with norm_k ≥ threshold·norm_0 (log10 input).</summary>
    public static int Horizon(ReadOnlySpan<double> log10Norm, double threshold)
    {
        if (log10Norm.Length == 0) return -1;
        double cut = log10Norm[0] + Math.Log10(threshold);
        for (int k = log10Norm.Length - 1; k >= 0; k--)
            if (log10Norm[k] >= cut) return k;
        return 0;
    }
}
