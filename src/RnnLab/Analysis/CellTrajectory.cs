using System.Numerics;
using RnnLab.Models;

namespace RnnLab.Analysis;

/// <summary>
/// A float64 copy of one recurrent layer's weights, with PyTorch's layouts: W_ih [G·H, I], W_hh [G·H, H_out],
/// b_ih, b_hh [G·H]; gate blocks i, f, g, o (LSTM) and r, z, n (GRU); an LSTM with <c>proj_size</c> P also has
/// W_hr [P, H] and h = W_hr·(o ⊙ tanh c), so H_out = P (otherwise H_out = H). The analysis works on this copy so that
/// it does not depend on the training engine's caches or precision: a float32 model is analysed in float64.
/// An expRNN is the RNN it computes, W_hh = exp(A) read as it is saved: with tanh a tanh RNN, with modReLU an RNN whose
/// nonlinearity is <see cref="ModRelu"/> with the bias b [H] (and, as in the engine, no b_ih or b_hh in z: they stay zero).
/// </summary>
public sealed class CellWeights
{
    public CellKind Kind { get; }
    public Nonlinearity Nonlinearity { get; }
    public int InputSize { get; }
    public int HiddenSize { get; }
    public int Gates { get; }
    /// <summary>LSTM proj_size P, 0 without a projection.</summary>
    public int ProjSize { get; }
    public double[] WeightIH { get; }  // [G*H, I]
    public double[] WeightHH { get; }  // [G*H, H_out]
    public double[] BiasIH { get; }    // [G*H]
    public double[] BiasHH { get; }    // [G*H]
    public double[] WeightHR { get; }  // [P, H], empty without a projection
    /// <summary>modReLU's bias b [H]; empty for tanh and ReLU.</summary>
    public double[] ModReluBias { get; }

    /// <summary>Size of h: P with a projection, else H.</summary>
    public int OutputSize => ProjSize > 0 ? ProjSize : HiddenSize;

    /// <summary>Size of the recurrent state: H for the RNN and GRU, H_out + H for the LSTM's (h, c).</summary>
    public int StateSize => Kind == CellKind.Lstm ? OutputSize + HiddenSize : HiddenSize;

    public CellWeights(CellKind kind, int inputSize, int hiddenSize, Nonlinearity nonlinearity = Nonlinearity.Tanh,
        double[]? weightIH = null, double[]? weightHH = null, double[]? biasIH = null, double[]? biasHH = null,
        int projSize = 0, double[]? weightHR = null, double[]? modReluBias = null)
    {
        if (inputSize <= 0) throw new ArgumentOutOfRangeException(nameof(inputSize), $"input size must be positive, got {inputSize}");
        if (hiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenSize), $"hidden size must be positive, got {hiddenSize}");
        if (projSize < 0 || projSize >= hiddenSize || projSize > 0 && kind != CellKind.Lstm)
            throw new ArgumentOutOfRangeException(nameof(projSize), $"proj_size must be 0, or between 1 and H − 1 for an LSTM, got {projSize}");
        if (nonlinearity == Nonlinearity.ModRelu && kind != CellKind.Rnn)
            throw new ArgumentException($"modReLU is the nonlinearity of an RNN (expRNN's), not of a {kind.Name()}", nameof(nonlinearity));
        Kind = kind;
        Nonlinearity = nonlinearity;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        ProjSize = projSize;
        Gates = kind.Gates();
        int gh = Gates * hiddenSize;
        WeightIH = Check(weightIH, gh * inputSize, "weight_ih");
        WeightHH = Check(weightHH, gh * OutputSize, "weight_hh");
        BiasIH = Check(biasIH, gh, "bias_ih");
        BiasHH = Check(biasHH, gh, "bias_hh");
        WeightHR = projSize > 0 ? Check(weightHR, projSize * hiddenSize, "weight_hr") : [];
        ModReluBias = nonlinearity == Nonlinearity.ModRelu ? Check(modReluBias, hiddenSize, "modrelu_bias") : [];
    }

    static double[] Check(double[]? a, int size, string name)
    {
        if (a is null) return new double[size];
        if (a.Length != size) throw new ArgumentException($"{name} has {a.Length} values, expected {size}");
        return a;
    }

    /// <summary>Copies a layer's parameters into float64 (an expRNN's W_hh = exp(A) as its last forward pass formed it).</summary>
    public static CellWeights From<T>(RecurrentLayer<T> layer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (layer is ExpRnnLayer<T> exp)
        {
            bool mod = exp.ModReluBias is not null;
            return new CellWeights(CellKind.Rnn, layer.InputSize, layer.HiddenSize, exp.Nonlinearity,
                ToDouble(layer.WeightIH.Value), ToDouble(layer.WeightHH.Value),
                mod ? null : ToDouble(layer.BiasIH.Value), mod ? null : ToDouble(layer.BiasHH.Value),
                modReluBias: mod ? ToDouble(exp.ModReluBias!.Value) : null);
        }
        var nl = layer is RnnLayer<T> rnn ? rnn.Nonlinearity : Nonlinearity.Tanh;
        return new CellWeights(layer.Kind, layer.InputSize, layer.HiddenSize, nl,
            ToDouble(layer.WeightIH.Value), ToDouble(layer.WeightHH.Value), ToDouble(layer.BiasIH.Value), ToDouble(layer.BiasHH.Value));
    }

    static double[] ToDouble<T>(T[] a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = new double[a.Length];
        for (int i = 0; i < a.Length; i++) d[i] = double.CreateTruncating(a[i]);
        return d;
    }

    /// <summary>
    /// Random weights for experiments: every entry U(−1/√H, 1/√H), PyTorch's default for its recurrent layers,
    /// then, if <paramref name="spectralRadius"/> is given, each H×H gate block of W_hh rescaled to that spectral radius.
    /// With modReLU its bias b is drawn from the same range and b_ih, b_hh stay zero, as in the engine's expRNN.
    /// </summary>
    public static CellWeights Random(CellKind kind, int inputSize, int hiddenSize, ulong seed,
        double? spectralRadius = null, Nonlinearity nonlinearity = Nonlinearity.Tanh)
    {
        var w = new CellWeights(kind, inputSize, hiddenSize, nonlinearity);
        var rng = new Numerics.SeededRandom(seed);
        double bound = 1.0 / Math.Sqrt(hiddenSize);
        rng.FillUniform<double>(w.WeightIH, -bound, bound);
        rng.FillUniform<double>(w.WeightHH, -bound, bound);
        if (nonlinearity == Nonlinearity.ModRelu) rng.FillUniform<double>(w.ModReluBias, -bound, bound);
        else
        {
            rng.FillUniform<double>(w.BiasIH, -bound, bound);
            rng.FillUniform<double>(w.BiasHH, -bound, bound);
        }
        if (spectralRadius is double rho)
        {
            int hh = hiddenSize * hiddenSize;
            for (int g = 0; g < w.Gates; g++)
                Initializers.RescaleToSpectralRadius<double>(w.WeightHH.AsSpan(g * hh, hh), hiddenSize, rho, $"weight_hh_l0 gate block {g}");
        }
        return w;
    }
}

/// <summary>
/// One sequence (batch 1) run through a cell in float64, keeping every step's state and gate activations, so
/// that step Jacobians can be formed anywhere along the trajectory. Equations are PyTorch's:
/// <list type="bullet">
/// <item>RNN: h_t = act(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), act tanh, ReLU or modReLU (<see cref="ModRelu"/>, with its bias b)</item>
/// <item>LSTM: [i, f, g, o] = [σ, σ, tanh, σ](W_ih x_t + b_ih + W_hh h_{t−1} + b_hh); c_t = f⊙c_{t−1} + i⊙g; h_t = o⊙tanh(c_t)</item>
/// <item>GRU: r, z = σ(W_i· x_t + b_i· + W_h· h_{t−1} + b_h·); n = tanh(W_in x_t + b_in + r⊙(W_hn h_{t−1} + b_hn)); h_t = (1−z)⊙n + z⊙h_{t−1}</item>
/// </list>
/// </summary>
public sealed class CellTrajectory
{
    public CellWeights Cell { get; }
    public int Steps { get; }
    /// <summary>h_0..h_T, [T+1, H_out]; h_t at row t.</summary>
    public double[] H { get; }
    /// <summary>c_0..c_T, [T+1, H] (LSTM only, otherwise empty).</summary>
    public double[] C { get; }
    /// <summary>
    /// Gate activations per step, [T, G·H], row t−1 for step t: RNN the output h_t (unused); LSTM i, f, g, o;
    /// GRU r, z, n. For the GRU, <see cref="HiddenPreN"/> keeps W_hn h_{t−1} + b_hn, which ∂n/∂r needs.
    /// </summary>
    public double[] Gates { get; }
    /// <summary>GRU only: W_hn h_{t−1} + b_hn per step, [T, H].</summary>
    public double[] HiddenPreN { get; }
    /// <summary>The inputs x_1..x_T the trajectory was run on, [T, I] (row t−1 for step t).</summary>
    public double[] Inputs { get; }
    readonly double[] _unprojected;   // LSTM with a projection: o ⊙ tanh(c_t) of the current step, [H]

    CellTrajectory(CellWeights cell, int steps, double[] inputs)
    {
        Cell = cell;
        Steps = steps;
        Inputs = inputs;
        int H = cell.HiddenSize;
        this.H = new double[(steps + 1) * cell.OutputSize];
        C = cell.Kind == CellKind.Lstm ? new double[(steps + 1) * H] : [];
        Gates = new double[steps * cell.Gates * H];
        HiddenPreN = cell.Kind == CellKind.Gru ? new double[steps * H] : [];
        _unprojected = cell.ProjSize > 0 ? new double[H] : [];
    }

    public ReadOnlySpan<double> HiddenAt(int t) => H.AsSpan(t * Cell.OutputSize, Cell.OutputSize);
    public ReadOnlySpan<double> CellAt(int t) => C.AsSpan(t * Cell.HiddenSize, Cell.HiddenSize);
    /// <summary>Gate activations of step t (1-based), [G·H].</summary>
    public ReadOnlySpan<double> GatesAt(int t) => Gates.AsSpan((t - 1) * Cell.Gates * Cell.HiddenSize, Cell.Gates * Cell.HiddenSize);

    /// <summary>Runs x [T, I] from h_0, c_0 (empty = zero).</summary>
    public static CellTrajectory Run(CellWeights cell, ReadOnlySpan<double> x, int steps, ReadOnlySpan<double> h0 = default, ReadOnlySpan<double> c0 = default)
    {
        int I = cell.InputSize, H = cell.HiddenSize, Ho = cell.OutputSize, gh = cell.Gates * H;
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), $"sequence length must be positive, got {steps}");
        if (x.Length != steps * I) throw new ArgumentException($"input has {x.Length} values, expected [T={steps}, I={I}] = {steps * I}");
        var tr = new CellTrajectory(cell, steps, x.ToArray());
        if (!h0.IsEmpty) h0.CopyTo(tr.H);
        if (!c0.IsEmpty)
        {
            if (cell.Kind != CellKind.Lstm) throw new ArgumentException($"{cell.Kind.Name()} has no cell state c0");
            c0.CopyTo(tr.C);
        }
        var preI = new double[gh];   // W_ih x_t + b_ih
        var preH = new double[gh];   // W_hh h_{t-1} + b_hh
        for (int t = 1; t <= steps; t++)
        {
            MatVec(cell.WeightIH, gh, I, x.Slice((t - 1) * I, I), cell.BiasIH, preI);
            MatVec(cell.WeightHH, gh, Ho, tr.H.AsSpan((t - 1) * Ho, Ho), cell.BiasHH, preH);
            tr.Step(t, preI, preH);
        }
        return tr;
    }

    void Step(int t, double[] preI, double[] preH)
    {
        int H = Cell.HiddenSize, Ho = Cell.OutputSize;
        Span<double> gates = Gates.AsSpan((t - 1) * Cell.Gates * H, Cell.Gates * H);
        ReadOnlySpan<double> hPrev = this.H.AsSpan((t - 1) * Ho, Ho);
        Span<double> h = this.H.AsSpan(t * Ho, Ho);
        switch (Cell.Kind)
        {
            case CellKind.Rnn:
                for (int j = 0; j < H; j++)
                {
                    double z = preI[j] + preH[j];
                    h[j] = Cell.Nonlinearity switch
                    {
                        Nonlinearity.Tanh => Math.Tanh(z),
                        Nonlinearity.Relu => Math.Max(z, 0.0),
                        _ => ModRelu.Apply(z, Cell.ModReluBias[j]),
                    };
                    gates[j] = h[j];
                }
                break;
            case CellKind.Lstm:
            {
                ReadOnlySpan<double> cPrev = C.AsSpan((t - 1) * H, H);
                Span<double> c = C.AsSpan(t * H, H);
                // forward: m = o ⊙ tanh(c); h = m, or h = W_hr·m with a projection
                Span<double> m = Cell.ProjSize > 0 ? _unprojected : h;
                for (int j = 0; j < H; j++)
                {
                    double i = Sigmoid(preI[j] + preH[j]);
                    double f = Sigmoid(preI[H + j] + preH[H + j]);
                    double g = Math.Tanh(preI[2 * H + j] + preH[2 * H + j]);
                    double o = Sigmoid(preI[3 * H + j] + preH[3 * H + j]);
                    gates[j] = i; gates[H + j] = f; gates[2 * H + j] = g; gates[3 * H + j] = o;
                    c[j] = f * cPrev[j] + i * g;
                    m[j] = o * Math.Tanh(c[j]);
                }
                if (Cell.ProjSize > 0) MatVec(Cell.WeightHR, Ho, H, _unprojected, null, h);
                break;
            }
            case CellKind.Gru:
            {
                Span<double> hn = HiddenPreN.AsSpan((t - 1) * H, H);
                for (int j = 0; j < H; j++)
                {
                    double r = Sigmoid(preI[j] + preH[j]);
                    double z = Sigmoid(preI[H + j] + preH[H + j]);
                    hn[j] = preH[2 * H + j];
                    double n = Math.Tanh(preI[2 * H + j] + r * hn[j]);
                    gates[j] = r; gates[H + j] = z; gates[2 * H + j] = n;
                    h[j] = (1 - z) * n + z * hPrev[j];
                }
                break;
            }
            default: throw new InvalidOperationException($"no step for cell {Cell.Kind}");
        }
    }

    /// <summary>The forward map of one step, (h, c) → (h', c'), for finite-difference checks. c is empty except for the LSTM.</summary>
    public static void StepMap(CellWeights cell, ReadOnlySpan<double> x, ReadOnlySpan<double> h, ReadOnlySpan<double> c, Span<double> hOut, Span<double> cOut)
    {
        var tr = Run(cell, x, 1, h, cell.Kind == CellKind.Lstm ? c : default);
        tr.HiddenAt(1).CopyTo(hOut);
        if (cell.Kind == CellKind.Lstm) tr.CellAt(1).CopyTo(cOut);
    }

    internal static double Sigmoid(double v) => 1.0 / (1.0 + Math.Exp(-v));

    /// <summary>y = W v + b for W [rows, cols] row-major.</summary>
    static void MatVec(double[] w, int rows, int cols, ReadOnlySpan<double> v, double[]? b, Span<double> y)
    {
        for (int r = 0; r < rows; r++)
            y[r] = System.Numerics.Tensors.TensorPrimitives.Dot(w.AsSpan(r * cols, cols), v) + (b is null ? 0 : b[r]);
    }
}
