using System.Numerics;
using System.Runtime.CompilerServices;
using RnnLab.Numerics;

namespace RnnLab.Models;

/// <summary>
/// One recurrent layer run over a whole time-major sequence, with PyTorch's parameter names and layouts.
/// Shapes: T steps, B batch, I input, H hidden, G gate blocks (1 RNN, 4 LSTM, 3 GRU), S the width of h: H, or
/// P = proj_size for an LSTM with a projection (PyTorch's <c>proj_size</c>, h_t = W_hr·(o ⊙ tanh(c_t))).
/// <list type="bullet">
/// <item><c>weight_ih_l0</c> [G·H, I], <c>weight_hh_l0</c> [G·H, S], <c>bias_ih_l0</c> [G·H], <c>bias_hh_l0</c> [G·H],
/// <c>weight_hr_l0</c> [P, H] (projection only); the suffix is the layer's place in a stack (<c>l1</c>, <c>l0_reverse</c>)</item>
/// <item>input x [T, B, I]; states h_0 [B, S], c_0 [B, H] (empty span = zero); outputs h_1..h_T [T, B, S]</item>
/// </list>
/// <see cref="Forward"/> keeps every step's activations; <see cref="Backward"/> walks them in reverse once (BPTT), then
/// makes dx and the weight gradients over all T·B rows at once.
/// Buffers grow to the largest (T, B) seen and are then reused: a training step allocates no buffer.
/// The walks through time, forward and back, split by batch rows between the threads (<see cref="BatchRows"/>).
/// </summary>
public abstract unsafe class RecurrentLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public CellKind Kind { get; }
    public int InputSize { get; }
    public int HiddenSize { get; }
    /// <summary>PyTorch's <c>proj_size</c>: 0 for none (LSTM only).</summary>
    public int ProjectionSize { get; }
    /// <summary>S, the width of h_t: the projection's size when there is one, else H.</summary>
    public int OutputSize { get; }
    public int Gates { get; }
    /// <summary>The parameter-name suffix, PyTorch's: <c>l0</c>, <c>l1</c>, <c>l0_reverse</c>.</summary>
    public string Suffix { get; }

    public Parameter<T> WeightIH { get; }  // [G*H, I]
    public Parameter<T> WeightHH { get; }  // [G*H, S]
    public Parameter<T> BiasIH { get; }    // [G*H]
    public Parameter<T> BiasHH { get; }    // [G*H]
    public Parameter<T>? WeightHR { get; } // [P, H], only with a projection
    /// <summary>Every tensor of the layer in state-dict order; a cell with more tensors than these extends it.</summary>
    public IReadOnlyList<Parameter<T>> Parameters { get; protected init; }

    /// <summary>T and B of the last forward pass.</summary>
    public int Steps { get; private set; }
    public int Batch { get; private set; }

    protected T[] xs = [];          // [T, B, I]    the input, kept for the weight gradient
    protected T[] hs = [];          // [T+1, B, S]  h_0..h_T; h_t lives at row t
    protected T[] stateGrads = [];  // [T+1, B, S]  ∂L/∂h_t during BPTT: row t gets what step t+1 sends back, then h_t's own loss term
    protected double[] probe = [];  // [T]          ‖∂L/∂h_t‖₂ for t = 1..T (index t-1), in double: a float32 norm overflows before its entries do
    PackedMatrix<T>? weightHHForward;  // W_hhᵀ packed once per forward pass: every step multiplies by it
    PackedMatrix<T>? weightHHBackward; // W_hh packed once per backward pass

    protected RecurrentLayer(CellKind kind, int inputSize, int hiddenSize, string suffix = DefaultSuffix, int projectionSize = 0)
    {
        if (inputSize <= 0) throw new ArgumentOutOfRangeException(nameof(inputSize), $"input size must be positive, got {inputSize}");
        if (hiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenSize), $"hidden size must be positive, got {hiddenSize}");
        // PyTorch's own checks: proj_size must be >= 0 and < hidden_size, and only the LSTM has one.
        if (projectionSize < 0 || (projectionSize > 0 && projectionSize >= hiddenSize))
            throw new ArgumentOutOfRangeException(nameof(projectionSize), $"projection size must be 0 (none) or between 1 and hidden size - 1 = {hiddenSize - 1}, got {projectionSize}");
        if (projectionSize > 0 && kind != CellKind.Lstm) throw new ArgumentException($"a projection (proj_size) is an LSTM option, not a {kind.Name()}'s");
        Kind = kind;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        ProjectionSize = projectionSize;
        OutputSize = StateWidth(hiddenSize, projectionSize);
        Suffix = suffix;
        Gates = kind.Gates();
        int gh = Gates * hiddenSize;
        WeightIH = new Parameter<T>($"weight_ih_{suffix}", gh, inputSize);
        WeightHH = new Parameter<T>($"weight_hh_{suffix}", gh, OutputSize);
        BiasIH = new Parameter<T>($"bias_ih_{suffix}", gh);
        BiasHH = new Parameter<T>($"bias_hh_{suffix}", gh);
        // PyTorch's state-dict order within a layer: w_ih, w_hh, b_ih, b_hh, w_hr.
        if (projectionSize > 0)
        {
            WeightHR = new Parameter<T>($"weight_hr_{suffix}", projectionSize, hiddenSize);
            Parameters = [WeightIH, WeightHH, BiasIH, BiasHH, WeightHR];
        }
        else Parameters = [WeightIH, WeightHH, BiasIH, BiasHH];
    }

    /// <summary>The suffix of a lone layer, PyTorch's for layer 0 of a one-direction module.</summary>
    public const string DefaultSuffix = "l0";

    /// <summary>PyTorch's suffix for layer <paramref name="layer"/>, direction 0 (forward) or 1 (reverse).</summary>
    public static string SuffixOf(int layer, int direction) => direction == 0 ? $"l{layer}" : $"l{layer}_reverse";

    /// <summary>Hidden states h_1..h_T of the last forward pass, [T, B, S].</summary>
    public ReadOnlySpan<T> Output => hs.AsSpan(Batch * OutputSize, Steps * Batch * OutputSize);

    /// <summary>Hidden states h_0..h_T of the last forward pass, [T+1, B, S].</summary>
    public ReadOnlySpan<T> HiddenStates => hs.AsSpan(0, (Steps + 1) * Batch * OutputSize);

    /// <summary>h_T of the last forward pass, [B, S].</summary>
    public ReadOnlySpan<T> FinalHidden => hs.AsSpan(Steps * Batch * OutputSize, Batch * OutputSize);

    /// <summary>
    /// The gradient-flow probe of the last backward pass: element t-1 is ‖∂L/∂h_t‖₂ over the whole
    /// batch (the total gradient reaching h_t, from its own loss term and from later steps), t = 1..T.
    /// </summary>
    public ReadOnlySpan<double> StateGradientNorms => probe.AsSpan(0, Steps);

    /// <summary>Runs the cell over x [T, B, I] from h_0 [B, S] (and c_0 [B, H] for the LSTM); empty spans mean zero state.</summary>
    public void Forward(ReadOnlySpan<T> x, int steps, int batch, ReadOnlySpan<T> h0 = default, ReadOnlySpan<T> c0 = default)
    {
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), $"sequence length must be positive, got {steps}");
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), $"batch size must be positive, got {batch}");
        if (x.Length != steps * batch * InputSize)
            throw new ArgumentException($"input has {x.Length} values, expected [T={steps}, B={batch}, I={InputSize}] = {steps * batch * InputSize}");
        int bs = batch * OutputSize;
        if (!h0.IsEmpty && h0.Length != bs) throw new ArgumentException($"h0 has {h0.Length} values, expected [B={batch}, S={OutputSize}]");
        if (!c0.IsEmpty && c0.Length != batch * HiddenSize) throw new ArgumentException($"c0 has {c0.Length} values, expected [B={batch}, H={HiddenSize}]");
        if (!c0.IsEmpty && !Kind.HasCellState()) throw new ArgumentException($"{Kind.Name()} has no cell state c0");
        Steps = steps;
        Batch = batch;
        Grow(ref xs, x.Length);
        x.CopyTo(xs);
        Grow(ref hs, (steps + 1) * bs);
        Grow(ref stateGrads, (steps + 1) * bs);
        if (probe.Length < steps) probe = new double[steps];
        EnsureBuffers(steps, batch);
        if (h0.IsEmpty) hs.AsSpan(0, bs).Clear(); else h0.CopyTo(hs);
        PrepareWeights();
        weightHHForward = Gemm.PackB(Op.T, OutputSize, Gates * HiddenSize, WeightHH.Value, weightHHForward);
        ForwardSequence(x, c0);
    }

    /// <summary>
    /// Backpropagation through time over the last forward pass. <paramref name="dOutput"/> [T, B, S] is ∂L/∂h_t
    /// from the loss terms at each step (zeros where a step has none). Parameter gradients are accumulated (+=)
    /// into <see cref="Parameter{T}.Grad"/>; dx [T, B, I], dh0 [B, S] and dc0 [B, H] are overwritten when not empty.
    /// <paramref name="truncation"/> k &gt; 0 cuts the sequence into chunks of k steps (from t = 1) and stops the
    /// gradient at each chunk boundary, as if each chunk's initial state were a constant (truncated BPTT).
    /// </summary>
    public void Backward(ReadOnlySpan<T> dOutput, Span<T> dx = default, Span<T> dh0 = default, Span<T> dc0 = default, int truncation = 0)
    {
        int bs = Batch * OutputSize;
        if (Steps == 0) throw new InvalidOperationException("Backward called before Forward");
        if (dOutput.Length != Steps * bs) throw new ArgumentException($"dOutput has {dOutput.Length} values, expected [T={Steps}, B={Batch}, S={OutputSize}]");
        if (!dx.IsEmpty && dx.Length != Steps * Batch * InputSize) throw new ArgumentException("dx has the wrong size");
        if (!dh0.IsEmpty && dh0.Length != bs) throw new ArgumentException("dh0 has the wrong size");
        if (!dc0.IsEmpty && (dc0.Length != Batch * HiddenSize || !Kind.HasCellState())) throw new ArgumentException("dc0 has the wrong size or the cell has no c");
        if (truncation < 0) throw new ArgumentOutOfRangeException(nameof(truncation), "truncation must be 0 (full BPTT) or positive");
        weightHHBackward = Gemm.PackB(Op.N, Gates * HiddenSize, OutputSize, WeightHH.Value, weightHHBackward);
        BackwardSequence(dOutput, dh0, dc0, truncation);
        // forward: pre_ih = x·W_ihᵀ + b_ih  →  dx = dpre_ih·W_ih
        if (!dx.IsEmpty) Gemm.Multiply(Op.N, Op.N, Steps * Batch, InputSize, Gates * HiddenSize, InputSideGateGradients, WeightIH.Value, dx, accumulate: false);
        AccumulateWeightGradients();
    }

    /// <summary>
    /// The weight gradients of the last backward walk, accumulated (+=) from the gate gradients it stacked over all
    /// T·B rows: W_ih, W_hh and both biases; a cell with more tensors adds its own.
    /// </summary>
    protected virtual void AccumulateWeightGradients()
    {
        int TB = Steps * Batch, gh = Gates * HiddenSize;
        ReadOnlySpan<T> dGatesIH = InputSideGateGradients, dGatesHH = HiddenSideGateGradients;
        // forward: pre_ih = x·W_ihᵀ + b_ih  →  dW_ih += dpre_ihᵀ·x
        AddWeightGradient(dGatesIH, xs.AsSpan(0, TB * InputSize), InputSize, WeightIH.Grad, ref weightGradScratch);
        // forward: pre_hh = h_{t-1}·W_hhᵀ + b_hh  →  dW_hh += dpre_hhᵀ·h_{t-1}
        AddWeightGradient(dGatesHH, hs.AsSpan(0, TB * OutputSize), OutputSize, WeightHH.Grad, ref weightGradScratch);
        if (dGatesIH == dGatesHH)
        {
            // RNN and LSTM: both biases see the same pre-activation gradient (db += Σ_rows dpre); sum its columns once.
            Grow(ref biasGradScratch, gh);
            Span<T> sums = biasGradScratch.AsSpan(0, gh);
            sums.Clear();
            Kernels.AddColumnSums(dGatesIH, gh, sums);
            Kernels.Add(BiasIH.Grad, sums, BiasIH.Grad);
            Kernels.Add(BiasHH.Grad, sums, BiasHH.Grad);
        }
        else
        {
            Kernels.AddColumnSums(dGatesIH, gh, BiasIH.Grad);
            Kernels.AddColumnSums(dGatesHH, gh, BiasHH.Grad);
        }
    }

    /// <summary>
    /// The one GEMM inside the forward loop, for batch rows [first, end): pre (+)= h_{t-1}·W_hhᵀ,
    /// [rows, S]·[S, G·H] → [rows, G·H]. <paramref name="hPrev"/> and <paramref name="pre"/> are whole steps, [B, S] and [B, G·H].
    /// </summary>
    /// <remarks>Not inlined (one call per step costs nothing next to the GEMM), so a profile names the in-loop GEMMs apart
    /// from the whole-sequence ones (bench/step_profile.sh).</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    protected void MultiplyRecurrent(int first, int end, ReadOnlySpan<T> hPrev, Span<T> pre, bool accumulate)
    {
        int S = OutputSize, G = Gates * HiddenSize;
        Gemm.Multiply(Op.N, end - first, hPrev.Slice(first * S, (end - first) * S), weightHHForward!, pre.Slice(first * G, (end - first) * G),
            accumulate, BatchRows.GemmThreads(Batch, first, end));
    }

    /// <summary>Its mirror in the backward loop, for batch rows [first, end): dh_{t-1} (+)= dpre·W_hh, [rows, G·H]·[G·H, S] → [rows, S].</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    protected void MultiplyRecurrentBackward(int first, int end, ReadOnlySpan<T> dPre, Span<T> dhPrev, bool accumulate)
    {
        int S = OutputSize, G = Gates * HiddenSize;
        Gemm.Multiply(Op.N, end - first, dPre.Slice(first * G, (end - first) * G), weightHHBackward!, dhPrev.Slice(first * S, (end - first) * S),
            accumulate, BatchRows.GemmThreads(Batch, first, end));
    }

    /// <summary>Rows [first, end) of ∂L/∂h_t [B, S] in the walk back through time (row t of <see cref="stateGrads"/>), t = 0..T.</summary>
    protected Span<T> StateGradient(int t, int first, int end)
    {
        int S = OutputSize;
        return stateGrads.AsSpan((t * Batch + first) * S, (end - first) * S);
    }

    /// <summary>Rows [first, end) of h_t's own loss term ∂L/∂h_t [B, S], t = 1..T, during <see cref="WalkBack"/>.</summary>
    protected ReadOnlySpan<T> OwnLossGradient(int t, int first, int end)
    {
        int S = OutputSize;
        return new ReadOnlySpan<T>(ownLossGradients + ((nint)(t - 1) * Batch + first) * S, (end - first) * S);
    }

    /// <summary>The truncation k of the running <see cref="WalkBack"/> (0 = full BPTT).</summary>
    protected int WalkTruncation { get; private set; }

    T* ownLossGradients;  // dOutput [T, B, S], pinned for the length of a WalkBack (a span cannot be handed to other threads)

    /// <summary>
    /// The walk back through time, split by batch rows: <paramref name="rows"/>(first, end) walks rows [first, end) from
    /// t = T down to 1, adding each step's <see cref="OwnLossGradient"/> to the carried <see cref="StateGradient"/> and
    /// writing the one it sends to t−1. Row T starts at zero; afterwards the probe ‖∂L/∂h_t‖₂ is taken over the whole batch
    /// from every step's stored gradient, and dh0 copied out when asked for.
    /// </summary>
    protected void WalkBack(ReadOnlySpan<T> dOutput, int truncation, Action<int, int> rows, Span<T> dh0)
    {
        int bs = Batch * OutputSize;
        stateGrads.AsSpan(Steps * bs, bs).Clear();
        fixed (T* d = dOutput)
        {
            ownLossGradients = d;
            WalkTruncation = truncation;
            try { WalkByRows(rows); }
            finally { ownLossGradients = null; }
        }
        for (int t = 1; t <= Steps; t++) probe[t - 1] = Math.Sqrt(Kernels.SumOfSquares<T>(stateGrads.AsSpan(t * bs, bs)));
        if (!dh0.IsEmpty) stateGrads.AsSpan(0, bs).CopyTo(dh0);
    }

    /// <summary>
    /// A walk through time, forward or back, split by batch rows: <paramref name="rows"/>(first, end) walks rows
    /// [first, end) through every step, one block per thread (all rows on the caller when <see cref="WalksSplitByRows"/> is false).
    /// </summary>
    protected void WalkByRows(Action<int, int> rows)
    {
        if (WalksSplitByRows) BatchRows.For(Batch, (long)Steps * Batch * Gates * HiddenSize, rows);
        else rows(0, Batch);
    }

    /// <summary>False for a cell whose walk reduces over the batch rows as it goes: it then walks all rows on one thread.</summary>
    protected virtual bool WalksSplitByRows => true;

    /// <summary>True when the gradient must not cross from step t back to step t-1 under truncation k.</summary>
    protected static bool CutsBefore(int t, int truncation) => truncation > 0 && t > 1 && (t - 1) % truncation == 0;

    /// <summary>Called before each forward pass packs W_hh: a cell whose W_hh is a function of other parameters computes it here.</summary>
    protected virtual void PrepareWeights() { }

    protected abstract void EnsureBuffers(int steps, int batch);

    /// <summary>
    /// Values a layer's buffers hold per step and batch row once <see cref="Forward"/> has grown them (T·B times this,
    /// plus a row of states): the input copy, h_t and ∂L/∂h_t, and the cell's own buffers (<see cref="EnsureBuffers"/>).
    /// For memory estimates made before a layer exists: building one allocates its weights, which may be what is too large.
    /// </summary>
    public static double BufferValuesPerRowStep(CellKind kind, int inputSize, int hiddenSize, int projectionSize = 0)
    {
        int S = StateWidth(hiddenSize, projectionSize);
        double cell = kind switch
        {
            CellKind.Rnn => RnnLayer<T>.BufferValuesPerRowStep(hiddenSize),
            CellKind.ExpRnn => ExpRnnLayer<T>.BufferValuesPerRowStep(hiddenSize),
            CellKind.Gru => GruLayer<T>.BufferValuesPerRowStep(hiddenSize),
            CellKind.Lstm => LstmLayer<T>.BufferValuesPerRowStep(hiddenSize, projectionSize),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        return (double)inputSize + 2.0 * S + cell;                           // xs, hs, stateGrads
    }

    /// <summary>The widest of those buffers per step and batch row, the one that meets .NET's array limit first: x, h, or a [G·H] gate block.</summary>
    public static int WidestBufferPerRowStep(CellKind kind, int inputSize, int hiddenSize, int projectionSize = 0) =>
        Math.Max(Math.Max(inputSize, StateWidth(hiddenSize, projectionSize)), kind.Gates() * hiddenSize);

    /// <summary>S, the width of h_t for a hidden size and PyTorch's proj_size (0 = none): what <see cref="OutputSize"/> is.</summary>
    public static int StateWidth(int hiddenSize, int projectionSize) => projectionSize > 0 ? projectionSize : hiddenSize;

    protected abstract void ForwardSequence(ReadOnlySpan<T> x, ReadOnlySpan<T> c0);
    /// <summary>
    /// The walk back through time: fills <see cref="InputSideGateGradients"/> and <see cref="HiddenSideGateGradients"/>
    /// for every step, the probe, and dh0 / dc0 when not empty; the weight gradients are left to <see cref="AccumulateWeightGradients"/>.
    /// </summary>
    protected abstract void BackwardSequence(ReadOnlySpan<T> dOutput, Span<T> dh0, Span<T> dc0, int truncation);

    /// <summary>
    /// ∂L/∂(input-side pre-activations) [T·B, G·H] of the last backward pass: what dx, dW_ih and db_ih are made from.
    /// </summary>
    protected abstract ReadOnlySpan<T> InputSideGateGradients { get; }

    /// <summary>
    /// ∂L/∂(hidden-side pre-activations) [T·B, G·H], what dW_hh and db_hh are made from: the same span as
    /// <see cref="InputSideGateGradients"/> except for the GRU, whose r multiplies the hidden side of its n gate.
    /// </summary>
    protected abstract ReadOnlySpan<T> HiddenSideGateGradients { get; }

    T[] biasGradScratch = [];    // [G·H]            column sums of the gate gradients
    T[] weightGradScratch = [];  // [I or S, G·H]    (dW)ᵀ before it is added into dW

    /// <summary>
    /// dW [G·H, n] += dGᵀ·V over the stacked steps, dG [T·B, G·H], V [T·B, n]. The GEMM packs its transposed operand
    /// (T·B rows deep); when n &lt; G·H (LSTM and GRU, or a narrow input) packing V is G·H/n times less copying than
    /// packing dG, so compute (dW)ᵀ = Vᵀ·dG and add its transpose instead.
    /// </summary>
    void AddWeightGradient(ReadOnlySpan<T> dG, ReadOnlySpan<T> v, int n, Span<T> dW, ref T[] weightGradScratch)
    {
        int TB = Steps * Batch, gh = Gates * HiddenSize;
        if (n >= gh)
        {
            Gemm.Multiply(Op.T, Op.N, gh, n, TB, dG, v, dW, accumulate: true);
            return;
        }
        Grow(ref weightGradScratch, n * gh);
        Span<T> dWt = weightGradScratch.AsSpan(0, n * gh);                 // [n, G·H]
        Gemm.Multiply(Op.T, Op.N, n, gh, TB, v, dG, dWt, accumulate: false);
        Kernels.AddTransposed(dWt, n, gh, dW);                              // dW [G·H, n] += (dWt [n, G·H])ᵀ
    }

    protected static void Grow(ref T[] buffer, int size)
    {
        if (buffer.Length < size) buffer = new T[size];
    }

    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.ZeroGrad();
    }

    /// <summary>Creates the layer of the given kind; <paramref name="suffix"/> names its place in a stack.</summary>
    public static RecurrentLayer<T> Create(CellKind kind, int inputSize, int hiddenSize, Nonlinearity nonlinearity = Nonlinearity.Tanh,
        string suffix = DefaultSuffix, int projectionSize = 0) => kind switch
    {
        CellKind.Rnn when projectionSize == 0 => new RnnLayer<T>(inputSize, hiddenSize, nonlinearity, suffix),
        CellKind.Lstm => new LstmLayer<T>(inputSize, hiddenSize, suffix, projectionSize),
        CellKind.Gru when projectionSize == 0 => new GruLayer<T>(inputSize, hiddenSize, suffix),
        CellKind.ExpRnn when projectionSize == 0 => new ExpRnnLayer<T>(inputSize, hiddenSize, nonlinearity, suffix),
        CellKind.Rnn or CellKind.Gru or CellKind.ExpRnn => throw new ArgumentException($"a projection (proj_size) is an LSTM option, not a {kind.Name()}'s"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
