using RnnLab.Bench;

// Micro-benchmarks for the numeric kernels. Stopwatch-based rather than BenchmarkDotNet: a GEMM call takes
// microseconds to milliseconds, the interesting number is GFLOPS per shape, and a whole table must fit in a
// few seconds on a shared two-core machine.
//   dotnet run -c Release --project bench/RnnLab.Bench -- gemm [--threads K] [--seconds S] [--double]
//   dotnet run -c Release --project bench/RnnLab.Bench -- layers [--threads K]
//   dotnet run -c Release --project bench/RnnLab.Bench -- kernels
//   dotnet run -c Release --project bench/RnnLab.Bench -- peak [--threads K]     (float32 GEMM peak, one JSON line)
string verb = args.Length > 0 ? args[0] : "gemm";
int threads = 1;
double seconds = 0.25;
for (int i = 1; i < args.Length - 1; i++)
{
    if (args[i] == "--threads") threads = int.Parse(args[i + 1]);
    if (args[i] == "--seconds") seconds = double.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
}
switch (verb)
{
    case "gemm": if (args.Contains("--double")) GemmBench.Run<double>(threads, seconds); else GemmBench.Run<float>(threads, seconds); break;
    case "kernels": KernelBench.Run(seconds); break;
    case "layers": LayerBench.Run(threads, seconds); break;
    case "peak": PeakBench.Run(threads, seconds); break;
    default: Console.Error.WriteLine($"unknown benchmark '{verb}' (gemm, kernels, layers, peak)"); return 1;
}
return 0;
