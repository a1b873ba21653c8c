using RnnLab.Numerics;

namespace RnnLab.Analysis;

/// <summary>Settings of the feedforward-versus-recurrent depth comparison (<c>rnnlab depth</c>).</summary>
public sealed record DepthOptions
{
    /// <summary>Width of every layer and hidden size of the RNN, so that one layer and one step are the same size.</summary>
    public int Width { get; init; } = 64;
    /// <summary>Depths L to compare; the RNN runs the same number of steps.</summary>
    public int[] Depths { get; init; } = [10, 50, 100];
    /// <summary>Weights N(0, gain²/width): gain 1 puts the spectral radius near 1 (circular law), the edge between shrinking and growing.</summary>
    public double Gain { get; init; } = 1.0;
    /// <summary>
    /// Standard deviation of the RNN's inputs (N(0, s²) per step through W_ih ~ N(0, 1/n)). An RNN is driven by a new
    /// input at every step, which pushes tanh towards saturation and shrinks every Jacobian; the MLP sees its input
    /// only at layer 0. 0 runs the RNN free from h_0 = x_0, isolating the effect of sharing one W_hh across steps.
    /// </summary>
    public double RnnInputScale { get; init; } = 1.0;
    public ulong Seed { get; init; } = 1;
}

/// <summary>‖∂L/∂x_l‖ for l = 0..L (index = layer or step; the output is at index L), L = uᵀ·x_L with ‖u‖ = 1.</summary>
public sealed record DepthCurve(string Label, int Depth, double[] GradientNorm);

/// <summary>
/// A deep tanh MLP, plain x_{l+1} = tanh(W_l x_l + b_l) or residual x_{l+1} = x_l + tanh(W_l x_l + b_l) (He et al.
/// 2016), with its backward pass written by hand. Every layer has its own W_l, [n, n] row-major.
/// </summary>
public sealed class DeepTanhMlp
{
    public int Width { get; }
    public int Depth { get; }
    public bool Residual { get; }
    public double[][] Weights { get; }   // L × [n, n]
    public double[][] Biases { get; }    // L × [n]
    readonly double[][] xs;              // x_0..x_L, each [n]
    readonly double[][] acts;            // a_l = tanh(W_l x_l + b_l), each [n]

    public DeepTanhMlp(int width, int depth, bool residual, double gain, SeededRandom rng)
    {
        Width = width; Depth = depth; Residual = residual;
        Weights = new double[depth][];
        Biases = new double[depth][];
        for (int l = 0; l < depth; l++)
        {
            Weights[l] = new double[width * width];
            rng.FillGaussian<double>(Weights[l], 0, gain / Math.Sqrt(width));
            Biases[l] = new double[width];
        }
        xs = new double[depth + 1][];
        acts = new double[depth][];
        for (int l = 0; l <= depth; l++) xs[l] = new double[width];
        for (int l = 0; l < depth; l++) acts[l] = new double[width];
    }

    /// <summary>Runs x_0 → x_L, keeping every layer's input and activation. Returns x_L.</summary>
    public double[] Forward(ReadOnlySpan<double> x0, int fromLayer = 0)
    {
        if (fromLayer == 0) x0.CopyTo(xs[0]); else x0.CopyTo(xs[fromLayer]);
        for (int l = fromLayer; l < Depth; l++)
        {
            // forward: a_l = tanh(W_l x_l + b_l);  x_{l+1} = a_l  (+ x_l if residual)
            Spectra.MatVec(Weights[l], Width, xs[l], acts[l]);
            for (int i = 0; i < Width; i++)
            {
                acts[l][i] = Math.Tanh(acts[l][i] + Biases[l][i]);
                xs[l + 1][i] = acts[l][i] + (Residual ? xs[l][i] : 0);
            }
        }
        return xs[Depth];
    }

    /// <summary>Backward pass of L = uᵀ·x_L: returns ∂L/∂x_l for l = 0..L (row l).</summary>
    public double[][] Backward(ReadOnlySpan<double> u)
    {
        var g = new double[Depth + 1][];
        g[Depth] = u.ToArray();
        var dz = new double[Width];
        for (int l = Depth - 1; l >= 0; l--)
        {
            g[l] = new double[Width];
            // forward: a = tanh(z)  →  dz = dx_{l+1}·(1 − a²)
            for (int i = 0; i < Width; i++) dz[i] = g[l + 1][i] * (1 - acts[l][i] * acts[l][i]);
            // forward: z = W_l x_l + b_l  →  dx_l = W_lᵀ dz;  residual x_{l+1} = x_l + a  →  dx_l += dx_{l+1}
            Gemm.Multiply<double>(Op.N, Op.N, 1, Width, Width, dz, Weights[l], g[l], accumulate: false);
            if (Residual) for (int i = 0; i < Width; i++) g[l][i] += g[l + 1][i];
        }
        return g;
    }

    /// <summary>x_l of the last forward pass.</summary>
    public ReadOnlySpan<double> LayerInput(int l) => xs[l];
}

/// <summary>
/// Feedforward versus recurrent depth (the lesson's "no one builds a 10,000-layer feedforward network"): gradient
/// norms ‖∂L/∂x_l‖ through a deep tanh MLP with and without residual connections, beside ‖∂L/∂h_t‖ through a tanh
/// RNN of the same width run for the same number of steps. The MLP draws a fresh W_l per layer; the RNN applies the
/// same W_hh at every step, so its Jacobian product has one fixed spectrum raised to a power.
/// </summary>
public static class DepthComparison
{
    public static DepthCurve[] Run(DepthOptions? options = null)
    {
        options ??= new DepthOptions();
        int n = options.Width;
        var curves = new List<DepthCurve>();
        foreach (int depth in options.Depths)
        {
            var rng = new SeededRandom(options.Seed + (ulong)depth);
            var x0 = new double[n];
            rng.FillGaussian<double>(x0, 0, 1);
            var u = new double[n];
            rng.FillGaussian<double>(u, 0, 1);
            double un = Spectra.Norm(u);
            for (int i = 0; i < n; i++) u[i] /= un;
            foreach (bool residual in new[] { false, true })
            {
                var mlp = new DeepTanhMlp(n, depth, residual, options.Gain, new SeededRandom(options.Seed * 7919 + (ulong)depth));
                mlp.Forward(x0);
                var g = mlp.Backward(u);
                curves.Add(new DepthCurve(residual ? "residual MLP" : "plain MLP", depth, g.Select(v => Spectra.Norm(v)).ToArray()));
            }
            curves.Add(new DepthCurve("tanh RNN", depth, RnnGradientNorms(n, depth, options.Gain, options.Seed + (ulong)depth, u, x0, options.RnnInputScale)));
        }
        return curves.ToArray();
    }

    /// <summary>
    /// ‖∂L/∂h_t‖ for t = 0..T, L = uᵀ h_T, tanh RNN with W_hh ~ N(0, gain²/n), W_ih ~ N(0, 1/n), inputs
    /// N(0, inputScale²), starting from h_0 (the MLP's x_0 in <see cref="Run"/>).
    /// </summary>
    public static double[] RnnGradientNorms(int n, int steps, double gain, ulong seed, ReadOnlySpan<double> u, ReadOnlySpan<double> h0 = default, double inputScale = 1.0)
    {
        var rng = new SeededRandom(seed * 104729 + 3);
        var cell = new CellWeights(Models.CellKind.Rnn, n, n);
        rng.FillGaussian<double>(cell.WeightHH, 0, gain / Math.Sqrt(n));
        rng.FillGaussian<double>(cell.WeightIH, 0, 1 / Math.Sqrt(n));
        var x = new double[steps * n];
        rng.FillGaussian<double>(x, 0, inputScale);
        var tr = CellTrajectory.Run(cell, x, steps, h0);
        var norms = new double[steps + 1];
        var g = u.ToArray();
        var dz = new double[n];
        var d = new double[n];
        norms[steps] = Spectra.Norm(g);
        for (int t = steps; t >= 1; t--)
        {
            // backward through h_t = tanh(z_t): ∂L/∂h_{t−1} = W_hhᵀ·(g ⊙ (1 − h_t²)) = J_tᵀ g
            StepJacobian.RnnDiagonal(tr, t, d);
            for (int i = 0; i < n; i++) dz[i] = g[i] * d[i];
            Gemm.Multiply<double>(Op.N, Op.N, 1, n, n, dz, cell.WeightHH, g, accumulate: false);
            norms[t - 1] = Spectra.Norm(g);
        }
        return norms;
    }
}
