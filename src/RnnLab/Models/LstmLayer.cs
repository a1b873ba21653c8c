using System.Numerics;
using RnnLab.Numerics;
using static RnnLab.Models.Lanes;

namespace RnnLab.Models;

/// <summary>
/// LSTM as PyTorch's <c>torch.nn.LSTM</c> (Hochreiter &amp; Schmidhuber 1997 with a forget gate, Gers et al. 2000).
/// Gate blocks in the order i, f, g, o:
/// <code>
///   i = σ(W_ii x + b_ii + W_hi h + b_hi)     f = σ(W_if x + b_if + W_hf h + b_hf)
///   g = tanh(W_ig x + b_ig + W_hg h + b_hg)  o = σ(W_io x + b_io + W_ho h + b_ho)
///   c' = f ⊙ c + i ⊙ g                      h' = o ⊙ tanh(c')
/// </code>
/// With a projection (PyTorch's <c>proj_size</c> P, Sak et al. 2014) the state fed back and output is
/// h' = W_hr·(o ⊙ tanh(c')) [P], so W_hh is [4H, P]; c stays [H].
/// </summary>
public sealed unsafe class LstmLayer<T> : RecurrentLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    T[] gates = [];   // [T, B, 4H]  activated i, f, g, o per step (pre-activations before the non-linearities)
    T[] cs = [];      // [T+1, B, H] c_0..c_T
    T[] tanhC = [];   // [T, B, H]   tanh(c_t), t = 1..T
    T[] dc = [];      // [B, H]      ∂L/∂c_t carried backwards
    T[] dGates = [];  // [T, B, 4H]  ∂L/∂(gate pre-activations), stacked for the weight-gradient GEMMs
    // Projection only (P = proj_size):
    T[] cellOut = [];   // [T, B, H]  o ⊙ tanh(c_t), the input of the projection
    T[] dCellOut = [];  // [B, H]     ∂L/∂(o ⊙ tanh(c_t))
    PackedMatrix<T>? projectionForward;   // W_hrᵀ [H, P], packed once per forward pass
    PackedMatrix<T>? projectionBackward;  // W_hr [P, H], packed once per backward pass
    readonly Action<int, int> forwardRows, backwardRows;  // the walks for a block of batch rows, made once

    public LstmLayer(int inputSize, int hiddenSize, string suffix = DefaultSuffix, int projectionSize = 0)
        : base(CellKind.Lstm, inputSize, hiddenSize, suffix, projectionSize)
    {
        forwardRows = ForwardRows;
        backwardRows = BackwardRows;
    }

    bool Projects => ProjectionSize > 0;

    /// <summary>Cell states c_0..c_T of the last forward pass, [T+1, B, H].</summary>
    public ReadOnlySpan<T> CellStates => cs.AsSpan(0, (Steps + 1) * Batch * HiddenSize);

    /// <summary>c_T of the last forward pass, [B, H].</summary>
    public ReadOnlySpan<T> FinalCell => cs.AsSpan(Steps * Batch * HiddenSize, Batch * HiddenSize);

    protected override void EnsureBuffers(int steps, int batch)
    {
        int bh = batch * HiddenSize;
        Grow(ref gates, steps * 4 * bh);
        Grow(ref cs, (steps + 1) * bh);
        Grow(ref tanhC, steps * bh);
        Grow(ref dc, bh);
        Grow(ref dGates, steps * 4 * bh);
        if (!Projects) return;
        Grow(ref cellOut, steps * bh);
        Grow(ref dCellOut, bh);
    }

    /// <summary>What <see cref="EnsureBuffers"/> holds per step and batch row: gates and dGates (4H each), c and tanh(c), and o ⊙ tanh(c) with a projection.</summary>
    internal static double BufferValuesPerRowStep(int hidden, int projection) => 10.0 * hidden + (projection > 0 ? hidden : 0);

    protected override void ForwardSequence(ReadOnlySpan<T> x, ReadOnlySpan<T> c0)
    {
        int B = Batch, H = HiddenSize, G4 = 4 * H, bh = B * H;
        if (Projects) projectionForward = Gemm.PackB(Op.T, H, ProjectionSize, WeightHR!.Value, projectionForward);
        // Input projection of all steps in one GEMM: pre[t] = x[t]·W_ihᵀ + b_ih + b_hh.
        Span<T> pre = gates.AsSpan(0, Steps * B * G4);                    // [T, B, 4H]
        Gemm.Multiply(Op.N, Op.T, Steps * B, G4, InputSize, x, WeightIH.Value, pre, accumulate: false);
        Kernels.AddRowBias(pre, BiasIH.Value, BiasHH.Value, G4);
        if (c0.IsEmpty) cs.AsSpan(0, bh).Clear(); else c0.CopyTo(cs);
        WalkByRows(forwardRows);
    }

    /// <summary>The forward loop for batch rows [first, end), t = 1..T.</summary>
    void ForwardRows(int first, int end)
    {
        int B = Batch, H = HiddenSize, P = ProjectionSize, G4 = 4 * H, bh = B * H, bs = B * OutputSize;
        // h_t = o ⊙ tanh(c_t) goes to hs directly, or to cellOut for the projection below
        fixed (T* g = gates, c = cs, tc = tanhC, o = Projects ? cellOut : hs)
            for (int t = 1; t <= Steps; t++)
            {
                MultiplyRecurrent(first, end, hs.AsSpan((t - 1) * bs, bs), gates.AsSpan((t - 1) * B * G4, B * G4), accumulate: true);
                var rows = new StepRows
                {
                    Gates = g + (t - 1) * B * G4, CPrev = c + (t - 1) * bh, C = c + t * bh, TanhC = tc + (t - 1) * bh,
                    Out = o + (Projects ? (t - 1) * bh : t * bh), Hidden = H,
                };
                ForwardStep(first, end, in rows);
                // with a projection: h = (o ⊙ tanh(c))·W_hrᵀ, [rows, H]·[H, P] → [rows, P]
                if (Projects)
                    Gemm.Multiply(Op.N, end - first, cellOut.AsSpan((t - 1) * bh + first * H, (end - first) * H), projectionForward!,
                        hs.AsSpan(t * bs + first * P, (end - first) * P), accumulate: false, BatchRows.GemmThreads(B, first, end));
            }
    }

    protected override void BackwardSequence(ReadOnlySpan<T> dOutput, Span<T> dh0, Span<T> dc0, int truncation)
    {
        dc.AsSpan(0, Batch * HiddenSize).Clear();
        if (Projects) projectionBackward = Gemm.PackB(Op.N, ProjectionSize, HiddenSize, WeightHR!.Value, projectionBackward);
        WalkBack(dOutput, truncation, backwardRows, dh0);
        if (!dc0.IsEmpty) dc.AsSpan(0, Batch * HiddenSize).CopyTo(dc0);
    }

    /// <summary>The forward loop in reverse, t = T..1, for batch rows [first, end).</summary>
    void BackwardRows(int first, int end)
    {
        int B = Batch, H = HiddenSize, G4 = 4 * H, bh = B * H, bs = B * OutputSize, rows = end - first;
        // ∂L/∂(o ⊙ tanh(c_t)), [B, H]: dh itself, or through the projection
        fixed (T* g = gates, c = cs, tc = tanhC, dhp = Projects ? dCellOut : stateGrads, dcp = dc, dg = dGates)
            for (int t = Steps; t >= 1; t--)
            {
                Span<T> dh = StateGradient(t, first, end);                 // ∂L/∂h_t, [rows, S]: carried from t+1
                Kernels.Add(dh, OwnLossGradient(t, first, end), dh);       // + h_t's own loss term
                // forward: h = (o ⊙ tanh(c))·W_hrᵀ  →  d(o ⊙ tanh(c)) = dh·W_hr,  dW_hr += dhᵀ·(o ⊙ tanh(c)) (in AccumulateWeightGradients)
                if (Projects)
                    Gemm.Multiply(Op.N, rows, dh, projectionBackward!, dCellOut.AsSpan(first * H, rows * H), accumulate: false, BatchRows.GemmThreads(B, first, end));
                var step = new StepRows
                {
                    Gates = g + (t - 1) * B * G4, CPrev = c + (t - 1) * bh, TanhC = tc + (t - 1) * bh,
                    DH = dhp + (Projects ? 0 : t * bs), DC = dcp, DGates = dg + (t - 1) * B * G4, Hidden = H,
                };
                BackwardStep(first, end, in step);
                // forward: pre += h_{t-1}·W_hhᵀ  →  dh_{t-1} = dpre·W_hh
                if (CutsBefore(t, WalkTruncation)) { StateGradient(t - 1, first, end).Clear(); dc.AsSpan(first * H, rows * H).Clear(); }
                else MultiplyRecurrentBackward(first, end, dGates.AsSpan((t - 1) * B * G4, B * G4), stateGrads.AsSpan((t - 1) * bs, bs), accumulate: false);
            }
    }

    // The input and hidden sides of every gate see the same pre-activation: one gradient for both.
    protected override ReadOnlySpan<T> InputSideGateGradients => dGates.AsSpan(0, Steps * Batch * 4 * HiddenSize);
    protected override ReadOnlySpan<T> HiddenSideGateGradients => InputSideGateGradients;

    /// <summary>With a projection, W_hr's gradient too.</summary>
    protected override void AccumulateWeightGradients()
    {
        base.AccumulateWeightGradients();
        if (!Projects) return;
        // forward: h = (o ⊙ tanh(c))·W_hrᵀ  →  dW_hr += dhᵀ·(o ⊙ tanh(c)) over all steps
        int TB = Steps * Batch;
        Gemm.Multiply(Op.T, Op.N, ProjectionSize, HiddenSize, TB, stateGrads.AsSpan(Batch * ProjectionSize, TB * ProjectionSize), cellOut.AsSpan(0, TB * HiddenSize), WeightHR!.Grad, accumulate: true);
    }

    /// <summary>One time step's rows: pointers into arrays the caller keeps pinned.</summary>
    struct StepRows
    {
        public T* Gates;   // [B, 4H]  pre-activations in (forward: activated in place), i f g o
        public T* CPrev;   // [B, H]   c_{t−1}
        public T* C;       // [B, H]   c_t (forward)
        public T* TanhC;   // [B, H]   tanh(c_t)
        public T* Out;     // [B, H]   o ⊙ tanh(c_t) (forward)
        public T* DH;      // [B, H]   ∂L/∂(o ⊙ tanh(c_t)) (backward)
        public T* DC;      // [B, H]   ∂L/∂c_t in, ∂L/∂c_{t−1} out (backward)
        public T* DGates;  // [B, 4H]  ∂L/∂(gate pre-activations) (backward)
        public int Hidden;
    }

    /// <summary>i, f, g, o activated; c = f ⊙ c_prev + i ⊙ g; h = o ⊙ tanh(c), for rows [first, end).</summary>
    static void ForwardStep(int first, int end, in StepRows s)
    {
        int H = s.Hidden, G4 = 4 * H;
        for (int b = first; b < end; b++)
        {
            var row = new Span<T>(s.Gates + b * G4, G4);
            Kernels.Sigmoid(row[..(2 * H)], row[..(2 * H)]);            // i, f
            Kernels.Tanh(row.Slice(2 * H, H), row.Slice(2 * H, H));    // g
            Kernels.Sigmoid(row.Slice(3 * H, H), row.Slice(3 * H, H)); // o
            ReadOnlySpan<T> ig = row[..H], fg = row.Slice(H, H), gg = row.Slice(2 * H, H);
            var cPrev = new ReadOnlySpan<T>(s.CPrev + b * H, H);
            var c = new Span<T>(s.C + b * H, H);
            for (int j = 0; j < H;)
            {
                bool full = Full<T>(j, H);
                // c = f ⊙ c_prev + i ⊙ g
                Put(At(fg, j, full) * At(cPrev, j, full) + At(ig, j, full) * At(gg, j, full), c, j, full);
                j += Advance<T>(full);
            }
            var tc = new Span<T>(s.TanhC + b * H, H);
            Kernels.Tanh(c, tc);
            Kernels.Multiply(row.Slice(3 * H, H), tc, new Span<T>(s.Out + b * H, H)); // h = o ⊙ tanh(c)
        }
    }

    /// <summary>The mirror of <see cref="ForwardStep"/>: the gate pre-activations' gradients and ∂L/∂c_{t−1}, for rows [first, end).</summary>
    static void BackwardStep(int first, int end, in StepRows s)
    {
        int H = s.Hidden, G4 = 4 * H;
        for (int b = first; b < end; b++)
        {
            var row = new ReadOnlySpan<T>(s.Gates + b * G4, G4);
            ReadOnlySpan<T> ig = row[..H], fg = row.Slice(H, H), gg = row.Slice(2 * H, H), og = row.Slice(3 * H, H);
            var tc = new ReadOnlySpan<T>(s.TanhC + b * H, H);
            var cPrev = new ReadOnlySpan<T>(s.CPrev + b * H, H);
            var dhb = new ReadOnlySpan<T>(s.DH + b * H, H);
            var dcb = new Span<T>(s.DC + b * H, H);
            var drow = new Span<T>(s.DGates + b * G4, G4);
            // Gradients of the gate pre-activations (what W_ih, W_hh and the biases see), not of the gates.
            Span<T> dPreI = drow[..H], dPreF = drow.Slice(H, H), dPreG = drow.Slice(2 * H, H), dPreO = drow.Slice(3 * H, H);
            for (int j = 0; j < H;)
            {
                bool full = Full<T>(j, H);
                var one = Vector<T>.One;
                Vector<T> i = At(ig, j, full), f = At(fg, j, full), g = At(gg, j, full), o = At(og, j, full);
                Vector<T> tcj = At(tc, j, full), dhj = At(dhb, j, full);
                // forward: h = o ⊙ tanh(c)      →  do = dh ⊙ tanh(c),  dc += dh ⊙ o ⊙ (1 − tanh²(c))
                Vector<T> dcj = At(dcb, j, full) + dhj * o * (one - tcj * tcj);
                // forward: o = σ(pre_o)          →  dpre_o = do ⊙ o(1 − o)
                Put(dhj * tcj * o * (one - o), dPreO, j, full);
                // forward: c = f ⊙ c_prev + i ⊙ g →  di = dc ⊙ g, df = dc ⊙ c_prev, dg = dc ⊙ i, dc_prev = dc ⊙ f
                Put(dcj * g * i * (one - i), dPreI, j, full);                  // i = σ(pre_i)
                Put(dcj * At(cPrev, j, full) * f * (one - f), dPreF, j, full); // f = σ(pre_f)
                Put(dcj * i * (one - g * g), dPreG, j, full);                  // g = tanh(pre_g)
                Put(dcj * f, dcb, j, full);
                j += Advance<T>(full);
            }
        }
    }
}
