// Times FlowProfile on the benchmark set-up shared with bench/flow_torch.py.
// Usage: dotnet run -c Release --project bench/FlowTiming -- [rnn|lstm|gru] [hidden] [seq] [repeats]
using RnnLab.Analysis;
using RnnLab.Models;

string cellName = args.Length > 0 ? args[0] : "rnn";
int hidden = args.Length > 1 ? int.Parse(args[1]) : 256;
int steps = args.Length > 2 ? int.Parse(args[2]) : 10_000;
int repeats = args.Length > 3 ? int.Parse(args[3]) : 3;
if (!CellKinds.TryParse(cellName, out var kind, out _)) { Console.Error.WriteLine($"unknown cell {cellName}"); return 1; }

FlowBenchmark.Run(kind, Math.Min(hidden, 16), 50);   // warm-up: JIT
var times = new List<double>();
FlowResult? last = null;
for (int i = 0; i < repeats; i++)
{
    var (result, seconds) = FlowBenchmark.Run(kind, hidden, steps);
    times.Add(seconds);
    last = result;
}
times.Sort();
var r = last!;
Console.WriteLine($"cell {r.Cell} hidden {hidden} seq {steps}: median {times[times.Count / 2]:F3} s (min {times[0]:F3}, max {times[^1]:F3}, {repeats} runs)");
Console.WriteLine($"  log10 ‖∂h_T/∂h_(T-k)‖₂ at k = 1, 10, 100, 1000, T-1: " +
    string.Join(", ", new[] { 1, 10, 100, 1000, steps - 1 }.Where(k => k < steps).Select(k => r.Log10SpectralNorm[k].ToString("F4"))));
Console.WriteLine($"  log10 ‖·‖_F at the same k: " +
    string.Join(", ", new[] { 1, 10, 100, 1000, steps - 1 }.Where(k => k < steps).Select(k => r.Log10FrobeniusNorm[k].ToString("F4"))));
Console.WriteLine($"  λ = [{string.Join(", ", r.LyapunovExponents.Select(l => l.ToString("F5")))}], effective ρ {r.EffectiveRho:F5}, decay rate {r.DecayRate:F5}, horizon {r.Horizon}");
Console.WriteLine($"  rank kept at k = 1, 10, 100, 1000, T-1: {string.Join(", ", new[] { 1, 10, 100, 1000, steps - 1 }.Where(k => k < steps).Select(k => r.Rank[k]))}; power-iteration limit hits {r.PowerIterationLimitHits}");
return 0;
