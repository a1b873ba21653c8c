using System.Diagnostics;
using System.Numerics;
using RnnLab.Models;

namespace RnnLab.Analysis;

/// <summary>Settings of a flow-profile sweep; the one record the command line, the web page and the benchmarks share.</summary>
public sealed record FlowOptions
{
    /// <summary>
    /// Singular directions of the running product smaller than this fraction of its largest singular value are
    /// dropped. When dropped, their share of the Frobenius norm is at most √(H)·tol. The later Jacobians need not
    /// contract them as fast as the kept directions: a dropped direction that persists (an LSTM cell path with f ≈ 1)
    /// while the kept ones decay grows back relative to them, so a norm is not within tol of the exact product in
    /// general; it is off by up to the dropped part's size then, tol·‖M‖, times its growth since. Flow reports no
    /// block below <see cref="FlowProfile.RoundingFloor"/> of the whole product, in either mode; tests compare both
    /// modes with dense products. 0 keeps the product exact (full rank at every k, T·H³ work).
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

    /// <summary>Told (k, T) after each distance k of the main sweep, for a progress display (<see cref="StackInputFlow"/>: steps done of its total); null: nobody listens.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Action<int, int>? Progress { get; init; }
}

/// <summary>
/// A flow profile: for k = 0..T−1 the norms of ∂h_T/∂h_{T−k}. Arrays are indexed by k. Property names map 1:1 to
/// the JSON fields of <c>rnnlab flow --json</c> (snake_case). The linear norms underflow to 0 below ~1e−308; the
/// log10 arrays stay finite for any T (a norm that is exactly 0 has log10 −∞, written null in JSON).
/// For the LSTM every block of the state Jacobian product ∂(h, c)_T/∂(h, c)_{T−k} is reported, each named for what it is.
/// </summary>
public sealed class FlowResult
{
    public required string Cell { get; init; }
    public required int HiddenSize { get; init; }
    public required int Steps { get; init; }
    /// <summary>spectral_norm: ‖∂h_T/∂h_{T−k}‖₂ (for the LSTM with c_{T−k} held fixed), the largest singular value.</summary>
    public required double[] SpectralNorm { get; init; }
    /// <summary>frobenius_norm: ‖∂h_T/∂h_{T−k}‖_F.</summary>
    public required double[] FrobeniusNorm { get; init; }
    /// <summary>log10_spectral_norm.</summary>
    public required double[] Log10SpectralNorm { get; init; }
    /// <summary>log10_frobenius_norm.</summary>
    public required double[] Log10FrobeniusNorm { get; init; }
    /// <summary>cell_spectral_norm (LSTM only): ‖∂c_T/∂c_{T−k}‖₂ with h_{T−k} held fixed, through every path (the gates included).</summary>
    public double[]? CellSpectralNorm { get; init; }
    public double[]? Log10CellSpectralNorm { get; init; }
    /// <summary>
    /// log10_spectral_norm_note, …: set when some entries of that block (log10 and linear) are null because they lie
    /// below the rounding floor of the whole product (<see cref="FlowProfile.RoundingFloor"/>); says from which k.
    /// </summary>
    public string? Log10SpectralNormNote { get; init; }
    public string? Log10FrobeniusNormNote { get; init; }
    public string? Log10CellSpectralNormNote { get; init; }
    public string? Log10HiddenFromCellSpectralNormNote { get; init; }
    /// <summary>hidden_from_cell_spectral_norm (LSTM only): ‖∂h_T/∂c_{T−k}‖₂, how the output at T depends on an earlier cell.</summary>
    public double[]? HiddenFromCellSpectralNorm { get; init; }
    public double[]? Log10HiddenFromCellSpectralNorm { get; init; }
    /// <summary>state_spectral_norm (LSTM only): ‖∂(h, c)_T/∂(h, c)_{T−k}‖₂, the whole state Jacobian product.</summary>
    public double[]? StateSpectralNorm { get; init; }
    public double[]? Log10StateSpectralNorm { get; init; }
    /// <summary>cell_path_norm (LSTM only): ‖∏ diag(f_t)‖₂ = max_j ∏ f_t[j], the additive path c_{t−1} → c_t alone.</summary>
    public double[]? CellPathNorm { get; init; }
    public double[]? Log10CellPathNorm { get; init; }
    /// <summary>spectral_radius: ρ(W_hh) for the RNN; for the LSTM and GRU the largest of the gate blocks' radii (none with a projection, whose blocks are not square).</summary>
    public double? SpectralRadius { get; init; }
    /// <summary>gate_spectral_radii: ρ of each H×H block of W_hh, in PyTorch's gate order (i, f, g, o / r, z, n; "h" for the RNN).</summary>
    public IReadOnlyDictionary<string, double>? GateSpectralRadii { get; init; }
    /// <summary>lyapunov_exponents: the first few, natural log per step, decreasing.</summary>
    public required double[] LyapunovExponents { get; init; }
    /// <summary>effective_rho = exp(λ₁): the per-step factor the lesson's ρ^(T−1) stands for, measured.</summary>
    public required double EffectiveRho { get; init; }
    /// <summary>log10_rho_power: log₁₀ ρ(W_hh)^k for k = 0..T−1, the lesson's reference curve (<see cref="RhoPowers"/>).</summary>
    public double[]? Log10RhoPower => SpectralRadius is double rho ? RhoPowers.Log10(rho, Steps) : null;
    /// <summary>log10_effective_rho_power: log₁₀ exp(λ₁)^k for k = 0..T−1, the same curve at the measured per-step factor.</summary>
    public double[] Log10EffectiveRhoPower => RhoPowers.Log10(EffectiveRho, Steps);
    /// <summary>decay_rate: least-squares slope of ln ‖∂h_T/∂h_{T−k}‖₂ against k (negative: vanishing).</summary>
    public required double DecayRate { get; init; }
    /// <summary>horizon: largest k with ‖·‖₂ ≥ threshold × its value at k = 0.</summary>
    public required int Horizon { get; init; }
    public required double HorizonThreshold { get; init; }
    /// <summary>rank: dimension of the running product kept at each k (diagnostic of the truncation).</summary>
    public required int[] Rank { get; init; }
    /// <summary>Norms whose power iteration hit its iteration limit before the tolerance, summed over the reported blocks.</summary>
    public required int PowerIterationLimitHits { get; init; }
    /// <summary>Norms measured by a dense SVD instead, one for each limit hit: no k is reported from an unconverged iteration.</summary>
    public required int DenseSvdFallbacks { get; init; }
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
/// The step Jacobians of one layer along its trajectory, as a sweep's maps: K_k = J_{T−k+1}. Rows are multiplied
/// as uᵀ·J_t by <see cref="JacobianRows"/> (for the RNN and LSTM without forming J_t).
/// </summary>
internal sealed class LayerSteps(CellTrajectory tr) : IStepMap
{
    readonly JacobianRows _rows = new(tr.Cell);

    public int StateSize => tr.Cell.StateSize;
    public int Steps => tr.Steps;

    public void Apply(int k, Span<double> rows, int m, Span<double> result) => _rows.Apply(tr, tr.Steps - k + 1, rows, m, result);

    /// <summary>M_0 = the identity rows of the state coordinates start..start+count: the outputs a sweep follows back.</summary>
    public double[] IdentityRows(int start, int count)
    {
        var m = new double[count * StateSize];
        for (int j = 0; j < count; j++) m[j * StateSize + start + j] = 1;
        return m;
    }
}

/// <summary>
/// The flow profile ‖∂h_T/∂h_{T−k}‖ for k = 0..T−1 along one layer's trajectory, with J_t = ∂s_t/∂s_{t−1}
/// (see <see cref="StepJacobian"/>) and the product P_k = J_T···J_{T−k+1} = ∂s_T/∂s_{T−k} swept by
/// <see cref="JacobianSweep"/> (explicit, then factored with deflation: about H³·ln(T)·ln(1/tol) work instead of T·H³).
/// The sweep follows the h_T rows back and reads the h columns (and, for the LSTM, the c columns); the LSTM's other
/// blocks need their own rows (c_T, and the whole state), so an LSTM costs three sweeps, run side by side; the cell
/// path ∏ diag(f_t) is accumulated separately in log space. Lyapunov vectors ride along the first sweep.
/// </summary>
public static class FlowProfile
{
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
        options ??= new FlowOptions();
        var cell = tr.Cell;
        int T = tr.Steps, H = cell.HiddenSize, Ho = cell.OutputSize, S = cell.StateSize;
        bool lstm = cell.Kind == CellKind.Lstm;
        int p = Math.Clamp(options.LyapunovCount, 0, S);

        // ∂h_T/∂h_{T−k} (and ∂h_T/∂c_{T−k}) from the h_T rows, with the Lyapunov vectors; for the LSTM also
        // ∂c_T/∂c_{T−k} from the c_T rows and ∂(h, c)_T/∂(h, c)_{T−k} from all of them. Each sweep has its own maps.
        var hh = new SweepReadout { Start = 0, Count = Ho };
        var hc = lstm ? new SweepReadout { Start = Ho, Count = H } : null;
        var cc = lstm ? new SweepReadout { Start = Ho, Count = H } : null;
        var ss = lstm ? new SweepReadout { Start = 0, Count = S } : null;
        var sweeps = new List<Func<SweepResult>>
        {
            () => { var m = new LayerSteps(tr); return JacobianSweep.Run(m, m.IdentityRows(0, Ho), Ho, hc is null ? [hh] : [hh, hc], options, p); },
        };
        if (lstm)
        {
            // the sweeps run side by side: only the main one reports progress
            var quiet = options with { Progress = null };
            sweeps.Add(() => { var m = new LayerSteps(tr); return JacobianSweep.Run(m, m.IdentityRows(Ho, H), H, [cc!], quiet); });
            sweeps.Add(() => { var m = new LayerSteps(tr); return JacobianSweep.Run(m, m.IdentityRows(0, S), S, [ss!], quiet); });
        }
        var results = RunSideBySide(sweeps);
        var main = results[0];
        var readouts = new[] { hh, hc, cc, ss }.OfType<SweepReadout>().ToList();
        string? hhNote = null, hcNote = null, ccNote = null;
        if (ss is not null)
        {
            hhNote = RefuseBelowFloor(hh.Log10Spectral, [hh.Log10Frobenius], ss.Log10Spectral);
            hcNote = RefuseBelowFloor(hc!.Log10Spectral, [], ss.Log10Spectral);
            ccNote = RefuseBelowFloor(cc!.Log10Spectral, [], ss.Log10Spectral);
        }
        double[]? log10Path = lstm ? CellPath(tr) : null;

        var lyap = new double[p];
        for (int i = 0; i < p; i++) lyap[i] = T > 1 ? main.LyapunovSums[i] / (T - 1) : double.NaN;
        Array.Sort(lyap, (a, b) => b.CompareTo(a));

        long mark = Stopwatch.GetTimestamp();
        double? radius = null;
        IReadOnlyDictionary<string, double>? gateRadii = null;
        if (options.ComputeSpectralRadius && cell.ProjSize == 0)
        {
            gateRadii = GateSpectra.Radii(cell.Kind, cell.WeightHH, H);
            radius = gateRadii.Values.Max();
        }
        double spectrum = Seconds(Stopwatch.GetTimestamp() - mark);

        return new FlowResult
        {
            Cell = CellKinds.Name(cell.Kind, cell.Nonlinearity),
            HiddenSize = H,
            Steps = T,
            SpectralNorm = Pow10(hh.Log10Spectral),
            FrobeniusNorm = Pow10(hh.Log10Frobenius),
            Log10SpectralNorm = hh.Log10Spectral,
            Log10FrobeniusNorm = hh.Log10Frobenius,
            CellSpectralNorm = cc is null ? null : Pow10(cc.Log10Spectral),
            Log10CellSpectralNorm = cc?.Log10Spectral,
            Log10SpectralNormNote = hhNote,
            Log10FrobeniusNormNote = hhNote,
            Log10CellSpectralNormNote = ccNote,
            Log10HiddenFromCellSpectralNormNote = hcNote,
            HiddenFromCellSpectralNorm = hc is null ? null : Pow10(hc.Log10Spectral),
            Log10HiddenFromCellSpectralNorm = hc?.Log10Spectral,
            StateSpectralNorm = ss is null ? null : Pow10(ss.Log10Spectral),
            Log10StateSpectralNorm = ss?.Log10Spectral,
            CellPathNorm = log10Path is null ? null : Pow10(log10Path),
            Log10CellPathNorm = log10Path,
            SpectralRadius = radius,
            GateSpectralRadii = gateRadii,
            LyapunovExponents = lyap,
            EffectiveRho = p > 0 ? Math.Exp(lyap[0]) : double.NaN,
            DecayRate = DecayRate(hh.Log10Spectral),
            Horizon = Horizon(hh.Log10Spectral, options.HorizonThreshold),
            HorizonThreshold = options.HorizonThreshold,
            Rank = main.Rank,
            PowerIterationLimitHits = readouts.Sum(r => r.PowerIterationLimitHits),
            DenseSvdFallbacks = readouts.Sum(r => r.DenseSvdFallbacks),
            ElapsedSeconds = sw.Elapsed.TotalSeconds,
            Timings = new FlowTimings(trajectorySeconds, results.Sum(r => r.ProductSeconds), results.Sum(r => r.OrthogonalizationSeconds),
                results.Sum(r => r.NormSeconds), spectrum),
        };
    }

    /// <summary>
    /// Independent sweeps on as many cores as there are sweeps: each sweep's late, factored phase works on a few
    /// rows, too little for the GEMM's threads, so sweeps side by side use the machine better than one after another.
    /// </summary>
    internal static SweepResult[] RunSideBySide(IReadOnlyList<Func<SweepResult>> sweeps)
    {
        var results = new SweepResult[sweeps.Count];
        if (sweeps.Count == 1) { results[0] = sweeps[0](); return results; }
        Parallel.For(0, sweeps.Count, i => results[i] = sweeps[i]());
        return results;
    }

    /// <summary>
    /// A block of P_k = ∂s_T/∂s_{T−k} below this fraction of ‖P_k‖₂ is not reported. Each step's Jacobian is rounded
    /// relative to its largest terms (1 − tanh²c, for one, carries an absolute error of about ε = 2⁻⁵² however small it
    /// is), and an error committed in a direction the later steps do not contract stays at about ε·‖P_k‖₂: a block
    /// near that size is float64's rounding, in either mode (a saturated LSTM cell whose other paths forget levels
    /// its ‖∂h_T/∂c_{T−k}‖ off near 10^−15.5 of ‖P_k‖₂). 1000·ε keeps a reported block's rounding under 0.001 of it,
    /// the precision the table prints log10 to.
    /// </summary>
    public const double RoundingFloor = 1000 * 2.220446049250313e-16;

    /// <summary>
    /// Sets to NaN (null in JSON) every k where the block's spectral norm is below <see cref="RoundingFloor"/>·‖P_k‖₂,
    /// in <paramref name="log10Block"/> and in <paramref name="alongside"/> (norms of the same block); an exact zero
    /// (−∞) stays. Returns the note for the JSON, null when nothing was refused.
    /// </summary>
    static string? RefuseBelowFloor(double[] log10Block, double[][] alongside, ReadOnlySpan<double> log10State)
    {
        double floor = Math.Log10(RoundingFloor);
        int first = -1, count = 0;
        for (int k = 0; k < log10Block.Length; k++)
        {
            if (!(double.IsFinite(log10Block[k]) && log10Block[k] < log10State[k] + floor)) continue;
            log10Block[k] = double.NaN;
            foreach (var a in alongside) a[k] = double.NaN;
            if (first < 0) first = k;
            count++;
        }
        return first < 0 ? null
            : $"null at {count} of {log10Block.Length} distances, the first k = {first}: there the block is below 1000·ε = 2.2e-13 of ‖∂(h,c)_T/∂(h,c)_(T−k)‖₂, where float64 rounding decides its value";
    }

    /// <summary>LSTM: log10 ‖∏_{t > T−k} diag(f_t)‖₂ = log10 max_j ∏ f_t[j] for every k, accumulated in log space.</summary>
    static double[] CellPath(CellTrajectory tr)
    {
        int T = tr.Steps, H = tr.Cell.HiddenSize;
        var logF = new double[H];
        var log10 = new double[T];
        for (int k = 1; k < T; k++)
        {
            ReadOnlySpan<double> f = StepJacobian.ForgetGate(tr, T - k + 1);
            double max = double.NegativeInfinity;
            for (int j = 0; j < H; j++) { logF[j] += Math.Log(f[j]); max = Math.Max(max, logF[j]); }
            log10[k] = max / Math.Log(10);
        }
        return log10;
    }

    static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    internal static double[] Pow10(double[] log10)
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
