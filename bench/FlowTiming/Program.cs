// Times FlowProfile on the benchmark set-up shared with bench/flow_torch.py.
// Usage: dotnet run -c Release --project bench/FlowTiming -- [rnn|lstm|gru] [hidden] [seq] [repeats] [tolerance] [dump-dir]
using RnnLab.Analysis;
using RnnLab.Models;

string cellName = args.Length > 0 ? args[0] : "rnn";
int hidden = args.Length > 1 ? int.Parse(args[1]) : 256;
int steps = args.Length > 2 ? int.Parse(args[2]) : 10_000;
int repeats = args.Length > 3 ? int.Parse(args[3]) : 3;
double tol = args.Length > 4 ? double.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : new FlowOptions().TruncationTolerance;
string? dump = args.Length > 5 ? args[5] : null;
if (!CellKinds.TryParse(cellName, out var kind, out _)) { Console.Error.WriteLine($"unknown cell {cellName}"); return 1; }

FlowBenchmark.Run(kind, Math.Min(hidden, 16), 50);   // warm-up: JIT
var times = new List<double>();
FlowResult? last = null;
for (int i = 0; i < repeats; i++)
{
    var (result, seconds) = FlowBenchmark.Run(kind, hidden, steps, new FlowOptions { ComputeSpectralRadius = false, TruncationTolerance = tol });
    times.Add(seconds);
    last = result;
}
times.Sort();
var r = last!;
Console.WriteLine($"cell {r.Cell} hidden {hidden} seq {steps}: median {times[times.Count / 2]:F3} s (min {times[0]:F3}, max {times[^1]:F3}, {repeats} runs)");
Console.WriteLine($"  last run: trajectory {r.Timings.Trajectory:F3} s, products {r.Timings.Products:F3} s, orthogonalization {r.Timings.Orthogonalization:F3} s, norms {r.Timings.Norms:F3} s");
Console.WriteLine($"  log10 ‖∂h_T/∂h_(T-k)‖₂ at k = 1, 10, 100, 1000, T-1: " +
    string.Join(", ", new[] { 1, 10, 100, 1000, steps - 1 }.Where(k => k < steps).Select(k => r.Log10SpectralNorm[k].ToString("F4"))));
Console.WriteLine($"  log10 ‖·‖_F at the same k: " +
    string.Join(", ", new[] { 1, 10, 100, 1000, steps - 1 }.Where(k => k < steps).Select(k => r.Log10FrobeniusNorm[k].ToString("F4"))));
Console.WriteLine($"  λ = [{string.Join(", ", r.LyapunovExponents.Select(l => l.ToString("F5")))}], effective ρ {r.EffectiveRho:F5}, decay rate {r.DecayRate:F5}, horizon {r.Horizon}");
Console.WriteLine($"  rank kept at k = 1, 10, 100, 1000, T-1: {string.Join(", ", new[] { 1, 10, 100, 1000, steps - 1 }.Where(k => k < steps).Select(k => r.Rank[k]))}; power-iteration limit hits {r.PowerIterationLimitHits} (each measured by a dense SVD instead)");
if (dump is not null)
{
    // Raw float64 little-endian row-major arrays, for bench/flow_torch.py --load: the same weights and inputs.
    var (cell, x) = FlowBenchmark.Setup(kind, hidden, steps);
    Directory.CreateDirectory(dump);
    void Write(string name, double[] a) => File.WriteAllBytes(Path.Combine(dump, name), System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()).ToArray());
    Write("weight_ih.bin", cell.WeightIH); Write("weight_hh.bin", cell.WeightHH);
    Write("bias_ih.bin", cell.BiasIH); Write("bias_hh.bin", cell.BiasHH); Write("x.bin", x);
    Write("log10_spectral_norm.bin", r.Log10SpectralNorm); Write("log10_frobenius_norm.bin", r.Log10FrobeniusNorm);
    Console.WriteLine($"  wrote weights and inputs to {dump}");
}
return 0;
