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
        var inputs = new Option<string?>("--inputs") { Description = "Inputs from a NumPy file instead of N(0, 1) noise: [T, I], or with --model also [T, B, I] (B sequences; log10 keys then hold the mean over them, with _min and _max)." };
        var batchFirst = new Option<bool>("--batch-first") { Description = "With --model: --inputs is [B, T, I], as PyTorch's batch_first=True." };
        var h0 = new Option<string?>("--h0") { Description = "With --model: initial h from a NumPy file, PyTorch's layout [layers·directions, B, H_out]." };
        var c0 = new Option<string?>("--c0") { Description = "With --model (LSTM): initial c, [layers·directions, B, H]." };
        var threshold = new Option<double>("--threshold") { Description = "Horizon: largest k whose norm is at least this fraction of the norm at k = 0.", DefaultValueFactory = _ => 0.01 };
        var exact = new Option<bool>("--exact") { Description = "Keep the full Jacobian product at every k (no deflation of directions below 1e-10; slower)." };
        var compare = new Option<string?>("--compare-rho") { Description = "Comma-separated spectral radii: one generated network per ρ, measured beside ρ^k." };
        var plot = PlotFile.Option();
        var json = CommonOptions.Json();
        var quiet = CommonOptions.Quiet();
        var command = new Command("flow", "Measure ‖∂h_T/∂h_{T−k}‖ (spectral and Frobenius) for k = 0..T−1 along one sequence, starting from h_0 = 0 (with --model, from --h0 and --c0 when given). "
            + "For the LSTM every block of the state Jacobian product: ‖∂h_T/∂h_{T−k}‖ (c held fixed), ‖∂c_T/∂c_{T−k}‖ (h held fixed, every path), "
            + "‖∂h_T/∂c_{T−k}‖, ‖∂(h,c)_T/∂(h,c)_{T−k}‖, and the cell path ‖∏ diag(f_t)‖ alone. With --model: every layer and direction, "
            + "depth × time (‖∂h^top_T/∂h^(l)_{T−k}‖) and the input connectivity ‖∂y_T/∂x_{T−k}‖.")
        {
            seq, inputs, batchFirst, h0, c0, threshold, exact, compare, plot, json, quiet,
        };
        network.AddTo(command);
        command.SetAction(parse =>
        {
            double th = parse.GetValue(threshold);
            if (!(th > 0 && th < 1)) throw new UsageException($"--threshold must be between 0 and 1, got {Numbers.Exact(th)}");
            string? compareList = parse.GetValue(compare);
            double[] rhos = compareList is null ? [] : CommonOptions.PositiveNumbers(compareList, "--compare-rho");
            if (compareList is not null && CommonOptions.Given(parse, network.Rho))
                throw new UsageException("--compare-rho sets ρ for each network: leave out --rho");
            string? inputsPath = parse.GetValue(inputs);
            if (inputsPath is not null && CommonOptions.Given(parse, seq))
                throw new UsageException($"--seq sets the length of generated inputs; --inputs {inputsPath} has its own: leave out --seq");
            if (inputsPath is not null && Directory.Exists(inputsPath)) throw new UsageException($"--inputs {inputsPath} is a folder, not a .npy file");
            if (inputsPath is not null && !File.Exists(inputsPath)) throw new UsageException($"--inputs {inputsPath}: no such file");
            var options = new FlowOptions { HorizonThreshold = th, TruncationTolerance = parse.GetValue(exact) ? 0 : new FlowOptions().TruncationTolerance };
            string? plotPath = parse.GetValue(plot);
            if (network.Plan(parse, generatesNetworks: compareList is not null) is not var (kind, gates, hidden, input))
            {
                PlotFile.CheckPath(plotPath);
                return ModuleFlowCommand(parse, network, inputs, batchFirst, h0, c0, seq, options, plotPath);
            }
            foreach (var o in new Option[] { batchFirst, h0, c0 })
                if (CommonOptions.Given(parse, o)) throw new UsageException($"{o.Name} applies to --model only");
            double h = hidden, state = kind == CellKind.Lstm ? 2 * h : h;
            double t = inputsPath is null ? parse.GetValue(seq) : new FileInfo(inputsPath).Length / 8.0 / input;
            string length = inputsPath is null ? $"--seq {parse.GetValue(seq)}" : $"--inputs {inputsPath}";
            int runs = Math.Max(1, rhos.Length);
            MemoryPlan.Check(parse, [.. NetworkOptions.Weights(gates, hidden, input),
                new MemoryPlan.Need("the inputs", $"{length} --input {input}", t * input),
                new MemoryPlan.Need("the trajectory (states and gates at every step)", $"{length} --hidden {hidden}", t * (gates + 4) * h),
                new MemoryPlan.Need("the Jacobian products", $"--hidden {hidden}", 8 * state * state + 4 * h * h),
                new MemoryPlan.Need("the profiles", $"{length}", runs * 8 * t)]);
            PlotFile.CheckPath(plotPath);
            RecurrentLayer<double> layer = network.Generate(parse);
            double[] x = parse.GetValue(inputs) is string npy
                ? AnalysisNetwork.LoadInputs(npy, layer.InputSize)
                : AnalysisNetwork.RandomInputs(parse.GetValue(seq), layer.InputSize, parse.GetValue(network.Seed));
            int steps = x.Length / layer.InputSize;
            if (compareList is not null)
                return CompareSpectralRadii(parse, network, rhos, x, steps, options, plotPath);
            FlowResult result;
            using (var progress = ProgressLine.For(parse))
                result = FlowProfile.Compute(layer, x, steps, options with { Progress = (k, n) => progress.Report(k + 1, n, () => $"flow: ∂h_T/∂h_(T−k) at k = {k} of {n - 1}") });
            PlotFile.Write(() => Plots.FlowProfile(result), plotPath);
            if (parse.GetValue(json))
            {
                JsonEnvelope.Write(parse, result, new Dictionary<string, object?> { ["cell"] = network.CellName(parse), ["seq"] = steps }, "batch_first", "h0", "c0");
                return 0;
            }

            var summary = new Table().AddColumns("", "value");
            var (cellKind, nonlinearity) = network.CellChoice(parse) ?? (CellKind.Rnn, Nonlinearity.Tanh);
            summary.AddRow("cell", $"{CellKinds.Label(cellKind, nonlinearity)}, H = {result.HiddenSize}, T = {result.Steps}");
            if (result.SpectralRadius is double sr) summary.AddRow("spectral radius ρ(W_hh)", $"{sr:F4}");
            summary.AddRow("top Lyapunov exponent λ₁", $"{result.LyapunovExponents[0]:F4} per step");
            summary.AddRow("effective ρ = exp(λ₁)", $"{result.EffectiveRho:F4}");
            summary.AddRow("Lyapunov exponents", string.Join(", ", result.LyapunovExponents.Select(l => l.ToString("F4"))));
            summary.AddRow("decay rate (slope of ln‖·‖₂ in k)", $"{result.DecayRate:F4}");
            summary.AddRow($"horizon (‖·‖₂ ≥ {th:P0} of k = 0)", $"{result.Horizon} steps");
            summary.AddRow("time", $"{result.ElapsedSeconds:F2} s");
            AnsiConsole.Write(summary);
            AnsiConsole.Write(ProfileTable(result, withRho: true));
            return 0;
        });
        return command;
    }

    /// <summary>log10 of every reported block at a few k; for the LSTM each column says which block it is.</summary>
    static Table ProfileTable(FlowResult result, bool withRho)
    {
        var profile = new Table().AddColumns("k", "log10 ‖∂h_T/∂h_{T−k}‖₂", "log10 ‖·‖_F");
        if (withRho) profile.AddColumn("log10 ρ_eff^k");
        bool lstm = result.Log10CellSpectralNorm is not null;
        if (lstm) profile.AddColumns("log10 ‖∂c_T/∂c_{T−k}‖₂ (h fixed)", "log10 ‖∂h_T/∂c_{T−k}‖₂", "log10 ‖∂(h,c)_T/∂(h,c)_{T−k}‖₂", "log10 ‖∏ diag(f_t)‖₂ (cell path)");
        foreach (int k in SampleDistances(result.Steps))
        {
            var row = new List<string> { $"{k}", F(result.Log10SpectralNorm[k]), F(result.Log10FrobeniusNorm[k]) };
            if (withRho) row.Add($"{result.Log10EffectiveRhoPower[k]:F3}");
            if (lstm)
                row.AddRange([F(result.Log10CellSpectralNorm![k]), F(result.Log10HiddenFromCellSpectralNorm![k]), F(result.Log10StateSpectralNorm![k]), F(result.Log10CellPathNorm![k])]);
            profile.AddRow([.. row]);
        }
        return profile;
    }

    /// <summary>A log10 norm as the table prints it: −∞ for an exact zero, "rounding" for a norm below float64's floor (null in JSON).</summary>
    static string F(double v, string format = "F3") => double.IsFinite(v) ? v.ToString(format) : double.IsNaN(v) ? "rounding" : "−∞";

    /// <summary>`rnnlab flow --model`: the whole module along each input sequence.</summary>
    static int ModuleFlowCommand(ParseResult parse, NetworkOptions network, Option<string?> inputs, Option<bool> batchFirst,
        Option<string?> h0Option, Option<string?> c0Option, Option<int> seq, FlowOptions options, string? plotPath)
    {
        if (parse.GetValue(inputs) is not null && CommonOptions.Given(parse, network.Seed))
            throw new UsageException("--seed draws generated inputs; --inputs gives them and --model the weights: leave out --seed");
        var loaded = network.LoadModule(parse);
        var w = loaded.Weights;
        bool lstm = w.Kind == CellKind.Lstm;
        if (!lstm && parse.GetValue(c0Option) is not null) throw new UsageException($"--c0: a {w.Kind.Name()} has no cell state");
        var (x, steps, batch) = parse.GetValue(inputs) is string npy
            ? AnalysisNetwork.LoadSequences(npy, w.InputSize, parse.GetValue(batchFirst))
            : (AnalysisNetwork.RandomInputs(parse.GetValue(seq), w.InputSize, parse.GetValue(network.Seed)), parse.GetValue(seq), 1);
        int rows = w.Layers * w.Directions;
        double[] h0 = parse.GetValue(h0Option) is string hp ? AnalysisNetwork.LoadInitialState(hp, "h0", rows, batch, w.OutputSize) : [];
        double[] c0 = parse.GetValue(c0Option) is string cp ? AnalysisNetwork.LoadInitialState(cp, "c0", rows, batch, w.HiddenSize) : [];

        var results = new List<ModuleFlowResult>();
        // one count over every sequence: each sequence's sweeps (every layer and direction, and the stack's) take the same steps
        string shape = $"{w.Layers} layer{(w.Layers == 1 ? "" : "s")}{(w.Directions == 2 ? ", bidirectional" : "")}, T = {steps}";
        using (var progress = ProgressLine.For(parse))
            for (int b = 0; b < batch; b++)
            {
                var tr = ModuleTrajectory.Run(w, ModuleForward.Sequence(x, steps, batch, w.InputSize, b), steps,
                    ModuleForward.Sequence(h0, rows, batch, w.OutputSize, b), ModuleForward.Sequence(c0, rows, batch, w.HiddenSize, b));
                int sequence = b;
                results.Add(ModuleFlow.Compute(tr, options, (done, total) => progress.Report(sequence * total + done, batch * total,
                    () => $"flow of module {w.Module.DisplayName} ({shape}): sequence {sequence + 1} of {batch}, in steps of all its sweeps")));
            }
        var report = ModuleFlowReport.Build(w, results);
        if (plotPath is not null)
        {
            int top = (w.Layers - 1) * w.Directions;
            var plot = w.Directions == 1 && w.Layers > 1
                ? Plots.DepthTime([.. Enumerable.Range(0, w.Layers).Select(l => ModuleFlowReport.Mean([.. results.Select(r => r.DepthTime![l].Log10SpectralNorm)]))])
                : Plots.FlowProfile(results[0].Layers[top].Flow);
            PlotFile.Write(() => plot, plotPath);
        }
        if (parse.GetValue<bool>("--json"))
        {
            var used = NetworkOptions.Describe(loaded);
            used["seq"] = steps;
            used["batch"] = batch;
            JsonEnvelope.Write(parse, report, used, [.. NetworkOptions.GeneratorOnlyKeys, "compare_rho"]);
            return 0;
        }

        var m = w.Module;
        AnsiConsole.WriteLine($"{loaded.FileName}: module {m.DisplayName}: {m.Description}; nonlinearity {(m.Kind == CellKind.Rnn ? $"{Checkpoint.Name(w.Nonlinearity)} ({Checkpoint.Name(loaded.NonlinearitySource)})" : "gated")}; T = {steps}, B = {batch}");
        if (batch > 1) AnsiConsole.WriteLine("The tables show the first sequence; --json has the mean, min and max over all of them.");
        var first = results[0];
        foreach (var layer in first.Layers)
        {
            AnsiConsole.WriteLine($"layer {layer.Name} ({layer.Direction}; k counts steps back in its processing order):");
            AnsiConsole.Write(ProfileTable(layer.Flow, withRho: false));
        }
        var extra = new Table().AddColumn("k");
        if (first.Log10InputSpectralNorm is not null) extra.AddColumn("log10 ‖∂y_T/∂x_{T−k}‖₂");
        if (first.Log10InputSpectralNormForwardOutput is not null) extra.AddColumns("log10 ‖∂h^fwd_T/∂x_{T−k}‖₂", "log10 ‖∂h^rev_T/∂x_{T−k}‖₂");
        if (first.DepthTime is not null) foreach (var d in first.DepthTime) extra.AddColumn($"log10 ‖∂h^top_T/∂h^(l{d.Layer})_{{T−k}}‖₂");
        foreach (int k in SampleDistances(steps))
        {
            var row = new List<string> { $"{k}" };
            if (first.Log10InputSpectralNorm is double[] inp) row.Add(F(inp[k]));
            if (first.Log10InputSpectralNormForwardOutput is double[] fwd) row.AddRange([F(fwd[k]), F(first.Log10InputSpectralNormReverseOutput![k])]);
            if (first.DepthTime is not null) row.AddRange(first.DepthTime.Select(d => F(d.Log10SpectralNorm[k])));
            extra.AddRow([.. row]);
        }
        AnsiConsole.Write(extra);
        if (first.InputNote is not null) AnsiConsole.WriteLine($"input connectivity: {first.InputNote}");
        return 0;
    }

    /// <summary>The same network shape and inputs at several spectral radii of W_hh (--compare-rho).</summary>
    static int CompareSpectralRadii(ParseResult parse, NetworkOptions network, double[] rhos, double[] x, int steps, FlowOptions options, string? plotPath)
    {
        List<(double r, FlowResult)> runs;
        using (var progress = ProgressLine.For(parse))
            runs = [.. rhos.Select((r, i) => (r, FlowProfile.Compute(network.Generate(parse, r), x, steps, options with
            {
                Progress = (k, n) => progress.Report(i * n + k + 1, rhos.Length * n, () => $"flow at ρ = {Numbers.Exact(r)} ({i + 1} of {rhos.Length}): k = {k} of {n - 1}"),
            })))];
        PlotFile.Write(() => Plots.FlowAcrossSpectralRadii(runs), plotPath);
        var rows = runs.Select(r => new
        {
            rho = r.r, effective_rho = r.Item2.EffectiveRho, decay_rate = r.Item2.DecayRate, horizon = r.Item2.Horizon,
            log10_spectral_norm = r.Item2.Log10SpectralNorm,
            log10_spectral_norm_note = r.Item2.Log10SpectralNormNote,
            log10_rho_power = RhoPowers.Log10(r.r, steps),
        }).ToList();
        if (parse.GetValue<bool>("--json"))
        {
            JsonEnvelope.Write(parse, new { runs = rows },
                new Dictionary<string, object?> { ["cell"] = network.CellName(parse), ["seq"] = steps, ["compare_rho"] = rhos }, "batch_first", "h0", "c0", "rho");
            return 0;
        }
        var table = new Table().AddColumns("ρ(W_hh)", "effective ρ = exp(λ₁)", "log10 ‖·‖₂ at k = T−1", "lesson: (T−1)·log10 ρ", "horizon");
        foreach (var r in rows)
            table.AddRow(Numbers.Exact(r.rho), $"{r.effective_rho:F4}", F(r.log10_spectral_norm[^1], "F2"), $"{r.log10_rho_power[^1]:F2}", $"{r.horizon}");
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
