using System.Numerics;
using RnnLab.Numerics;

namespace RnnLab.Models;

/// <summary>
/// expRNN (Lezcano-Casado &amp; Martínez-Rubio 2019, "Cheap orthogonal constraints in neural networks"): an Elman RNN
/// whose recurrent matrix is orthogonal by construction,
/// <code>
///   W_hh = exp(A),  A = −Aᵀ skew-symmetric, its free parameters the H(H−1)/2 entries above the diagonal
///   z_t = x_t·W_ihᵀ + h_{t−1}·W_hhᵀ  (+ b_ih + b_hh with tanh)
///   h_t = modReLU(z_t) = sign(z_t)·relu(|z_t| + b)      (the paper's choice; or tanh(z_t) as an option)
/// </code>
/// A is trained through the exact adjoint of the differential of exp (<see cref="MatrixExponential.AdjointDifferential"/>):
/// the BPTT gradient G = ∂L/∂W_hh becomes ∂L/∂A = L(Aᵀ, G), and the free entry a_ij (i &lt; j) receives
/// (∂L/∂A)_ij − (∂L/∂A)_ji. With modReLU the layer has, as in the paper's code, no biases in z (b_ih and b_hh are not
/// read, stay 0 and receive no gradient) and the modReLU bias b; with tanh, b_ih and b_hh are trained as in any RNN.
/// <para>
/// Tensors: <c>weight_ih_l0</c> [H, I], <c>weight_hh_l0</c> [H, H] = exp(A) (recomputed from A before every forward
/// pass, never updated by an optimizer: its gradient is handed to A and cleared), <c>bias_ih_l0</c>, <c>bias_hh_l0</c>
/// [H], <c>weight_hh_l0_skew</c> [H(H−1)/2] (A's upper triangle row by row, what a resumed run continues from) and,
/// with modReLU, <c>modrelu_bias_l0</c> [H]. A saved file's weight_hh_l0 is therefore the orthogonal matrix itself.
/// </para>
/// </summary>
public sealed class ExpRnnLayer<T> : RecurrentLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public Nonlinearity Nonlinearity { get; }
    /// <summary>A's entries above the diagonal, [H(H−1)/2]: a_01, a_02, …, a_0(H−1), a_12, …</summary>
    public Parameter<T> Skew { get; }
    /// <summary>modReLU's bias b [H]; null with tanh.</summary>
    public Parameter<T>? ModReluBias { get; }

    T[] dz = [];              // [T, B, H]  ∂L/∂z_t, stacked for the weight-gradient GEMMs
    double[] skewMatrix = []; // [H, H]     A of the last forward pass, kept for the backward pass's adjoint
    readonly Action<int, int> backwardRows;

    public ExpRnnLayer(int inputSize, int hiddenSize, Nonlinearity nonlinearity = Nonlinearity.ModRelu, string suffix = DefaultSuffix)
        : base(CellKind.ExpRnn, inputSize, hiddenSize, suffix)
    {
        if (nonlinearity is not (Nonlinearity.ModRelu or Nonlinearity.Tanh))
            throw new ArgumentException($"expRNN takes modrelu or tanh, not {nonlinearity}", nameof(nonlinearity));
        Nonlinearity = nonlinearity;
        Skew = new Parameter<T>($"weight_hh_{suffix}_skew", hiddenSize * (hiddenSize - 1) / 2);
        ModReluBias = nonlinearity == Nonlinearity.ModRelu ? new Parameter<T>($"modrelu_bias_{suffix}", hiddenSize) : null;
        Parameters = ModReluBias is null ? [WeightIH, WeightHH, BiasIH, BiasHH, Skew] : [WeightIH, WeightHH, BiasIH, BiasHH, Skew, ModReluBias];
        backwardRows = BackwardRows;
    }

    /// <summary>modReLU's bias gradient sums over the batch rows inside the walk: one block keeps that sum's order fixed.</summary>
    protected override bool WalksSplitByRows => false;

    /// <summary>A [H, H] from the free entries: A_ij = a_ij, A_ji = −a_ij for i &lt; j, zero diagonal.</summary>
    public double[] SkewMatrix()
    {
        int H = HiddenSize;
        var a = new double[H * H];
        int k = 0;
        for (int i = 0; i < H; i++)
            for (int j = i + 1; j < H; j++, k++)
            {
                double v = double.CreateTruncating(Skew.Value[k]);
                a[i * H + j] = v;
                a[j * H + i] = -v;
            }
        return a;
    }

    /// <summary>Sets the free entries from a skew-symmetric A [H, H] (its upper triangle is read).</summary>
    public void SetSkewMatrix(ReadOnlySpan<double> a)
    {
        int H = HiddenSize;
        if (a.Length != H * H) throw new ArgumentException($"A has {a.Length} values, expected [{H}, {H}]");
        int k = 0;
        for (int i = 0; i < H; i++)
            for (int j = i + 1; j < H; j++, k++) Skew.Value[k] = T.CreateTruncating(a[i * H + j]);
        PrepareWeights();
    }

    /// <summary>W_hh = exp(A), computed in double and rounded once into the layer's type.</summary>
    protected override void PrepareWeights()
    {
        skewMatrix = SkewMatrix();
        double[] w = MatrixExponential.Exp(skewMatrix, HiddenSize);
        for (int i = 0; i < w.Length; i++) WeightHH.Value[i] = T.CreateTruncating(w[i]);
    }

    protected override void EnsureBuffers(int steps, int batch) => Grow(ref dz, steps * batch * HiddenSize);

    /// <summary>What <see cref="EnsureBuffers"/> holds per step and batch row: dz.</summary>
    internal static double BufferValuesPerRowStep(int hidden) => hidden;

    protected override void ForwardSequence(ReadOnlySpan<T> x, ReadOnlySpan<T> c0)
    {
        int B = Batch, H = HiddenSize, I = InputSize, TB = Steps * B, bh = B * H;
        // z for all steps at once: z[t] = x[t]·W_ihᵀ (+ b_ih + b_hh with tanh), written straight into h_1..h_T.
        Span<T> z = hs.AsSpan(bh, TB * H);                                 // [T, B, H]
        Gemm.Multiply(Op.N, Op.T, TB, H, I, x, WeightIH.Value, z, accumulate: false);
        if (Nonlinearity == Nonlinearity.Tanh) Kernels.AddRowBias(z, BiasIH.Value, BiasHH.Value, H);
        for (int t = 1; t <= Steps; t++)
        {
            Span<T> ht = hs.AsSpan(t * bh, bh);                            // [B, H]
            MultiplyRecurrent(0, B, hs.AsSpan((t - 1) * bh, bh), ht, accumulate: true);
            if (Nonlinearity == Nonlinearity.Tanh) Kernels.Tanh(ht, ht);
            else ModRelu(ht, ModReluBias!.Value);
        }
    }

    /// <summary>In place, z [B, H] → sign(z)·relu(|z| + b) with b [H] per unit (<see cref="Models.ModRelu"/>).</summary>
    static void ModRelu(Span<T> z, ReadOnlySpan<T> b)
    {
        int H = b.Length;
        for (int i = 0; i < z.Length; i++) z[i] = Models.ModRelu.Apply(z[i], b[i % H]);
    }

    protected override void BackwardSequence(ReadOnlySpan<T> dOutput, Span<T> dh0, Span<T> dc0, int truncation)
        => WalkBack(dOutput, truncation, backwardRows, dh0);

    /// <summary>The forward loop in reverse, t = T..1, over the whole batch (<see cref="WalksSplitByRows"/>).</summary>
    void BackwardRows(int first, int end)
    {
        int B = Batch, H = HiddenSize, bh = B * H;
        Span<T> dBias = ModReluBias is null ? default : ModReluBias.Grad;
        for (int t = Steps; t >= 1; t--)
        {
            Span<T> dh = StateGradient(t, first, end);                     // ∂L/∂h_t, [B, H]: carried from t+1
            Kernels.Add(dh, OwnLossGradient(t, first, end), dh);           // + h_t's own loss term
            ReadOnlySpan<T> ht = hs.AsSpan(t * bh, bh);
            Span<T> dzt = dz.AsSpan((t - 1) * bh, bh);
            if (Nonlinearity == Nonlinearity.Tanh) Kernels.TanhBackward(ht, dh, dzt);   // h = tanh(z) → dz = dh·(1 − h²)
            else
                for (int i = 0; i < bh; i++)
                {
                    // forward: h = sign(z)·relu(|z| + b), nonzero exactly where |z| + b > 0, with sign(h) = sign(z)
                    //   → dz = dh·[h ≠ 0] (ModRelu.Derivative),  db = dh·sign(z)·[h ≠ 0]
                    bool open = ht[i] != T.Zero;
                    dzt[i] = open ? dh[i] : T.Zero;
                    if (open) dBias[i % H] += ht[i] > T.Zero ? dh[i] : -dh[i];
                }
            // forward: z += h_{t-1}·W_hhᵀ  →  dh_{t-1} = dz·W_hh
            if (CutsBefore(t, WalkTruncation)) StateGradient(t - 1, first, end).Clear();
            else MultiplyRecurrentBackward(first, end, dzt, StateGradient(t - 1, first, end), accumulate: false);
        }
    }

    protected override ReadOnlySpan<T> InputSideGateGradients => dz.AsSpan(0, Steps * Batch * HiddenSize);
    protected override ReadOnlySpan<T> HiddenSideGateGradients => InputSideGateGradients;

    /// <summary>W_hh's gradient is handed on to A once the common weight gradients have made it.</summary>
    protected override void AccumulateWeightGradients()
    {
        base.AccumulateWeightGradients();
        if (Nonlinearity == Nonlinearity.ModRelu)
        {
            BiasIH.Grad.AsSpan().Clear();                                   // z has no biases with modReLU
            BiasHH.Grad.AsSpan().Clear();
        }
        HandGradientToSkew();
    }

    /// <summary>
    /// forward: W_hh = exp(A), A_ij = a_ij = −A_ji  →  dA = L(Aᵀ, dW_hh),  da_ij += dA_ij − dA_ji. W_hh's own gradient is
    /// then cleared: it is not a free parameter, and an optimizer step on it would be overwritten by the next exp(A).
    /// </summary>
    void HandGradientToSkew()
    {
        int H = HiddenSize;
        var g = new double[H * H];
        for (int i = 0; i < g.Length; i++) g[i] = double.CreateTruncating(WeightHH.Grad[i]);
        double[] dA = MatrixExponential.AdjointDifferential(skewMatrix, g, H);
        int k = 0;
        for (int i = 0; i < H; i++)
            for (int j = i + 1; j < H; j++, k++) Skew.Grad[k] += T.CreateTruncating(dA[i * H + j] - dA[j * H + i]);
        WeightHH.Grad.AsSpan().Clear();
    }

    /// <summary>
    /// The paper's initialisation: W_ih ~ N(0, 2/I) (Kaiming normal for ReLU-like units, as its code does), biases 0, modReLU's
    /// b ~ U(−0.01, 0.01), and A block-diagonal with 2×2 blocks [[0, s], [−s, 0]] (an odd H leaves the last unit alone):
    /// <see cref="SkewInit.Henaff"/> s ~ U(−π, π) (Henaff, Szlam &amp; LeCun 2016; the paper's choice for copy) or
    /// <see cref="SkewInit.Cayley"/> s = −√((1 − cos u)/(1 + cos u)), u ~ U(0, π/2) (its choice for the other tasks).
    /// </summary>
    public void Initialize(SkewInit init, SeededRandom rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        int H = HiddenSize;
        rng.FillGaussian<T>(WeightIH.Value, 0, Math.Sqrt(2.0 / InputSize));
        Array.Clear(BiasIH.Value);
        Array.Clear(BiasHH.Value);
        if (ModReluBias is not null) rng.FillUniform<T>(ModReluBias.Value, -0.01, 0.01);
        var a = new double[H * H];
        for (int i = 0; i + 1 < H; i += 2)
        {
            double s;
            if (init == SkewInit.Henaff) s = rng.Uniform(-Math.PI, Math.PI);
            else
            {
                double c = Math.Cos(rng.Uniform(0, Math.PI / 2));
                s = -Math.Sqrt((1 - c) / (1 + c));
            }
            a[i * H + i + 1] = s;
            a[(i + 1) * H + i] = -s;
        }
        SetSkewMatrix(a);
    }
}

/// <summary>How expRNN's A starts: the two block-diagonal initialisations of Lezcano-Casado &amp; Martínez-Rubio 2019.</summary>
public enum SkewInit { Henaff, Cayley }
