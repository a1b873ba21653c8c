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
    readonly Action<int, int> forwardRows, backwardRows;  // the walks for a block of batch rows, made once

    public RnnLayer(int inputSize, int hiddenSize, Nonlinearity nonlinearity = Nonlinearity.Tanh, string suffix = DefaultSuffix)
        : base(CellKind.Rnn, inputSize, hiddenSize, suffix)
    {
        if (nonlinearity is not (Nonlinearity.Tanh or Nonlinearity.Relu))
            throw new ArgumentException($"an Elman RNN takes tanh or relu, not {nonlinearity} (modReLU is expRNN's)", nameof(nonlinearity));
        Nonlinearity = nonlinearity;
        forwardRows = ForwardRows;
        backwardRows = BackwardRows;
    }

    /// <summary>∂L/∂z_t of the last backward pass, [T, B, H] (the regulariser of <see cref="FlowRegularizer"/> reads it).</summary>
    public ReadOnlySpan<T> PreActivationGradients => dz.AsSpan(0, Steps * Batch * HiddenSize);

    protected override void EnsureBuffers(int steps, int batch) => Grow(ref dz, steps * batch * HiddenSize);

    /// <summary>What <see cref="EnsureBuffers"/> holds per step and batch row: dz.</summary>
    internal static double BufferValuesPerRowStep(int hidden) => hidden;

    protected override void ForwardSequence(ReadOnlySpan<T> x, ReadOnlySpan<T> c0)
    {
        int B = Batch, H = HiddenSize, I = InputSize, TB = Steps * B, bh = B * H;
        // z for all steps at once: z[t] = x[t]·W_ihᵀ, written straight into h_1..h_T, then biases added.
        Span<T> z = hs.AsSpan(bh, TB * H);                                 // [T, B, H]
        Gemm.Multiply(Op.N, Op.T, TB, H, I, x, WeightIH.Value, z, accumulate: false);
        Kernels.AddRowBias(z, BiasIH.Value, BiasHH.Value, H);
        WalkByRows(forwardRows);
    }

    /// <summary>The forward loop for batch rows [first, end): h_t = act(z_t + h_{t−1}·W_hhᵀ), t = 1..T.</summary>
    void ForwardRows(int first, int end)
    {
        int B = Batch, H = HiddenSize, bh = B * H;
        bool relu = Nonlinearity == Nonlinearity.Relu;
        for (int t = 1; t <= Steps; t++)
        {
            Span<T> ht = hs.AsSpan(t * bh, bh);                            // [B, H]
            MultiplyRecurrent(first, end, hs.AsSpan((t - 1) * bh, bh), ht, accumulate: true);
            for (int b = first; b < end; b++)
            {
                Span<T> h = ht.Slice(b * H, H);
                if (relu) Kernels.Relu(h, h); else Kernels.Tanh(h, h);
            }
        }
    }

    protected override void BackwardSequence(ReadOnlySpan<T> dOutput, Span<T> dh0, Span<T> dc0, int truncation)
        => WalkBack(dOutput, truncation, backwardRows, dh0);

    /// <summary>The forward loop in reverse, t = T..1, for batch rows [first, end).</summary>
    void BackwardRows(int first, int end)
    {
        int B = Batch, H = HiddenSize, bh = B * H;
        bool relu = Nonlinearity == Nonlinearity.Relu;
        for (int t = Steps; t >= 1; t--)
        {
            Span<T> dh = StateGradient(t, first, end);                     // ∂L/∂h_t, [rows, H]: carried from t+1
            Kernels.Add(dh, OwnLossGradient(t, first, end), dh);           // + h_t's own loss term
            Span<T> dzt = dz.AsSpan((t - 1) * bh, bh);
            for (int b = first; b < end; b++)
            {
                ReadOnlySpan<T> h = hs.AsSpan(t * bh + b * H, H), dhb = dh.Slice((b - first) * H, H);
                // forward: h = tanh(z)  →  dz = dh·(1 − h²);   h = relu(z)  →  dz = dh·[h > 0]
                if (relu) Kernels.ReluBackward(h, dhb, dzt.Slice(b * H, H)); else Kernels.TanhBackward(h, dhb, dzt.Slice(b * H, H));
            }
            // forward: z += h_{t-1}·W_hhᵀ  →  dh_{t-1} = dz·W_hh
            if (CutsBefore(t, WalkTruncation)) StateGradient(t - 1, first, end).Clear();
            else MultiplyRecurrentBackward(first, end, dzt, stateGrads.AsSpan((t - 1) * bh, bh), accumulate: false);
        }
    }

    protected override ReadOnlySpan<T> InputSideGateGradients => PreActivationGradients;
    protected override ReadOnlySpan<T> HiddenSideGateGradients => PreActivationGradients;
}
