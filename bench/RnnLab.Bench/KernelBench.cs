using System.Numerics.Tensors;
using RnnLab.Numerics;

namespace RnnLab.Bench;

/// <summary>
/// Element-wise kernels at the size one time step applies them to ([B, H] = [32, 128], gates [32, 512]) and the bias
/// reductions over all stacked steps, each beside its plain reference (TensorPrimitives or the scalar loop), plus
/// the fork/join cost of <see cref="Parallelism"/> that decides which GEMMs are worth splitting.
/// </summary>
internal static unsafe class KernelBench
{
    public static void Run(double seconds)
    {
        var rng = new SeededRandom(3);
        float[] x = new float[32 * 512], h = new float[32 * 128], dh = new float[32 * 128], y = new float[32 * 512];
        float[] stacked = new float[6400 * 512], bias = new float[512], bias2 = new float[512];
        rng.FillUniform<float>(x, -4, 4);
        rng.FillUniform<float>(h, -1, 1);
        rng.FillUniform<float>(dh, -1, 1);
        rng.FillUniform<float>(stacked, -1, 1);

        Console.WriteLine($"{"kernel",-34} {"RnnLab µs",10} {"reference µs",13}  reference");
        Row("Tanh [32, 512]", () => Kernels.Tanh<float>(x, y), () => TensorPrimitives.Tanh<float>(x, y), "TensorPrimitives");
        Row("Sigmoid [32, 512]", () => Kernels.Sigmoid<float>(x, y), () => TensorPrimitives.Sigmoid<float>(x, y), "TensorPrimitives");
        Row("TanhBackward [32, 128]", () => Kernels.TanhBackward<float>(h, dh, y.AsSpan(0, h.Length)),
            () => Kernels.TanhBackwardScalar<float>(h, dh, y.AsSpan(0, h.Length)), "scalar loop");
        Row("ReluBackward [32, 128]", () => Kernels.ReluBackward<float>(h, dh, y.AsSpan(0, h.Length)),
            () => Kernels.ReluBackwardScalar<float>(h, dh, y.AsSpan(0, h.Length)), "scalar loop");
        Row("SumOfSquares [32, 128]", () => Kernels.SumOfSquares<float>(dh), () => Kernels.SumOfSquaresScalar<float>(dh), "scalar loop");
        Row("AddColumnSums [6400, 512]", () => Kernels.AddColumnSums<float>(stacked, 512, bias),
            () => { for (int r = 0; r < 6400; r++) TensorPrimitives.Add<float>(bias, stacked.AsSpan(r * 512, 512), bias); }, "TensorPrimitives per row");
        Row("AddRowBias [6400, 512]", () => Kernels.AddRowBias<float>(stacked, bias, bias2, 512),
            () => { for (int r = 0; r < 6400; r++) { var row = stacked.AsSpan(r * 512, 512); TensorPrimitives.Add<float>(row, bias, row); TensorPrimitives.Add<float>(row, bias2, row); } }, "TensorPrimitives, 2 passes");

        // Two parts of fixed work (a dependent chain of about 2 µs): one thread takes twice the part's time, a
        // fork that pays takes the part's time plus the fork/join cost.
        double part = Timing.SecondsPerCall(() => Work(0, null), seconds);
        double forked = Timing.SecondsPerCall(() => Parallelism.For(2, &Work, null), seconds);
        Console.WriteLine($"{"Parallelism.For, 2 parts of work",-34} {forked * 1e6,10:F2} {2 * part * 1e6,13:F2}  one thread, both parts");
        // How often the worker, not the caller, ran part 1: low when the worker is descheduled by other load.
        int callerThread = Environment.CurrentManagedThreadId, byWorker = 0;
        const int forks = 20_000;
        for (int i = 0; i < forks; i++)
        {
            ranOn = callerThread;
            Parallelism.For(2, &WorkAndRecord, null);
            if (ranOn != callerThread) byWorker++;
        }
        Console.WriteLine($"{"  part 1 run by the worker",-34} {100.0 * byWorker / forks,9:F0}%");

        void Row(string name, Action fast, Action reference, string what)
        {
            double tf = Timing.SecondsPerCall(fast, seconds), tr = Timing.SecondsPerCall(reference, seconds);
            Console.WriteLine($"{name,-34} {tf * 1e6,10:F2} {tr * 1e6,13:F2}  {what}");
        }
    }

    internal static double Sink;   // written, never read: the JIT must keep the loop that computes it
    private static volatile int ranOn;

    private static void WorkAndRecord(int part, void* state)
    {
        Work(part, state);
        if (part == 1) ranOn = Environment.CurrentManagedThreadId;
    }

    private static void Work(int part, void* state)
    {
        double v = part;
        for (int i = 0; i < 2000; i++) v = v * 0.999 + 1;
        Sink = v;
    }
}
