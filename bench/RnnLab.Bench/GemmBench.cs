using RnnLab.Numerics;

namespace RnnLab.Bench;

/// <summary>GFLOPS of <see cref="Gemm.Multiply{T}(Op, Op, int, int, int, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, bool)"/>
/// at the shapes a recurrent training step runs; bench/gemm_torch.py times the same shapes in PyTorch.</summary>
internal static class GemmBench
{
    public static readonly (Op A, Op B, int M, int N, int K, string Use)[] Shapes =
    [
        (Op.N, Op.T, 32, 128, 128, "h·W_hhᵀ, H=128 RNN"),
        (Op.N, Op.T, 32, 512, 128, "h·W_hhᵀ, H=128 LSTM"),
        (Op.N, Op.N, 32, 128, 512, "dz·W_hh, H=128 LSTM"),
        (Op.T, Op.N, 512, 128, 6400, "dW_hh, H=128 LSTM, T·B=6400"),
        (Op.N, Op.T, 64, 2048, 512, "h·W_hhᵀ, H=512 LSTM"),
        (Op.T, Op.N, 2048, 512, 6400, "dW_hh, H=512 LSTM, T·B=6400"),
        (Op.N, Op.T, 6400, 512, 64, "x·W_ihᵀ, H=128 LSTM, I=64"),
        (Op.N, Op.N, 6400, 64, 512, "dx = dz·W_ih, H=128 LSTM"),
        (Op.T, Op.N, 512, 64, 6400, "dW_ih, H=128 LSTM"),
    ];

    public static void Run<T>(int threads, double seconds) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Parallelism.Threads = threads;
        Console.WriteLine($"GEMM {(typeof(T) == typeof(float) ? "float32" : "float64")}, threads={threads}, {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "AVX-512" : "no AVX-512")}");
        Console.WriteLine($"{"op",-3} {"m",5} {"n",5} {"k",5}  {"GFLOPS",7}  {"prepacked",9}  use");
        var rng = new SeededRandom(1);
        foreach (var (opA, opB, m, n, k, use) in Shapes)
        {
            var a = new T[m * k];
            var b = new T[k * n];
            var c = new T[m * n];
            rng.FillUniform<T>(a, -1, 1);
            rng.FillUniform<T>(b, -1, 1);
            double flops = 2.0 * m * n * k;
            double t = Timing.SecondsPerCall(() => Gemm.Multiply(opA, opB, m, n, k, a, b, c, accumulate: false), seconds);
            string prepacked = "";
            if (m * 16 < n * k) // only where B is reused across calls (the in-loop recurrent weight)
            {
                PackedMatrix<T> pb = Gemm.PackB(opB, k, n, b);
                double tp = Timing.SecondsPerCall(() => Gemm.Multiply(opA, m, a, pb, c, accumulate: false), seconds);
                prepacked = $"{flops / tp / 1e9:F1}";
            }
            Console.WriteLine($"{opA}{opB}  {m,5} {n,5} {k,5}  {flops / t / 1e9,7:F1}  {prepacked,9}  {use}");
        }
    }
}
