using System.CommandLine;
using RnnLab.Lesson;
using RnnLab.Analysis;
using RnnLab.Models;
using Spectre.Console;

namespace RnnLab.Cli.Commands;

/// <summary>`rnnlab flow`: ‖∂h_T/∂h_{T−k}‖ for every k along one trajectory, with ρ, Lyapunov exponents, decay rate and horizon.</summary>
public static class FlowCommand
{
    public static Command Create()
    {
        var network = new NetworkOptions();
        var seq = CommonOptions.Positive("--seq", "Sequence length T of generated inputs.", 100);
        var inputs = new Option<string?>("--inputs") { Description = "Inputs from a NumPy file of shape [T, I] instead of N(0, 1) noise." };
        var threshold = new Option<double>("--threshold") { Description = "Horizon: largest k whose norm is at least this fraction of the norm at k = 0.", DefaultValueFactory = _ => 0.01 };
        var exact = new Option<bool>("--exact") { Description = "Keep the full Jacobian product at every k (no deflation of directions below 1e-10; slower)." };
        var compare = new Option<string?>("--compare-rho") { Description = "Comma-separated spectral radii: one generated network per ρ, measured beside ρ^k." };
        var plot = PlotFile.Option();
        var json = CommonOptions.Json();
        var command = new Command("flow", "Measure ‖∂h_T/∂h_{T−k}‖ (spectral and Frobenius) for k = 0..T−1 along one sequence, starting from h_0 = 0.")
        {
            seq, inputs, threshold, exact, compare, plot, json,
        };
        network.AddTo(command);
        command.SetAction(parse =>
        {
            string? plotPath = parse.GetValue(plot);
            PlotFile.CheckPath(plotPath);
            double th = parse.GetValue(threshold);
            if (!(th > 0 && th < 1)) throw new UsageException($"--threshold must be between 0 and 1, got {th}");
            RecurrentLayer<double> layer = network.Build(parse);
            double[] x = parse.GetValue(inputs) is string npy
                ? AnalysisNetwork.LoadInputs(npy, layer.InputSize)
                : AnalysisNetwork.RandomInputs(parse.GetValue(seq), layer.InputSize, parse.GetValue(network.Seed));
            int steps = x.Length / layer.InputSize;
            var options = new FlowOptions { HorizonThreshold = th, TruncationTolerance = parse.GetValue(exact) ? 0 : new FlowOptions().TruncationTolerance };
            if (parse.GetValue(compare) is string list)
                return CompareSpectralRadii(parse, network, list, x, steps, options, plotPath);
            var result = FlowProfile.Compute(layer, x, steps, options);
            PlotFile.Write(Plots.FlowProfile(result), plotPath);
            if (parse.GetValue(json)) { Cli.WriteJson(parse.InvocationConfiguration.Output, result); return 0; }

            var summary = new Table().AddColumns("", "value");
            summary.AddRow("cell", $"{result.Cell}, H = {result.HiddenSize}, T = {result.Steps}");
            if (result.SpectralRadius is double sr) summary.AddRow("spectral radius ρ(W_hh)", $"{sr:F4}");
            summary.AddRow("top Lyapunov exponent λ₁", $"{result.LyapunovExponents[0]:F4} per step");
            summary.AddRow("effective ρ = exp(λ₁)", $"{result.EffectiveRho:F4}");
            summary.AddRow("Lyapunov exponents", string.Join(", ", result.LyapunovExponents.Select(l => l.ToString("F4"))));
            summary.AddRow("decay rate (slope of ln‖·‖₂ in k)", $"{result.DecayRate:F4}");
            summary.AddRow($"horizon (‖·‖₂ ≥ {th:P0} of k = 0)", $"{result.Horizon} steps");
            summary.AddRow("time", $"{result.ElapsedSeconds:F2} s");
            AnsiConsole.Write(summary);
            var profile = new Table().AddColumns("k", "log10 ‖∂h_T/∂h_{T−k}‖₂", "log10 ‖·‖_F", "log10 ρ_eff^k");
            bool lstm = result.Log10CellSpectralNorm is not null;
            if (lstm) profile.AddColumn("log10 ‖∂c_T/∂c_{T−k}‖₂");
            foreach (int k in SampleDistances(result.Steps))
            {
                var row = new List<string> { $"{k}", $"{result.Log10SpectralNorm[k]:F3}", $"{result.Log10FrobeniusNorm[k]:F3}", $"{k * Math.Log10(result.EffectiveRho):F3}" };
                if (lstm) row.Add($"{result.Log10CellSpectralNorm![k]:F3}");
                profile.AddRow([.. row]);
            }
            AnsiConsole.Write(profile);
            return 0;
        });
        return command;
    }

    /// <summary>The same network shape and inputs at several spectral radii of W_hh (--compare-rho).</summary>
    static int CompareSpectralRadii(ParseResult parse, NetworkOptions network, string list, double[] x, int steps, FlowOptions options, string? plotPath)
    {
        double[] rhos;
        try { rhos = [.. list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture))]; }
        catch (FormatException) { throw new UsageException($"--compare-rho '{list}' is not a comma-separated list of numbers"); }
        var runs = rhos.Select(r => (r, FlowProfile.Compute(network.Build(parse, r), x, steps, options))).ToList();
        PlotFile.Write(Plots.FlowAcrossSpectralRadii(runs), plotPath);
        var rows = runs.Select(r => new
        {
            rho = r.r, effective_rho = r.Item2.EffectiveRho, decay_rate = r.Item2.DecayRate, horizon = r.Item2.Horizon,
            log10_spectral_norm = r.Item2.Log10SpectralNorm,
        }).ToList();
        if (parse.GetValue<bool>("--json")) { Cli.WriteJson(parse.InvocationConfiguration.Output, rows); return 0; }
        var table = new Table().AddColumns("ρ(W_hh)", "effective ρ = exp(λ₁)", "log10 ‖·‖₂ at k = T−1", "lesson: (T−1)·log10 ρ", "horizon");
        foreach (var r in rows)
            table.AddRow($"{r.rho}", $"{r.effective_rho:F4}", $"{r.log10_spectral_norm[^1]:F2}", $"{(steps - 1) * Math.Log10(r.rho):F2}", $"{r.horizon}");
        AnsiConsole.Write(table);
        return 0;
    }

    /// <summary>k = 0, 1, 2, 5, 10, 20, 50, … up to T−1: enough rows to read the decay, few enough to fit a screen.</summary>
    static IEnumerable<int> SampleDistances(int steps)
    {
        var ks = new SortedSet<int>();
        for (long decade = 1; decade < steps; decade *= 10)
            foreach (int m in new[] { 1, 2, 5 }) if (decade * m < steps) ks.Add((int)(decade * m));
        ks.Add(0);
        ks.Add(steps - 1);
        return ks;
    }
}
