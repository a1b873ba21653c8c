using System.Numerics;
using RnnLab.Numerics;
using static RnnLab.Models.Lanes;

namespace RnnLab.Models;

/// <summary>
/// GRU as PyTorch's <c>torch.nn.GRU</c> (Cho et al. 2014, with the reset gate applied after the hidden
/// projection). Gate blocks in the order r, z, n:
/// <code>
///   r = σ(W_ir x + b_ir + W_hr h + b_hr)       z = σ(W_iz x + b_iz + W_hz h + b_hz)
///   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
///   h' = (1 − z) ⊙ n + z ⊙ h
/// </code>
/// </summary>
public sealed unsafe class GruLayer<T> : RecurrentLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    T[] gates = [];   // [T, B, 3H]  activated r, z, n (input-side pre-activations before the non-linearities)
    T[] preHH = [];   // [T, B, 3H]  h_{t-1}·W_hhᵀ + b_hh; its n block W_hn h + b_hn is what r multiplies
    T[] dIH = [];     // [T, B, 3H]  ∂L/∂(input-side pre-activations)
    T[] dHH = [];     // [T, B, 3H]  ∂L/∂(hidden-side pre-activations); differs from dIH in the n block only
    readonly Action<int, int> forwardRows, backwardRows;  // the walks for a block of batch rows, made once

    public GruLayer(int inputSize, int hiddenSize, string suffix = DefaultSuffix) : base(CellKind.Gru, inputSize, hiddenSize, suffix)
    {
        forwardRows = ForwardRows;
        backwardRows = BackwardRows;
    }

    protected override void EnsureBuffers(int steps, int batch)
    {
        int n = steps * batch * 3 * HiddenSize;
        Grow(ref gates, n);
        Grow(ref preHH, n);
        Grow(ref dIH, n);
        Grow(ref dHH, n);
    }

    /// <summary>What <see cref="EnsureBuffers"/> holds per step and batch row: gates, preHH, dIH and dHH, 3H each.</summary>
    internal static double BufferValuesPerRowStep(int hidden) => 12.0 * hidden;

    protected override void ForwardSequence(ReadOnlySpan<T> x, ReadOnlySpan<T> c0)
    {
        int B = Batch, G3 = 3 * HiddenSize;
        // Input projection of all steps in one GEMM: pre_ih[t] = x[t]·W_ihᵀ + b_ih.
        Span<T> preIH = gates.AsSpan(0, Steps * B * G3);                  // [T, B, 3H]
        Gemm.Multiply(Op.N, Op.T, Steps * B, G3, InputSize, x, WeightIH.Value, preIH, accumulate: false);
        Kernels.AddRowBias(preIH, BiasIH.Value, G3);
        WalkByRows(forwardRows);
    }

    /// <summary>The forward loop for batch rows [first, end), t = 1..T.</summary>
    void ForwardRows(int first, int end)
    {
        int B = Batch, H = HiddenSize, G3 = 3 * H, bh = B * H;
        fixed (T* g = gates, hh = preHH, h = hs, bias = BiasHH.Value)
            for (int t = 1; t <= Steps; t++)
            {
                // [B, 3H] h_{t−1}·W_hhᵀ (+ b_hh in the rows)
                MultiplyRecurrent(first, end, hs.AsSpan((t - 1) * bh, bh), preHH.AsSpan((t - 1) * B * G3, B * G3), accumulate: false);
                var rows = new StepRows
                {
                    Gates = g + (t - 1) * B * G3, PreHH = hh + (t - 1) * B * G3, HPrev = h + (t - 1) * bh, Ht = h + t * bh,
                    BiasHH = bias, Hidden = H,
                };
                ForwardStep(first, end, in rows);
            }
    }

    protected override void BackwardSequence(ReadOnlySpan<T> dOutput, Span<T> dh0, Span<T> dc0, int truncation)
        => WalkBack(dOutput, truncation, backwardRows, dh0);

    /// <summary>The forward loop in reverse, t = T..1, for batch rows [first, end).</summary>
    void BackwardRows(int first, int end)
    {
        int B = Batch, H = HiddenSize, G3 = 3 * H, bh = B * H;
        fixed (T* g = gates, hh = preHH, h = hs, dhs = stateGrads, di = dIH, dhh = dHH)
            for (int t = Steps; t >= 1; t--)
            {
                Span<T> dh = StateGradient(t, first, end);                 // ∂L/∂h_t, [rows, H]: carried from t+1
                Kernels.Add(dh, OwnLossGradient(t, first, end), dh);       // + h_t's own loss term
                var rows = new StepRows
                {
                    Gates = g + (t - 1) * B * G3, PreHH = hh + (t - 1) * B * G3, HPrev = h + (t - 1) * bh, DH = dhs + t * bh, DHPrev = dhs + (t - 1) * bh,
                    DIH = di + (t - 1) * B * G3, DHH = dhh + (t - 1) * B * G3, Hidden = H,
                };
                BackwardStep(first, end, in rows);
                // forward: pre_hh = h_{t-1}·W_hhᵀ + b_hh  →  dh_{t-1} = dh ⊙ z + dpre_hh·W_hh
                if (CutsBefore(t, WalkTruncation)) StateGradient(t - 1, first, end).Clear();
                else MultiplyRecurrentBackward(first, end, dHH.AsSpan((t - 1) * B * G3, B * G3), stateGrads.AsSpan((t - 1) * bh, bh), accumulate: true);
            }
    }

    protected override ReadOnlySpan<T> InputSideGateGradients => dIH.AsSpan(0, Steps * Batch * 3 * HiddenSize);
    protected override ReadOnlySpan<T> HiddenSideGateGradients => dHH.AsSpan(0, Steps * Batch * 3 * HiddenSize);

    /// <summary>One time step's rows: pointers into arrays the caller keeps pinned.</summary>
    struct StepRows
    {
        public T* Gates;   // [B, 3H]  input-side pre-activations in, activated r, z, n out (forward)
        public T* PreHH;   // [B, 3H]  h_{t−1}·W_hhᵀ in, + b_hh out (forward)
        public T* HPrev;   // [B, H]   h_{t−1}
        public T* Ht;      // [B, H]   h_t (forward)
        public T* BiasHH;  // [3H]     b_hh (forward)
        public T* DH;      // [B, H]   ∂L/∂h_t (backward)
        public T* DHPrev;  // [B, H]   the part of ∂L/∂h_{t−1} that comes through z (backward)
        public T* DIH;     // [B, 3H]  ∂L/∂(input-side pre-activations) (backward)
        public T* DHH;     // [B, 3H]  ∂L/∂(hidden-side pre-activations) (backward)
        public int Hidden;
    }

    /// <summary>r, z, n activated and h = (1 − z) ⊙ n + z ⊙ h_prev, for rows [first, end).</summary>
    static void ForwardStep(int first, int end, in StepRows s)
    {
        int H = s.Hidden, G3 = 3 * H;
        var bhh = new ReadOnlySpan<T>(s.BiasHH, G3);
        for (int b = first; b < end; b++)
        {
            var g = new Span<T>(s.Gates + b * G3, G3);
            var preHh = new Span<T>(s.PreHH + b * G3, G3);                   // [3H] one row of pre_hh
            Kernels.Add(preHh, bhh, preHh);                                  // + b_hh
            Kernels.Add(g[..(2 * H)], preHh[..(2 * H)], g[..(2 * H)]);
            Kernels.Sigmoid(g[..(2 * H)], g[..(2 * H)]);                     // r, z
            Span<T> n = g.Slice(2 * H, H);
            ReadOnlySpan<T> r = g[..H], hn = preHh.Slice(2 * H, H);
            for (int j = 0; j < H;)
            {
                bool full = Full<T>(j, H);
                Put(At<T>(n, j, full) + At(r, j, full) * At(hn, j, full), n, j, full); // W_in x + b_in + r ⊙ (W_hn h + b_hn)
                j += Advance<T>(full);
            }
            Kernels.Tanh(n, n);
            ReadOnlySpan<T> z = g.Slice(H, H);
            var hp = new ReadOnlySpan<T>(s.HPrev + b * H, H);
            var hb = new Span<T>(s.Ht + b * H, H);
            for (int j = 0; j < H;)
            {
                bool full = Full<T>(j, H);
                Vector<T> zj = At(z, j, full), nj = At<T>(n, j, full);
                Put(nj + zj * (At(hp, j, full) - nj), hb, j, full); // h = (1 − z) ⊙ n + z ⊙ h_prev
                j += Advance<T>(full);
            }
        }
    }

    /// <summary>The mirror of <see cref="ForwardStep"/>: the pre-activations' gradients and dh ⊙ z, for rows [first, end).</summary>
    static void BackwardStep(int first, int end, in StepRows s)
    {
        int H = s.Hidden, G3 = 3 * H;
        for (int b = first; b < end; b++)
        {
            var g = new ReadOnlySpan<T>(s.Gates + b * G3, G3);
            ReadOnlySpan<T> rg = g[..H], zg = g.Slice(H, H), ng = g.Slice(2 * H, H);
            var hn = new ReadOnlySpan<T>(s.PreHH + b * G3 + 2 * H, H);
            var hp = new ReadOnlySpan<T>(s.HPrev + b * H, H);
            var dhb = new ReadOnlySpan<T>(s.DH + b * H, H);
            var dhPrev = new Span<T>(s.DHPrev + b * H, H);
            var dI = new Span<T>(s.DIH + b * G3, G3);
            var dHd = new Span<T>(s.DHH + b * G3, G3);
            for (int j = 0; j < H;)
            {
                bool full = Full<T>(j, H);
                var one = Vector<T>.One;
                Vector<T> r = At(rg, j, full), z = At(zg, j, full), n = At(ng, j, full), dhj = At<T>(dhb, j, full);
                // forward: h = (1 − z) ⊙ n + z ⊙ h_prev  →  dn = dh ⊙ (1 − z), dz = dh ⊙ (h_prev − n), dh_prev = dh ⊙ z (+ below)
                Vector<T> dpreN = dhj * (one - z) * (one - n * n);                 // n = tanh(pre_n)
                Vector<T> dpreZ = dhj * (At(hp, j, full) - n) * z * (one - z);     // z = σ(pre_z)
                // forward: pre_n = (W_in x + b_in) + r ⊙ (W_hn h + b_hn)  →  dr = dpre_n ⊙ hn, d(W_hn h + b_hn) = dpre_n ⊙ r
                Vector<T> dpreR = dpreN * At(hn, j, full) * r * (one - r);         // r = σ(pre_r)
                Put(dpreR, dI, j, full); Put(dpreR, dHd, j, full);
                Put(dpreZ, dI.Slice(H), j, full); Put(dpreZ, dHd.Slice(H), j, full);
                Put(dpreN, dI.Slice(2 * H), j, full); Put(dpreN * r, dHd.Slice(2 * H), j, full);
                Put(dhj * z, dhPrev, j, full);
                j += Advance<T>(full);
            }
        }
    }
}
