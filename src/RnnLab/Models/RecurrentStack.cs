using System.Numerics;
using RnnLab.Numerics;

namespace RnnLab.Models;

/// <summary>
/// PyTorch's multi-layer, optionally bidirectional <c>nn.RNN</c> / <c>nn.LSTM</c> / <c>nn.GRU</c>: L layers
/// (<c>num_layers</c>) of D directions (2 when <c>bidirectional</c>), each one <see cref="RecurrentLayer{T}"/>.
/// Shapes: T steps, B batch, I input, H hidden, S the width of one direction's h (H, or proj_size).
/// <list type="bullet">
/// <item>layer 0 reads x [T, B, I]; layer l+1 reads the outputs of both directions of layer l concatenated,
/// [T, B, D·S] (forward direction first), through dropout while training, as PyTorch does</item>
/// <item>the reverse direction is the same layer run over the time-reversed sequence (its first step reads x_T);
/// its outputs are put back in time order, so output[t] = [h→_t, h←_t] and output[T−1]'s reverse half has seen
/// only x_T</item>
/// <item>parameters in PyTorch's state-dict order and names: <c>weight_ih_l0</c>, …, <c>weight_ih_l0_reverse</c>, …,
/// <c>weight_ih_l1</c> [G·H, D·S], …</item>
/// <item>initial states h_0 [L·D, B, S] and c_0 [L·D, B, H] as PyTorch's, entry l·D + d</item>
/// </list>
/// <see cref="Forward"/> calls each layer's forward from the bottom up; <see cref="Backward"/> calls their backward in
/// the mirror order, top down, handing each layer's input gradient to the layer below.
/// </summary>
public sealed class RecurrentStack<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public CellKind Kind { get; }
    public int InputSize { get; }
    public int HiddenSize { get; }
    /// <summary>PyTorch's <c>proj_size</c> (LSTM only): 0 for none.</summary>
    public int ProjectionSize { get; }
    /// <summary>L, PyTorch's <c>num_layers</c>.</summary>
    public int NumLayers { get; }
    /// <summary>D: 1, or 2 when bidirectional.</summary>
    public int Directions { get; }
    /// <summary>Dropout probability on the outputs of every layer but the last (PyTorch's <c>dropout</c>).</summary>
    public double DropoutProbability { get; }
    public bool Bidirectional => Directions == 2;
    /// <summary>S: the width of one direction's h_t.</summary>
    public int StateSize { get; }
    /// <summary>D·S: the width of the stack's output at each step.</summary>
    public int OutputSize => Directions * StateSize;

    /// <summary>Dropout acts only while this is true (PyTorch's <c>module.train()</c> / <c>eval()</c>).</summary>
    public bool Training { get; set; } = true;
    /// <summary>The stream the dropout masks are drawn from; needed when a training forward pass drops.</summary>
    public SeededRandom? DropoutRandom { get; set; }

    /// <summary>Every layer in PyTorch's order: l0, l0_reverse, l1, l1_reverse, …</summary>
    public IReadOnlyList<RecurrentLayer<T>> Layers => layers;
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>T and B of the last forward pass.</summary>
    public int Steps { get; private set; }
    public int Batch { get; private set; }

    readonly RecurrentLayer<T>[] layers;  // [L·D]
    readonly Dropout<T>[] dropouts;       // [L−1]: after layer l, before layer l+1
    bool droppedLastForward;

    readonly T[][] outputs;   // [L] [T, B, D·S]  both directions' outputs in time order (bidirectional only)
    readonly T[][] dropped;   // [L−1] [T, B, D·S]  the outputs after dropout, the next layer's input
    readonly T[][] dInputs;   // [L] [T, B, D·S]  ∂L/∂(input of layer l) for l ≥ 1 = ∂L/∂(output of layer l−1)
    // Owned buffers the directions' parts read and write, so the two can run on two threads:
    T[] layerInput = [];      // [T, B, I or D·S]  the input of the layer being run
    T[] reversed = [];        // [T, B, I or D·S]  the reverse direction's input, time reversed
    T[] initialH = [], initialC = [];    // [L·D, B, S], [L·D, B, H]  h0 and c0 of the last forward pass
    bool hasH0, hasC0;
    readonly T[][] dDirection = [[], []];       // [D] [T, B, S]  each direction's share of the output gradient, in its own time
    readonly T[][] dInputDirection = [[], []];  // [D] [T, B, I or D·S]  each direction's input gradient, in its own time
    T[] dInitialH = [], dInitialC = [];  // [L·D, B, S], [L·D, B, H]  ∂L/∂h0, ∂L/∂c0
    bool wantH0, wantC0;
    // What the directions' parts work on, and the parts themselves (made once: a step allocates no delegate).
    int currentLayer, currentTruncation;
    bool currentNeedsInput;
    readonly Action<int> forwardDirection, backwardDirection;

    /// <summary>A stack of <paramref name="numLayers"/> layers of the given kind, PyTorch's constructor arguments.</summary>
    public RecurrentStack(CellKind kind, int inputSize, int hiddenSize, int numLayers = 1, bool bidirectional = false,
        double dropout = 0, int projectionSize = 0, Nonlinearity nonlinearity = Nonlinearity.Tanh)
        : this(BuildLayers(kind, inputSize, hiddenSize, numLayers, bidirectional ? 2 : 1, projectionSize, nonlinearity), numLayers, bidirectional ? 2 : 1, dropout)
    { }

    /// <summary>One layer, one direction: the stack around a layer built elsewhere.</summary>
    public RecurrentStack(RecurrentLayer<T> layer) : this([layer], 1, 1, 0) { }

    RecurrentStack(RecurrentLayer<T>[] layers, int numLayers, int directions, double dropout)
    {
        if (!(dropout >= 0 && dropout < 1)) throw new ArgumentOutOfRangeException(nameof(dropout), $"dropout must be in [0, 1), got {dropout}");
        this.layers = layers;
        var first = layers[0];
        Kind = first.Kind;
        InputSize = first.InputSize;
        HiddenSize = first.HiddenSize;
        ProjectionSize = first.ProjectionSize;
        StateSize = first.OutputSize;
        NumLayers = numLayers;
        Directions = directions;
        DropoutProbability = dropout;
        dropouts = [.. Enumerable.Range(0, numLayers - 1).Select(_ => new Dropout<T>(dropout))];
        outputs = [.. Enumerable.Range(0, numLayers).Select(_ => Array.Empty<T>())];
        dropped = [.. Enumerable.Range(0, numLayers - 1).Select(_ => Array.Empty<T>())];
        dInputs = [.. Enumerable.Range(0, numLayers).Select(_ => Array.Empty<T>())];
        Parameters = [.. layers.SelectMany(l => l.Parameters)];
        forwardDirection = ForwardDirection;
        backwardDirection = BackwardDirection;
    }

    static RecurrentLayer<T>[] BuildLayers(CellKind kind, int inputSize, int hiddenSize, int numLayers, int directions, int projectionSize, Nonlinearity nonlinearity)
    {
        if (numLayers <= 0) throw new ArgumentOutOfRangeException(nameof(numLayers), $"number of layers must be positive, got {numLayers}");
        int state = RecurrentLayer<T>.StateWidth(hiddenSize, projectionSize);
        var built = new RecurrentLayer<T>[numLayers * directions];
        for (int l = 0; l < numLayers; l++)
            for (int d = 0; d < directions; d++)
                built[l * directions + d] = RecurrentLayer<T>.Create(kind, l == 0 ? inputSize : directions * state, hiddenSize, nonlinearity,
                    RecurrentLayer<T>.SuffixOf(l, d), projectionSize);
        return built;
    }

    /// <summary>Layer <paramref name="layer"/> (0 = bottom), direction 0 (forward) or 1 (reverse).</summary>
    public RecurrentLayer<T> Layer(int layer, int direction = 0) => layers[layer * Directions + direction];

    /// <summary>The top layer's outputs of the last forward pass, both directions in time order: [T, B, D·S].</summary>
    public ReadOnlySpan<T> Output => OutputOf(NumLayers - 1);

    /// <summary>Output at the last step, [B, D·S]: what a readout of the last step reads (PyTorch's output[−1]).</summary>
    public ReadOnlySpan<T> LastOutput => Output.Slice((Steps - 1) * Batch * OutputSize, Batch * OutputSize);

    ReadOnlySpan<T> OutputOf(int l) => Directions == 1 ? layers[l].Output : outputs[l].AsSpan(0, Steps * Batch * OutputSize);

    int LayerInputSize(int l) => l == 0 ? InputSize : OutputSize;

    /// <summary>
    /// Runs every layer over x [T, B, I]; h0 [L·D, B, S] and c0 [L·D, B, H] (LSTM) are PyTorch's initial states,
    /// empty for zero. Dropout between layers draws its masks from <see cref="DropoutRandom"/> while training.
    /// The two directions of a layer are independent, so they run side by side when there are threads to spare
    /// (<see cref="Parallelism.ForEach"/>); each computes exactly what it computes alone.
    /// </summary>
    public void Forward(ReadOnlySpan<T> x, int steps, int batch, ReadOnlySpan<T> h0 = default, ReadOnlySpan<T> c0 = default)
    {
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), $"sequence length must be positive, got {steps}");
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), $"batch size must be positive, got {batch}");
        int bs = batch * StateSize, bh = batch * HiddenSize, n = layers.Length;
        if (!h0.IsEmpty && h0.Length != n * bs) throw new ArgumentException($"h0 has {h0.Length} values, expected [L·D={n}, B={batch}, S={StateSize}]");
        if (!c0.IsEmpty && c0.Length != n * bh) throw new ArgumentException($"c0 has {c0.Length} values, expected [L·D={n}, B={batch}, H={HiddenSize}]");
        droppedLastForward = Training && DropoutProbability > 0 && NumLayers > 1;
        if (droppedLastForward && DropoutRandom is null) throw new InvalidOperationException("dropout while training needs DropoutRandom");
        Steps = steps;
        Batch = batch;
        // Owned copies of the initial states, which the directions' parts read from any thread.
        hasH0 = !h0.IsEmpty;
        hasC0 = !c0.IsEmpty;
        if (hasH0) { Grow(ref initialH, h0.Length); h0.CopyTo(initialH); }
        if (hasC0) { Grow(ref initialC, c0.Length); c0.CopyTo(initialC); }
        ReadOnlySpan<T> input = x;                                          // [T, B, I] or [T, B, D·S]
        for (int l = 0; l < NumLayers; l++)
        {
            currentLayer = l;
            if (Directions == 1) ForwardDirection(0, input);                // one direction: no thread hand-off, no copy
            else
            {
                Grow(ref layerInput, input.Length);
                input.CopyTo(layerInput);
                Parallelism.ForEach(Directions, forwardDirection);
                Interleave(l);
            }
            if (l == NumLayers - 1) break;
            input = OutputOf(l);
            if (droppedLastForward)
            {
                Grow(ref dropped[l], input.Length);
                Span<T> after = dropped[l].AsSpan(0, input.Length);
                dropouts[l].Forward(input, after, DropoutRandom!);
                input = after;
            }
        }
    }

    /// <summary>One direction of the current layer over <see cref="layerInput"/>, for <see cref="Parallelism.ForEach"/>.</summary>
    void ForwardDirection(int d) => ForwardDirection(d, layerInput.AsSpan(0, Steps * Batch * LayerInputSize(currentLayer)));

    /// <summary>One direction of the current layer over <paramref name="input"/>: the reverse direction reads it reversed in time.</summary>
    void ForwardDirection(int d, ReadOnlySpan<T> input)
    {
        int l = currentLayer;
        int k = l * Directions + d, bs = Batch * StateSize, bh = Batch * HiddenSize, size = input.Length;
        ReadOnlySpan<T> h0k = hasH0 ? initialH.AsSpan(k * bs, bs) : default;
        ReadOnlySpan<T> c0k = hasC0 ? initialC.AsSpan(k * bh, bh) : default;
        if (d == 0) { layers[k].Forward(input, Steps, Batch, h0k, c0k); return; }
        Grow(ref reversed, size);
        ReverseTime(input, Steps, Batch * LayerInputSize(l), reversed);
        layers[k].Forward(reversed.AsSpan(0, size), Steps, Batch, h0k, c0k);
    }

    /// <summary>
    /// BPTT through the whole stack for the last forward pass. <paramref name="dOutput"/> [T, B, D·S] is ∂L/∂output;
    /// parameter gradients accumulate (+=); dx [T, B, I], dh0 [L·D, B, S] and dc0 [L·D, B, H] are overwritten when
    /// not empty. Truncation k as in <see cref="RecurrentLayer{T}.Backward"/>, applied in every layer: the chunks are
    /// the same steps in every layer, so the gradient never leaves a chunk. It is defined for one direction only.
    /// <para>
    /// The two directions of a layer run side by side when there are threads to spare (<see cref="Parallelism.ForEach"/>);
    /// a lone direction's walk splits its batch rows between the threads instead (<see cref="BatchRows"/>), and its weight
    /// gradients split each GEMM. Every number is the one a layer-by-layer backward on one thread computes.
    /// </para>
    /// </summary>
    public void Backward(ReadOnlySpan<T> dOutput, Span<T> dx = default, Span<T> dh0 = default, Span<T> dc0 = default, int truncation = 0)
    {
        if (Steps == 0) throw new InvalidOperationException("Backward called before Forward");
        int T = Steps, B = Batch, n = layers.Length;
        if (dOutput.Length != T * B * OutputSize) throw new ArgumentException($"dOutput has {dOutput.Length} values, expected [T={T}, B={B}, D·S={OutputSize}]");
        if (!dx.IsEmpty && dx.Length != T * B * InputSize) throw new ArgumentException($"dx has {dx.Length} values, expected [T={T}, B={B}, I={InputSize}]");
        if (!dh0.IsEmpty && dh0.Length != n * B * StateSize) throw new ArgumentException($"dh0 has {dh0.Length} values, expected [L·D={n}, B={B}, S={StateSize}]");
        if (!dc0.IsEmpty && dc0.Length != n * B * HiddenSize) throw new ArgumentException($"dc0 has {dc0.Length} values, expected [L·D={n}, B={B}, H={HiddenSize}]");
        if (truncation > 0 && Bidirectional)
            throw new ArgumentException($"truncated BPTT {TruncationNeedsOneDirection}");
        wantH0 = !dh0.IsEmpty;
        wantC0 = !dc0.IsEmpty;
        if (wantH0) Grow(ref dInitialH, dh0.Length);
        if (wantC0) Grow(ref dInitialC, dc0.Length);
        ReadOnlySpan<T> dOut = dOutput;                                     // ∂L/∂(output of layer l), [T, B, D·S]
        // The forward loop over layers in reverse: l = L−1..0.
        for (int l = NumLayers - 1; l >= 0; l--)
        {
            int size = T * B * LayerInputSize(l);
            bool needInput = l > 0 || !dx.IsEmpty;
            (currentLayer, currentNeedsInput, currentTruncation) = (l, needInput, truncation);
            Span<T> dIn = default;                                          // ∂L/∂(input of layer l), [T, B, I or D·S]
            if (needInput)
            {
                if (l > 0) { Grow(ref dInputs[l], size); dIn = dInputs[l].AsSpan(0, size); }
                else dIn = dx;
            }
            // Each direction's backward (alone, its walk splits its batch rows between the threads, and each
            // whole-sequence GEMM its columns). One direction reads dOut and writes dIn in place.
            if (Directions == 1) BackwardDirection(0, dOut, dIn);
            else
            {
                for (int d = 0; d < Directions; d++) Deinterleave(dOut, d);
                Parallelism.ForEach(Directions, backwardDirection);
                if (needInput)
                {
                    dInputDirection[0].AsSpan(0, size).CopyTo(dIn);
                    // forward: the reverse direction read the input reversed in time  →  its input gradient is reversed back
                    AddReversedTime(dInputDirection[1].AsSpan(0, size), T, B * LayerInputSize(l), dIn);
                }
            }
            if (!needInput) break;
            if (l == 0) break;
            // forward: input of layer l = dropout(output of layer l−1)  →  d(output) = d(input) ⊙ mask
            if (droppedLastForward) dropouts[l - 1].Backward(dIn, dIn);
            dOut = dIn;
        }
        if (wantH0) dInitialH.AsSpan(0, dh0.Length).CopyTo(dh0);
        if (wantC0) dInitialC.AsSpan(0, dc0.Length).CopyTo(dc0);
    }

    /// <summary>
    /// Why truncated BPTT is refused with a reverse direction. Truncation means what it means for a stream: chunks of k
    /// steps from the start, each started from the state the chunk before left, the gradient stopped at the boundary.
    /// A reverse direction's first step reads x_T, so no chunk of it can run before the whole sequence has been read;
    /// PyTorch has no truncated form of a bidirectional layer either.
    /// </summary>
    public const string TruncationNeedsOneDirection = "works in chunks of k steps from the start of the sequence, each carrying its state forward; " +
        "a reverse direction starts at x_T, so it needs the whole sequence before its first step and has no chunked form (PyTorch has none either): " +
        "use full BPTT or one direction";

    /// <summary>Direction d of the current layer's backward pass from its share of dOutput, for <see cref="Parallelism.ForEach"/>.</summary>
    void BackwardDirection(int d)
    {
        int size = Steps * Batch * LayerInputSize(currentLayer);
        Span<T> dIn = default;
        if (currentNeedsInput) { Grow(ref dInputDirection[d], size); dIn = dInputDirection[d].AsSpan(0, size); }
        BackwardDirection(d, dDirection[d].AsSpan(0, Steps * Batch * StateSize), dIn);
    }

    /// <summary>The backward pass of one direction of the current layer, from its output gradient in its own time; dIn empty when not needed.</summary>
    void BackwardDirection(int d, ReadOnlySpan<T> dOwn, Span<T> dIn)
    {
        int k = currentLayer * Directions + d, bs = Batch * StateSize, bh = Batch * HiddenSize;
        layers[k].Backward(dOwn, dIn,
            wantH0 ? dInitialH.AsSpan(k * bs, bs) : default, wantC0 ? dInitialC.AsSpan(k * bh, bh) : default, currentTruncation);
    }

    /// <summary>
    /// The gradient-flow probe of the last backward pass for one layer and direction: ‖∂L/∂h_t‖₂ over the batch at
    /// time t = 1..T of the input sequence (the reverse direction's own step T + 1 − t).
    /// </summary>
    public double StateGradientNorm(int layer, int direction, int t)
    {
        var probe = Layer(layer, direction).StateGradientNorms;
        return direction == 0 ? probe[t - 1] : probe[Steps - t];
    }

    /// <summary>outputs[l][t, b] = [h→_t, h←_t]: the reverse direction's step T − t is time t.</summary>
    void Interleave(int l)
    {
        int T = Steps, B = Batch, S = StateSize;
        Grow(ref outputs[l], T * B * 2 * S);
        Span<T> o = outputs[l].AsSpan(0, T * B * 2 * S);
        ReadOnlySpan<T> fwd = layers[2 * l].Output, rev = layers[2 * l + 1].Output;
        for (int t = 0; t < T; t++)
            for (int b = 0; b < B; b++)
            {
                fwd.Slice((t * B + b) * S, S).CopyTo(o.Slice((t * B + b) * 2 * S, S));
                rev.Slice(((T - 1 - t) * B + b) * S, S).CopyTo(o.Slice((t * B + b) * 2 * S + S, S));
            }
    }

    /// <summary>The mirror of <see cref="Interleave"/>: direction d's share of dOutput, in that direction's own time.</summary>
    void Deinterleave(ReadOnlySpan<T> dOutput, int d)
    {
        int T = Steps, B = Batch, S = StateSize, D = Directions;
        Grow(ref dDirection[d], T * B * S);
        Span<T> g = dDirection[d].AsSpan(0, T * B * S);
        for (int t = 0; t < T; t++)
        {
            int own = d == 0 ? t : T - 1 - t;
            for (int b = 0; b < B; b++)
                dOutput.Slice((t * B + b) * D * S + d * S, S).CopyTo(g.Slice((own * B + b) * S, S));
        }
    }

    /// <summary>dst[t] = src[T−1−t] for rows of <paramref name="row"/> values.</summary>
    static void ReverseTime(ReadOnlySpan<T> src, int steps, int row, Span<T> dst)
    {
        for (int t = 0; t < steps; t++) src.Slice((steps - 1 - t) * row, row).CopyTo(dst.Slice(t * row, row));
    }

    /// <summary>dst[t] += src[T−1−t] for rows of <paramref name="row"/> values.</summary>
    static void AddReversedTime(ReadOnlySpan<T> src, int steps, int row, Span<T> dst)
    {
        for (int t = 0; t < steps; t++)
        {
            Span<T> d = dst.Slice(t * row, row);
            Kernels.Add(d, src.Slice((steps - 1 - t) * row, row), d);
        }
    }

    static void Grow(ref T[] buffer, int size)
    {
        if (buffer.Length < size) buffer = new T[size];
    }

    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.ZeroGrad();
    }
}
