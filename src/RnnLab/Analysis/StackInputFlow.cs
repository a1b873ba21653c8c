using RnnLab.Numerics;

namespace RnnLab.Analysis;

/// <summary>
/// log10 ‖∂y_T/∂x_{T−k}‖₂ for k = 0..T−1, y_T = output[T−1], and the same for each half of y_T: the forward direction's
/// h^(L−1)_T (<see cref="Log10ForwardOutput"/>) and the reverse direction's h^(L−1) at time T, its first step
/// (<see cref="Log10ReverseOutput"/>). −∞ where the norm is exactly 0.
/// </summary>
public sealed record InputConnectivity(double[] Log10Total, double[] Log10ForwardOutput, double[] Log10ReverseOutput);

/// <summary>
/// The input connectivity of a bidirectional stack (L ≥ 2 layers, D = 2), exactly, by reverse-mode differentiation
/// through the whole module. No sweep of step maps follows it: layer l + 1 reads [h^(l)_fwd; h^(l)_rev] at each
/// time, so its input Jacobian E^(l+1)_t [S, 2·H_out] has one column block per direction of layer l, and a path from
/// y_T to x runs backwards in time through forward directions and forwards through reverse ones; layer l's input
/// gradient at time t collects paths from every time of the layers above.
///
/// The rows of ∂y_T/∂(·), one per coordinate of y_T (m = 2·H_out), are pulled back layer by layer from the top. For
/// one direction, along its processing steps s = T..1 (time(s) = s − 1 forward, T − s reverse):
/// <code>
///   A_s = G_time(s)·[I 0] + A_{s+1}·J_{s+1}           state rows [m, S]; G: ∂y_T/∂(this direction's h) at that time
///   ∂y_T/∂(layer input at time(s)) += A_s·E_s        E_s = ∂s_s/∂x_s [S, I_l]
/// </code>
/// and the input gradient of layer l + 1, split at H_out, is the G of layer l's two directions. For layer 0 it is
/// ∂y_T/∂x_t itself. Each time's rows keep their own log-scale (at T = 10,000 they span thousands of decades);
/// two terms are added at the larger one's scale, the smaller multiplied by e^(difference), which is exact to
/// rounding (a term 10^−308 times smaller is below it). Memory: the input gradients of one layer,
/// [T, m, 2·H_out] (see <see cref="Bytes"/>).
/// </summary>
public static class StackInputFlow
{
    /// <summary>The memory the input gradients need: the largest layer input, for every time and row of y_T.</summary>
    public static double Bytes(ModuleWeights w, int steps)
    {
        int m = w.Directions * w.OutputSize;
        int widest = Enumerable.Range(0, w.Layers).Max(l => w.Module.LayerInputSize(l));
        return 2.0 * steps * m * widest * sizeof(double);   // the layer's own output gradients and its input gradients
    }

    /// <summary>The steps <see cref="Compute"/> tells <see cref="FlowOptions.Progress"/> about: one per time of each layer and direction.</summary>
    public static int Steps(ModuleWeights w, int steps) => w.Layers * w.Directions * steps;

    public static InputConnectivity Compute(ModuleTrajectory tr, FlowOptions options)
    {
        var w = tr.Weights;
        int T = tr.Steps, Ho = w.OutputSize, D = w.Directions, m = D * Ho;
        int done = 0, total = Steps(w, T);
        void Step() => options.Progress?.Invoke(++done, total);
        // y_T = output[T−1]: row j of ∂y_T/∂output is e_j at time T−1 and zero at every other time.
        var grad = new ScaledRows(T, m, D * Ho);
        var identity = new double[m * m];
        for (int j = 0; j < m; j++) identity[j * m + j] = 1;
        grad.Add(T - 1, identity, 0);
        for (int l = w.Layers - 1; l >= 0; l--)
        {
            var below = new ScaledRows(T, m, w.Module.LayerInputSize(l));
            for (int d = 0; d < D; d++) PullBack(tr.Cell(l, d), d, grad, below, Step);
            grad = below;
        }
        return Measure(grad, T, m, Ho, w.InputSize, options);
    }

    /// <summary>One direction's part: its output gradients <paramref name="grad"/> (columns d·H_out..) back to its input gradients.</summary>
    /// <param name="advanced">called once per step s, for progress</param>
    static void PullBack(CellTrajectory tr, int direction, ScaledRows grad, ScaledRows below, Action advanced)
    {
        int T = tr.Steps, S = tr.Cell.StateSize, I = tr.Cell.InputSize, Ho = tr.Cell.OutputSize, m = grad.Rows, n = grad.Columns;
        var a = new double[m * S];                                        // A_s, then A_s·J_s for the step before
        var next = new double[m * S];
        var step = new JacobianRows(tr.Cell);
        var e = new double[S * I];
        var x = new double[m * I];
        double scale = double.NegativeInfinity;                           // ln of the factor taken out of a
        for (int s = T; s >= 1; s--)
        {
            advanced();
            int time = direction == 0 ? s - 1 : T - s;
            double g = grad.LogScale(time), c = Math.Max(g, scale);
            if (double.IsNegativeInfinity(c)) continue;                  // nothing of y_T depends on this step yet
            if (double.IsNegativeInfinity(scale)) Array.Clear(a);
            else if (scale != c) System.Numerics.Tensors.TensorPrimitives.Multiply(a, Math.Exp(scale - c), a);
            if (!double.IsNegativeInfinity(g))
            {
                double f = Math.Exp(g - c);
                ReadOnlySpan<double> gt = grad.At(time);                  // [m, n]; this direction's h is columns d·H_out..
                for (int j = 0; j < m; j++)
                {
                    Span<double> row = a.AsSpan(j * S, Ho);
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gt.Slice(j * n + direction * Ho, Ho), f, row, row);
                }
            }
            double fro = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(a, a));
            if (fro == 0) { scale = double.NegativeInfinity; continue; }
            System.Numerics.Tensors.TensorPrimitives.Multiply(a, 1.0 / fro, a);
            scale = c + Math.Log(fro);

            StepJacobian.Input(tr, s, e);
            Gemm.Multiply<double>(Op.N, Op.N, m, I, S, a, e, x, accumulate: false);
            below.Add(time, x, scale);
            if (s == 1) break;
            step.Apply(tr, s, a, m, next);
            (a, next) = (next, a);
        }
    }

    /// <summary>Spectral norms of ∂y_T/∂x_t [m, I] and of its two halves of rows, at every t, as log10 by k = T−1−t.</summary>
    static InputConnectivity Measure(ScaledRows dx, int T, int m, int Ho, int I, FlowOptions options)
    {
        var total = new double[T];
        var forward = new double[T];
        var reverse = new double[T];
        var warm = new[] { new double[m], new double[Ho], new double[Ho] };
        foreach (var v in warm) v.AsSpan().Fill(1.0);
        var w = new double[I];
        for (int t = 0; t < T; t++)
        {
            int k = T - 1 - t;
            double scale = dx.LogScale(t);
            ReadOnlySpan<double> x = dx.At(t);
            total[k] = NormLog10(x, m, I, scale, warm[0], w, options);
            forward[k] = NormLog10(x[..(Ho * I)], Ho, I, scale, warm[1], w, options);
            reverse[k] = NormLog10(x[(Ho * I)..], Ho, I, scale, warm[2], w, options);
        }
        return new InputConnectivity(total, forward, reverse);
    }

    /// <summary>log10 σ₁ of e^scale·X [rows, cols]: power iteration warm-started from the previous time, a dense SVD when it stalls.</summary>
    static double NormLog10(ReadOnlySpan<double> x, int rows, int cols, double scale, double[] v, double[] w, FlowOptions options)
    {
        if (double.IsNegativeInfinity(scale)) return double.NegativeInfinity;
        var (spec, _, ok) = DenseOps.Norms(x, rows, cols, cols, v, w, options.PowerTolerance, JacobianSweep.PowerMaxIterations);
        if (!ok) spec = DenseOps.SpectralNormBySvd(x, rows, cols, cols);
        return spec > 0 ? (Math.Log(spec) + scale) / Math.Log(10) : double.NegativeInfinity;
    }

    /// <summary>
    /// Row blocks [m, n] at every time, each with its own log-scale (the block is e^scale times what is stored); a
    /// time nothing has reached holds no block and scale −∞.
    /// </summary>
    sealed class ScaledRows(int steps, int rows, int columns)
    {
        readonly double[]?[] _blocks = new double[steps][];
        readonly double[] _scale = Enumerable.Repeat(double.NegativeInfinity, steps).ToArray();

        public int Rows => rows;
        public int Columns => columns;
        public double LogScale(int t) => _scale[t];
        public ReadOnlySpan<double> At(int t) => _blocks[t] ?? new double[rows * columns];

        /// <summary>block_t += e^logScale·x, at the larger of the two scales.</summary>
        public void Add(int t, ReadOnlySpan<double> x, double logScale)
        {
            if (double.IsNegativeInfinity(logScale)) return;
            var block = _blocks[t] ??= new double[rows * columns];
            double current = _scale[t];
            if (logScale > current)
            {
                if (!double.IsNegativeInfinity(current)) System.Numerics.Tensors.TensorPrimitives.Multiply(block, Math.Exp(current - logScale), block);
                _scale[t] = logScale;
                System.Numerics.Tensors.TensorPrimitives.Add(block, x[..block.Length], block);
            }
            else System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(x[..block.Length], Math.Exp(logScale - current), block, block);
        }
    }
}
