using System.Diagnostics;
using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Training;

/// <summary>The work `rnnlab bench` times, the same as bench/torch_baseline.py does in PyTorch.</summary>
public sealed record BenchConfig(string Cell = "rnn", int Hidden = 128, int Seq = 200, int Batch = 32, int Input = 2,
    int Steps = 20, int Threads = 1, int Warmup = 3, ulong Seed = 0, int Layers = 1, bool Bidirectional = false);

/// <summary>
/// Measured training speed, with the time split the way a profile would split it, and the step's matrix-product
/// rate: <see cref="GemmGflopPerStep"/> (the multiply-adds of every GEMM in one step, ×2) times steps per second.
/// </summary>
public sealed record BenchResult(string Impl, string Cell, int Hidden, int Seq, int Batch, int Input, int Threads, int Steps,
    double StepsPerS, double ForwardMs, double BackwardMs, double UpdateMs, int Layers = 1, bool Bidirectional = false,
    double GemmGflopPerStep = 0, double GemmGflops = 0);

public static class TrainBenchmark
{
    /// <summary>
    /// Times <see cref="BenchConfig.Steps"/> training steps after a warm-up: forward over [T, B, I] random inputs,
    /// MSE on a linear readout of output[T−1] (h_T, or both directions' last outputs) against random targets, full BPTT
    /// through every layer, clip by global norm 1.0, Adam (lr 1e-3).
    /// </summary>
    public static BenchResult Run(BenchConfig c, Action<int>? progress = null)
    {
        if (!CellKinds.TryParse(c.Cell, out var kind, out var act)) throw new InvalidInputException($"unknown cell '{c.Cell}': choose rnn, relu, lstm or gru");
        foreach (var (value, name) in new[] { (c.Hidden, nameof(c.Hidden)), (c.Seq, nameof(c.Seq)), (c.Batch, nameof(c.Batch)), (c.Input, nameof(c.Input)), (c.Steps, nameof(c.Steps)), (c.Threads, nameof(c.Threads)), (c.Layers, nameof(c.Layers)) })
            if (value <= 0) throw new InvalidParameterException(name, "must be a positive integer", value);
        if (c.Warmup < 0) throw new InvalidParameterException(nameof(c.Warmup), "must not be negative", c.Warmup);

        var rng = new SeededRandom(c.Seed);
        var stack = new RecurrentStack<float>(kind, c.Input, c.Hidden, c.Layers, c.Bidirectional, nonlinearity: act);
        var model = new SequenceModel<float>(stack, 1, ReadoutMode.LastStep, LossKind.MeanSquaredError);
        Initializers.Apply(model.Stack, InitKind.PyTorch, rng);
        Initializers.Apply(model.Readout, InitKind.PyTorch, rng);
        var x = new float[c.Seq * c.Batch * c.Input];
        var y = new float[c.Batch];
        rng.FillGaussian<float>(x, 0, 1);
        rng.FillGaussian<float>(y, 0, 1);
        var adam = new Adam<float>(model.Parameters, 1e-3);

        long forward = 0, backward = 0, update = 0;
        var clock = new Stopwatch();
        void Step()
        {
            long t0 = Stopwatch.GetTimestamp();
            model.ZeroGrad();
            model.Forward(x, c.Seq, c.Batch, y);
            long t1 = Stopwatch.GetTimestamp();
            model.Backward();
            long t2 = Stopwatch.GetTimestamp();
            Clipping.ClipByGlobalNorm(model.Parameters, 1.0);
            adam.Step();
            long t3 = Stopwatch.GetTimestamp();
            forward += t1 - t0; backward += t2 - t1; update += t3 - t2;
        }

        using (Parallelism.Use(c.Threads))
        {
            for (int i = 0; i < c.Warmup; i++) Step();
            forward = backward = update = 0;
            clock.Start();
            for (int i = 0; i < c.Steps; i++) { Step(); progress?.Invoke(i + 1); }
            clock.Stop();
        }
        double perStep(long ticks) => ticks * 1000.0 / Stopwatch.Frequency / c.Steps;
        double stepsPerS = c.Steps / clock.Elapsed.TotalSeconds, gflop = GemmFlopsPerStep(stack, c.Seq * c.Batch) / 1e9;
        return new BenchResult("rnnlab", kind == CellKind.Rnn && act == Nonlinearity.Relu ? "relu" : kind.Name(), c.Hidden, c.Seq, c.Batch, c.Input,
            c.Threads, c.Steps, stepsPerS, perStep(forward), perStep(backward), perStep(update), c.Layers, c.Bidirectional, gflop, gflop * stepsPerS);
    }

    /// <summary>
    /// Floating-point operations (2 per multiply-add) of the matrix products in one training step over T·B rows: per
    /// layer and direction, forward x·W_ihᵀ and h·W_hhᵀ (and the projection), backward dh = dpre·W_hh, dW_hh, dW_ih,
    /// dx = dpre·W_ih for every layer but the first (nothing needs the input's gradient), and the projection's two.
    /// The readout's products (O = 1) and the point-wise gate arithmetic are left out.
    /// </summary>
    public static double GemmFlopsPerStep<T>(RecurrentStack<T> stack, int rows) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        double flops = 0;
        for (int l = 0; l < stack.NumLayers; l++)
            for (int d = 0; d < stack.Directions; d++)
            {
                var layer = stack.Layer(l, d);
                double gh = layer.Gates * layer.HiddenSize, input = layer.InputSize, state = layer.OutputSize;
                double macs = gh * (2 * input + 3 * state) + (l > 0 ? gh * input : 0) + 3 * layer.ProjectionSize * layer.HiddenSize;
                flops += 2 * rows * macs;
            }
        return flops;
    }
}
