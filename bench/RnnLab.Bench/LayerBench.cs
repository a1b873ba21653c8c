using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Bench;

/// <summary>
/// Forward and backward time of one recurrent layer at the target training shapes, with the share of the time the
/// GEMMs would take at the GEMM benchmark's rate: what is left is the element-wise work around them.
/// </summary>
internal static class LayerBench
{
    public static void Run(int threads, double seconds)
    {
        Parallelism.Threads = threads;
        Console.WriteLine($"layer float32, threads={threads}");
        Console.WriteLine($"{"cell",-5} {"H",4} {"B",3} {"T",4} {"I",4}  {"fwd ms",7} {"bwd ms",7}  {"GEMM GFLOP",10}  {"GFLOPS",7}");
        foreach (var (h, b, t, i) in new[] { (128, 32, 200, 64), (512, 64, 100, 64) })
            foreach (CellKind kind in new[] { CellKind.Rnn, CellKind.Lstm, CellKind.Gru })
            {
                var layer = RecurrentLayer<float>.Create(kind, i, h);
                var rng = new SeededRandom(2);
                Initializers.Apply(layer, InitKind.PyTorch, rng);
                var x = new float[t * b * i];
                var dOut = new float[t * b * h];
                var dx = new float[t * b * i];
                rng.FillUniform<float>(x, -1, 1);
                rng.FillUniform<float>(dOut, -1, 1);
                double fwd = Timing.SecondsPerCall(() => layer.Forward(x, t, b), seconds);
                double bwd = Timing.SecondsPerCall(() => layer.Backward(dOut, dx), seconds);
                int gh = kind.Gates() * h;
                // forward: x·W_ihᵀ, T × h·W_hhᵀ; backward: T × dz·W_hh, dW_ih, dW_hh, dx.
                double flops = 2.0 * t * b * gh * (i + h) + 2.0 * t * b * gh * (h + i + h + i);
                Console.WriteLine($"{kind,-5} {h,4} {b,3} {t,4} {i,4}  {fwd * 1e3,7:F2} {bwd * 1e3,7:F2}  {flops / 1e9,10:F3}  {flops / (fwd + bwd) / 1e9,7:F1}");
            }
    }
}
