using System.Diagnostics;
using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Analysis;

/// <summary>The flow along one layer and direction's own recurrence (its inputs fixed to what the module fed it).</summary>
/// <param name="Name">"l0", "l0_reverse", "l1", …</param>
public sealed record LayerFlow(string Name, int Layer, string Direction, FlowResult Flow);

/// <summary>How the top layer's h_T depends on layer l's state k steps back, the layers above it recomputing from it.</summary>
public sealed record DepthTimeFlow(int Layer, double[] Log10SpectralNorm);

/// <summary>The flow of a whole module along one sequence.</summary>
public sealed class ModuleFlowResult
{
    /// <summary>One per layer and direction, in PyTorch's order.</summary>
    public required IReadOnlyList<LayerFlow> Layers { get; init; }
    /// <summary>Unidirectional modules: log10 ‖∂h^(L−1)_T/∂h^(l)_{T−k}‖₂ per layer l; null for a bidirectional module.</summary>
    public IReadOnlyList<DepthTimeFlow>? DepthTime { get; init; }
    /// <summary>log10 ‖∂y_T/∂x_{T−k}‖₂, y_T = output[T−1]; null where not computed (see <see cref="InputNote"/>).</summary>
    public double[]? Log10InputSpectralNorm { get; init; }
    /// <summary>Bidirectional modules: log10 ‖∂h^(L−1)_fwd,T/∂x_{T−k}‖₂, the forward half of y_T (input_spectral_norm_forward_output).</summary>
    public double[]? Log10InputSpectralNormForwardOutput { get; init; }
    /// <summary>Bidirectional modules: log10 ‖∂h^(L−1)_rev,T/∂x_{T−k}‖₂, the reverse half of y_T, the reverse direction's first step (input_spectral_norm_reverse_output).</summary>
    public double[]? Log10InputSpectralNormReverseOutput { get; init; }
    /// <summary>Why the input connectivity is missing, when it is.</summary>
    public string? InputNote { get; init; }
    public required double ElapsedSeconds { get; init; }
}

/// <summary>
/// Flow of a whole module (<c>rnnlab flow --model</c>): every layer and direction's own profile
/// (<see cref="FlowProfile"/> on its trajectory: a reverse direction in its processing order, so k counts steps back
/// from t = 1), and for a unidirectional stack sweeps through layers l..L−1 at once (<see cref="StackSteps"/>), one
/// for each layer l below the top, each reading layer l's block of depth × time; the one from layer 0 also reads the
/// input connectivity ∂y_T/∂x_{T−k}, and the top layer's block is its own profile. For a one-layer bidirectional module the input
/// connectivity is the forward direction's, plus the reverse direction's first step at k = 0 (h^reverse_T has seen
/// x_T only). For a bidirectional stack the dependence of y_T on x runs backwards in time through forward directions
/// and forwards through reverse ones, which no single sweep follows; it is differentiated through the whole module
/// instead (<see cref="StackInputFlow"/>), when its input gradients fit in <see cref="StackInputFlowBytes"/>.
/// A bidirectional module also reports each half of y_T = [h^fwd_T; h^rev_T] on its own.
/// </summary>
public static class ModuleFlow
{
    /// <summary>The most memory the input gradients of a bidirectional stack may take (2 GiB); above it the input connectivity is not computed, and the JSON says why.</summary>
    public const double StackInputFlowBytes = 2.0 * (1 << 30);

    /// <param name="progress">told (done, total) in steps of all the sweeps together, from the threads they run on</param>
    public static ModuleFlowResult Compute(ModuleTrajectory tr, FlowOptions? options = null, Action<long, long>? progress = null) =>
        Compute(tr, options, progress, StackInputFlowBytes);

    /// <param name="stackInputFlowBytes">the memory limit of <see cref="StackInputFlow"/>, <see cref="StackInputFlowBytes"/> but in tests</param>
    internal static ModuleFlowResult Compute(ModuleTrajectory tr, FlowOptions? options, Action<long, long>? progress, double stackInputFlowBytes)
    {
        options ??= new FlowOptions();
        var sw = Stopwatch.StartNew();
        var w = tr.Weights;
        int L = w.Layers, D = w.Directions, T = tr.Steps;
        var layers = new LayerFlow[L * D];
        var work = new List<Action>();
        var counted = new SweepProgress(progress);
        for (int l = 0; l < L; l++)
            for (int d = 0; d < D; d++)
            {
                int layer = l, dir = d;
                work.Add(counted.Add(T - 1, options, o => layers[layer * D + dir] = new LayerFlow(RecurrentModule.LayerName(layer, dir), layer, dir == 0 ? "forward" : "reverse",
                    FlowProfile.Compute(tr.Cell(layer, dir), o))));
            }
        double[]?[] depthBelowTop = new double[L - 1][];
        InputConnectivity? input = null;
        string? note = null;
        if (D == 1 || L == 1)
        {
            work.Add(counted.Add(T - 1, options, o =>
            {
                var (bottom, forward) = SweepFrom(tr, 0, o);
                if (D == 1)
                {
                    if (L > 1) depthBelowTop[0] = bottom;
                    input = new InputConnectivity(forward!, [], []);
                    return;
                }
                // One bidirectional layer: h^rev_T is the reverse direction's first step, so it depends on x_T alone.
                var (both, reverseFirst) = BidirectionalFirstStep(tr.Cell(0, 0), tr.Cell(0, 1));
                double[] total = (double[])forward!.Clone(), reverse = new double[T];
                total[0] = Math.Log10(both);
                Array.Fill(reverse, double.NegativeInfinity);
                reverse[0] = Math.Log10(reverseFirst);
                input = new InputConnectivity(total, forward, reverse);
            }));
            if (D == 1)
                for (int l = 1; l < L - 1; l++)
                {
                    int layer = l;
                    work.Add(counted.Add(T - 1, options, o => depthBelowTop[layer] = SweepFrom(tr, layer, o).Bottom));
                }
        }
        else if (StackInputFlow.Bytes(w, T) is var bytes && bytes <= stackInputFlowBytes)
            work.Add(counted.Add(StackInputFlow.Steps(w, T), options, o => input = StackInputFlow.Compute(tr, o)));
        else
            note = StackInputNote(T, bytes, stackInputFlowBytes);
        Parallel.Invoke(work.ToArray());
        // Layer l's block of depth × time depends on the layers l..L−1 alone (the stack's step maps are block
        // triangular), and can lie hundreds of decades below the blocks of the layers under it, under the cut of a
        // deflation relative to the largest and below float64's range (measured: every middle layer of 3- to 5-layer
        // LSTMs whose bottom layer remembers and whose upper layers forget). So each layer's block is read as the
        // bottom block of a sweep over layers l..L−1 alone, the block that sweep's truncation and scale follow;
        // for the top layer that sweep is its own flow ‖∂h^top_T/∂h^top_{T−k}‖ (c held fixed).
        List<DepthTimeFlow>? depth = D == 1
            ? [.. Enumerable.Range(0, L).Select(l => new DepthTimeFlow(l, l == L - 1 ? layers[l].Flow.Log10SpectralNorm : depthBelowTop[l]!))]
            : null;
        return new ModuleFlowResult
        {
            Layers = layers,
            DepthTime = depth,
            Log10InputSpectralNorm = input?.Log10Total,
            Log10InputSpectralNormForwardOutput = D == 2 ? input?.Log10ForwardOutput : null,
            Log10InputSpectralNormReverseOutput = D == 2 ? input?.Log10ReverseOutput : null,
            InputNote = note,
            ElapsedSeconds = sw.Elapsed.TotalSeconds,
        };
    }

    /// <summary>
    /// Progress of sweeps that run side by side: each tells its own (k, n) through <see cref="FlowOptions.Progress"/>,
    /// and the listener hears the sum over all of them of the total they will take. A sweep that ends early (its
    /// product is exactly 0 from some k on) counts its remaining steps as done when it returns.
    /// </summary>
    sealed class SweepProgress(Action<long, long>? listener)
    {
        readonly Lock gate = new();
        long total, done;

        /// <summary>The work of one sweep of <paramref name="steps"/> steps, run with <paramref name="options"/> and its progress counted.</summary>
        public Action Add(int steps, FlowOptions options, Action<FlowOptions> sweep)
        {
            total += steps;
            if (listener is null) return () => sweep(options);
            int last = 0;
            void Advance(int k)
            {
                lock (gate)
                {
                    if (k == last) return;
                    done += k - last;
                    last = k;
                    listener(done, total);
                }
            }
            return () =>
            {
                sweep(options with { Progress = (k, _) => Advance(Math.Min(k, steps)) });
                Advance(steps);
            };
        }
    }

    /// <summary>Why a bidirectional stack's input connectivity is missing: the memory it needs and the limit.</summary>
    internal static string StackInputNote(int steps, double bytes, double limit) =>
        FormattableString.Invariant($"not computed: the input gradients of this bidirectional stack over T = {steps} need {Size(bytes, "F1")}, above the {Size(limit, "F0")} limit");

    /// <summary>An amount of memory in GiB, or in MiB below 1 GiB.</summary>
    static string Size(double bytes, string format) => bytes >= 1 << 30
        ? (bytes / (1 << 30)).ToString(format, System.Globalization.CultureInfo.InvariantCulture) + " GiB"
        : (bytes / (1 << 20)).ToString(format, System.Globalization.CultureInfo.InvariantCulture) + " MiB";

    /// <summary>
    /// One sweep over the forward directions of layers <paramref name="from"/>..L−1 (<see cref="StackSteps"/>) from
    /// the top layer's h_T: the bottom layer's h block, log10 ‖∂h^top_T/∂h^(from)_{T−k}‖₂, and from layer 0 also the
    /// input connectivity log10 ‖∂h^top_T/∂x_{T−k}‖₂ (null otherwise).
    /// </summary>
    static (double[] Bottom, double[]? Input) SweepFrom(ModuleTrajectory tr, int from, FlowOptions options)
    {
        var w = tr.Weights;
        var steps = new StackSteps([.. Enumerable.Range(from, w.Layers - from).Select(l => tr.Cell(l, 0))]);
        var bottom = new SweepReadout { Count = w.OutputSize };
        var input = from == 0 ? new SweepReadout { Count = w.InputSize, Matrix = steps.InputRows } : null;
        JacobianSweep.Run(steps, steps.Initial(), w.OutputSize, input is null ? [bottom] : [bottom, input], options);
        return (bottom.Log10Spectral, input?.Log10Spectral);
    }

    /// <summary>
    /// ‖∂y_T/∂x_T‖₂ of a one-layer bidirectional module (the forward direction's last step and the reverse
    /// direction's first, stacked), and ‖∂h^rev_T/∂x_T‖₂ alone.
    /// </summary>
    static (double Both, double Reverse) BidirectionalFirstStep(CellTrajectory forward, CellTrajectory reverse)
    {
        int I = forward.Cell.InputSize, Ho = forward.Cell.OutputSize;
        var ef = new double[forward.Cell.StateSize * I];
        var er = new double[reverse.Cell.StateSize * I];
        StepJacobian.Input(forward, forward.Steps, ef);
        StepJacobian.Input(reverse, 1, er);
        var both = new double[2 * Ho * I];                                   // [h^f_T; h^r_T] rows of ∂/∂x_T
        ef.AsSpan(0, Ho * I).CopyTo(both);
        er.AsSpan(0, Ho * I).CopyTo(both.AsSpan(Ho * I));
        return (DenseOps.SpectralNormBySvd(both, 2 * Ho, I, I), DenseOps.SpectralNormBySvd(er, Ho, I, I));
    }
}

/// <summary>
/// A unidirectional stack's step maps over the concatenated states of all layers, s = (s^(0), …, s^(L−1)), for the
/// rows A^(l) = ∂y/∂s^(l)_τ of one output y (the top layer's h_T). One step back, τ → τ−1:
/// <code>
///   A^(l)_{τ−1} = A^(l)_τ·J^(l)_τ + A^(l+1)_{τ−1}·E^(l+1)_{τ−1}   (the second term into layer l's h columns)
/// </code>
/// with J^(l)_τ layer l's step Jacobian and E^(l+1)_t = ∂s^(l+1)_t/∂x^(l+1)_t the input Jacobian of the layer above
/// (its input at t is h^(l)_t), computed from the top layer down. The top layer's block is its own flow; a lower
/// layer's block is the total derivative through depth and time; A^(0)_τ·E^(0)_τ is ∂y/∂x_τ.
/// </summary>
internal sealed class StackSteps : IStepMap
{
    readonly IReadOnlyList<CellTrajectory> _layers;
    readonly int[] _offset;
    readonly JacobianRows[] _step;
    readonly double[][] _input;
    readonly double[] _in, _out;
    readonly int _ho;

    public StackSteps(IReadOnlyList<CellTrajectory> layers)
    {
        _layers = layers;
        _offset = new int[layers.Count + 1];
        for (int l = 0; l < layers.Count; l++) _offset[l + 1] = _offset[l] + layers[l].Cell.StateSize;
        _step = [.. layers.Select(t => new JacobianRows(t.Cell))];
        _input = [.. layers.Select(t => new double[t.Cell.StateSize * t.Cell.InputSize])];
        int maxS = layers.Max(t => t.Cell.StateSize);
        _ho = layers[^1].Cell.OutputSize;
        _in = new double[_ho * maxS];
        _out = new double[_ho * maxS];
    }

    public int StateSize => _offset[^1];
    public int Steps => _layers[0].Steps;
    public int Offset(int layer) => _offset[layer];

    /// <summary>M_0: the top layer's h_T rows, and below them ∂h_T/∂s^(l)_T through the layers above at time T.</summary>
    public double[] Initial()
    {
        int L = _layers.Count, S = StateSize;
        var m = new double[_ho * S];
        for (int j = 0; j < _ho; j++) m[j * S + _offset[L - 1] + j] = 1;
        for (int l = L - 2; l >= 0; l--) AddFromAbove(m, _ho, l, Steps);
        return m;
    }

    public void Apply(int k, Span<double> rows, int m, Span<double> result)
    {
        int L = _layers.Count, S = StateSize, tau = Steps - k + 1;
        result[..(m * S)].Clear();
        for (int l = L - 1; l >= 0; l--)
        {
            int sl = _layers[l].Cell.StateSize;
            Gather(rows, m, l, _in);
            _step[l].Apply(_layers[l], tau, _in.AsSpan(0, m * sl), m, _out.AsSpan(0, m * sl));
            Scatter(_out, result, m, l);
            if (l < L - 1) AddFromAbove(result, m, l, tau - 1);
        }
    }

    /// <summary>rows[:, layer l's h columns] += rows[:, layer l+1's state]·E^(l+1)_t.</summary>
    void AddFromAbove(Span<double> rows, int m, int l, int t)
    {
        var above = _layers[l + 1];
        int sa = above.Cell.StateSize, ia = above.Cell.InputSize, S = StateSize;
        StepJacobian.Input(above, t, _input[l + 1]);
        Gather(rows, m, l + 1, _in);
        Gemm.Multiply<double>(Op.N, Op.N, m, ia, sa, _in.AsSpan(0, m * sa), _input[l + 1], _out.AsSpan(0, m * ia), accumulate: false);
        for (int j = 0; j < m; j++)
        {
            Span<double> dst = rows.Slice(j * S + _offset[l], ia);
            System.Numerics.Tensors.TensorPrimitives.Add(dst, _out.AsSpan(j * ia, ia), dst);
        }
    }

    /// <summary>R_k for the input readout: E^(0)_{T−k} in layer 0's rows, zero elsewhere, [S, I].</summary>
    public void InputRows(int k, Span<double> r)
    {
        r.Clear();
        var first = _layers[0];
        StepJacobian.Input(first, Steps - k, r[..(first.Cell.StateSize * first.Cell.InputSize)]);
    }

    void Gather(ReadOnlySpan<double> rows, int m, int l, double[] dst)
    {
        int sl = _layers[l].Cell.StateSize, S = StateSize;
        for (int j = 0; j < m; j++) rows.Slice(j * S + _offset[l], sl).CopyTo(dst.AsSpan(j * sl, sl));
    }

    void Scatter(double[] src, Span<double> rows, int m, int l)
    {
        int sl = _layers[l].Cell.StateSize, S = StateSize;
        for (int j = 0; j < m; j++) src.AsSpan(j * sl, sl).CopyTo(rows.Slice(j * S + _offset[l], sl));
    }
}
