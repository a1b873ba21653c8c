using System.Numerics;
using RnnLab.Numerics;

namespace RnnLab.Models;

/// <summary>
/// Elman RNN as PyTorch's <c>torch.nn.RNN</c>: h_t = act(x_t·W_ihᵀ + b_ih + h_{t-1}·W_hhᵀ + b_hh), act = tanh or ReLU.
/// </summary>
public sealed unsafe class RnnLayer<T> : RecurrentLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public Nonlinearity Nonlinearity { get; }

    T[] dz = [];     // [T, B, H]  ∂L/∂z_t, z_t the pre-activation; stacked for the weight-gradient GEMMs

    public RnnLayer(int inputSize, int hiddenSize, Nonlinearity nonlinearity = Nonlinearity.Tanh, string suffix = DefaultSuffix)
        : base(CellKind.Rnn, inputSize, hiddenSize, suffix)
    {
        if (nonlinearity is not (Nonlinearity.Tanh or Nonlinearity.Relu))
            throw new ArgumentException($"an Elman RNN takes tanh or relu, not {nonlinearity} (modReLU is expRNN's)", nameof(nonlinearity));
        Nonlinearity = nonlinearity;
    }

    /// <summary>∂L/∂z_t of the last backward pass, [T, B, H] (the regulariser of <see cref="FlowRegularizer"/> reads it).</summary>
    public ReadOnlySpan<T> PreActivationGradients => dz.AsSpan(0, Steps * Batch * HiddenSize);

    protected override void EnsureBuffers(int steps, int batch) => Grow(ref dz, steps * batch * HiddenSize);

    protected override void ForwardSequence(ReadOnlySpan<T> x, ReadOnlySpan<T> c0)
    {
        int B = Batch, H = HiddenSize, I = InputSize, TB = Steps * B, bh = B * H;
        // z for all steps at once: z[t] = x[t]·W_ihᵀ, written straight into h_1..h_T, then biases added.
        Span<T> z = hs.AsSpan(bh, TB * H);                                 // [T, B, H]
        Gemm.Multiply(Op.N, Op.T, TB, H, I, x, WeightIH.Value, z, accumulate: false);
        Kernels.AddRowBias(z, BiasIH.Value, BiasHH.Value, H);
        for (int t = 1; t <= Steps; t++)
        {
            Span<T> ht = hs.AsSpan(t * bh, bh);                            // [B, H]
            MultiplyRecurrent(hs.AsSpan((t - 1) * bh, bh), ht, accumulate: true);
            fixed (T* h = hs)
            {
                var rows = new StepRows { Ht = h + t * bh, Relu = Nonlinearity == Nonlinearity.Relu, Hidden = H };
                BatchRows.For(B, H, &ForwardRows, &rows);
            }
        }
    }

    protected override void BackwardSequence(ReadOnlySpan<T> dOutput, Span<T> dh0, Span<T> dc0, int truncation)
    {
        int B = Batch, H = HiddenSize, bh = B * H;
        Span<T> dh = stateGrad.AsSpan(0, bh);                                // ∂L/∂h_t, [B, H]
        dh.Clear();
        // The forward loop in reverse: t = T..1.
        for (int t = Steps; t >= 1; t--)
        {
            Kernels.Add(dh, dOutput.Slice((t - 1) * bh, bh), dh);           // own loss term + carried from t+1
            probe[t - 1] = Math.Sqrt(Kernels.SumOfSquares<T>(dh));
            Span<T> dzt = dz.AsSpan((t - 1) * bh, bh);
            fixed (T* h = hs, dhp = stateGrad, dzp = dz)
            {
                var rows = new StepRows { Ht = h + t * bh, DH = dhp, DZ = dzp + (t - 1) * bh, Relu = Nonlinearity == Nonlinearity.Relu, Hidden = H };
                BatchRows.For(B, H, &BackwardRows, &rows);
            }
            // forward: z += h_{t-1}·W_hhᵀ  →  dh_{t-1} = dz·W_hh
            if (CutsBefore(t, truncation)) dh.Clear();
            else MultiplyRecurrentBackward(dzt, dh, accumulate: false);
        }
        if (!dh0.IsEmpty) dh.CopyTo(dh0);
    }

    protected override ReadOnlySpan<T> InputSideGateGradients => PreActivationGradients;
    protected override ReadOnlySpan<T> HiddenSideGateGradients => PreActivationGradients;

    /// <summary>One time step's rows for <see cref="BatchRows"/>: pointers into arrays the caller keeps pinned for the call.</summary>
    struct StepRows
    {
        public T* Ht;   // [B, H]  z_t in, h_t = act(z_t) out (forward); h_t (backward)
        public T* DH;   // [B, H]  ∂L/∂h_t (backward)
        public T* DZ;   // [B, H]  ∂L/∂z_t (backward)
        public bool Relu;
        public int Hidden;
    }

    /// <summary>h = act(z) in place, for rows [first, end).</summary>
    static void ForwardRows(int first, int end, void* state)
    {
        ref readonly StepRows s = ref *(StepRows*)state;
        for (int b = first; b < end; b++)
        {
            var h = new Span<T>(s.Ht + b * s.Hidden, s.Hidden);
            if (s.Relu) Kernels.Relu(h, h); else Kernels.Tanh(h, h);
        }
    }

    /// <summary>The mirror of <see cref="ForwardRows"/>: ∂L/∂z_t, for rows [first, end).</summary>
    static void BackwardRows(int first, int end, void* state)
    {
        ref readonly StepRows s = ref *(StepRows*)state;
        for (int b = first; b < end; b++)
        {
            var h = new ReadOnlySpan<T>(s.Ht + b * s.Hidden, s.Hidden);
            var dh = new ReadOnlySpan<T>(s.DH + b * s.Hidden, s.Hidden);
            var dz = new Span<T>(s.DZ + b * s.Hidden, s.Hidden);
            // forward: h = tanh(z)  →  dz = dh·(1 − h²);   h = relu(z)  →  dz = dh·[h > 0]
            if (s.Relu) Kernels.ReluBackward(h, dh, dz); else Kernels.TanhBackward(h, dh, dz);
        }
    }
}
