using System.Diagnostics;
using RnnLab.Models;

namespace RnnLab.Analysis;

/// <summary>
/// The flow-profile benchmark, the same set-up as <c>bench/flow_torch.py</c>: weights U(−1/√H, 1/√H) (PyTorch's
/// default for its recurrent layers), input size <see cref="InputSize"/>, inputs N(0, 1), zero initial state,
/// batch 1, float64. Times the whole computation: the trajectory, every step Jacobian, the norms at every k,
/// the Lyapunov exponents; the spectral radius of W_hh (one eigen solve, not part of the PyTorch script) is left out.
/// </summary>
public static class FlowBenchmark
{
    public const int InputSize = 16;

    public static (CellWeights Cell, double[] X) Setup(CellKind kind, int hidden, int steps, ulong seed = 1)
    {
        var cell = CellWeights.Random(kind, InputSize, hidden, seed);
        var x = new double[steps * InputSize];
        new Numerics.SeededRandom(seed + 1).FillGaussian<double>(x, 0, 1);
        return (cell, x);
    }

    /// <summary>Runs the benchmark once and returns the result and the wall-clock seconds.</summary>
    public static (FlowResult Result, double Seconds) Run(CellKind kind, int hidden, int steps, FlowOptions? options = null, ulong seed = 1)
    {
        var (cell, x) = Setup(kind, hidden, steps, seed);
        options ??= new FlowOptions { ComputeSpectralRadius = false };
        var sw = Stopwatch.StartNew();
        var result = FlowProfile.Compute(cell, x, steps, options);
        return (result, sw.Elapsed.TotalSeconds);
    }
}
