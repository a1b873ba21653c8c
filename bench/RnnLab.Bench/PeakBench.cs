using RnnLab.Numerics;

namespace RnnLab.Bench;

/// <summary>
/// The machine's measured float32 GEMM peak as RnnLab reaches it: one large square product (1024³, B prepacked as
/// the recurrent layers prepack W_hh), fastest batch. A training step's GEMM rate divided by this number is how far
/// the step is from the physical limit (bench/training_vs_torch.sh prints the fraction per scenario).
/// </summary>
internal static class PeakBench
{
    const int Size = 1024;

    public static void Run(int threads, double seconds)
    {
        var rng = new SeededRandom(2);
        float[] a = new float[Size * Size], b = new float[Size * Size], c = new float[Size * Size];
        rng.FillUniform<float>(a, -1, 1);
        rng.FillUniform<float>(b, -1, 1);
        PackedMatrix<float> packed = Gemm.PackB<float>(Op.N, Size, Size, b);
        double t;
        // The peak is what the cores do when every thread takes its share, so the kernels' back-off is off: one late
        // fork in the warm-up (a worker's first touch of its packing buffers) would otherwise make the next 16 calls
        // serial, about the whole timing window, and the "peak" would be one core's.
        bool backOff = Parallelism.BackOff;
        Parallelism.BackOff = false;
        using (Parallelism.Use(threads))
            t = Timing.SecondsPerCall(() => Gemm.Multiply(Op.N, Size, a, packed, c, accumulate: false), seconds);
        Parallelism.BackOff = backOff;
        double gflops = 2.0 * Size * Size * Size / t / 1e9;
        Console.WriteLine($"{{\"gemm\": \"NN {Size}x{Size}x{Size} prepacked\", \"threads\": {threads}, \"gflops\": {gflops.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)}}}");
    }
}
