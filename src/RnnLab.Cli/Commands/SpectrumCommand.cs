using System.CommandLine;
using RnnLab.Analysis;
using RnnLab.Numerics;
using RnnLab.Lesson;
using RnnLab.Models;
using Spectre.Console;

namespace RnnLab.Cli.Commands;

/// <summary>`rnnlab spectrum`: eigenvalues, spectral radius and singular values of W_hh; the lesson's 2×2 refresher.</summary>
public static class SpectrumCommand
{
    /// <summary>The powers k whose rows --refresher prints.</summary>
    public static readonly int[] RefresherPowers = [0, 1, 2, 5, 10, 20];

    /// <summary>From this H on, each decomposition takes a noticeable time (0.1 s by LAPACK, seconds managed): the verb says on stderr what it is doing.</summary>
    public const int PhaseLinesFromHidden = 500;

    public static Command Create()
    {
        var network = new NetworkOptions();
        var refresher = new Option<bool>("--refresher") { Description = "The lesson's refresher instead: A with eigenvalues 0.7 and 1.2 and its eigen-directions in A^k." };
        var plot = PlotFile.Option();
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads("Threads for the power iteration's matrix–vector products (default: the cores this process may use; results do not depend on it). " +
            "LAPACK's decompositions use OpenBLAS's own threads (OPENBLAS_NUM_THREADS).");
        var quiet = CommonOptions.Quiet($"Progress is a timed line as each decomposition starts, from --hidden {PhaseLinesFromHidden} on.");
        var command = new Command("spectrum", "Eigenvalues (complex), spectral radius and singular values of W_hh, per gate block.")
        {
            refresher, plot, json, threads, quiet,
        };
        network.AddTo(command);
        command.SetAction(parse =>
        {
            string? plotPath = parse.GetValue(plot);
            if (parse.GetValue(refresher))
            {
                foreach (Option o in new Option[] { network.Cell, network.Hidden, network.Input, network.Init, network.Rho, network.Model, network.Seed, threads })
                    if (CommonOptions.Given(parse, o)) throw new UsageException($"--refresher shows the lesson's fixed 2×2 matrix: leave out {o.Name}");
                PlotFile.CheckPath(plotPath);
                var rows = RefresherExample.Rows(RefresherPowers);
                var eig = Spectra.Eigenvalues(RefresherExample.Matrix(), 2);
                PlotFile.Write(() => Plots.Eigenvalues(eig, "Refresher: eigenvalues of A"), plotPath);
                if (parse.GetValue(json))
                {
                    JsonEnvelope.Write(parse, new { matrix = RefresherExample.Matrix(), solver = Spectra.SolverName(Spectra.Solver), eigenvalues = eig, rows }, null, "cell", "hidden", "input", "init", "rho", "model", "module", "seed");
                    return 0;
                }
                var t = new Table().AddColumns("k", "along the 0.7-eigenvector (0.7^k)", "along the 1.2-eigenvector (1.2^k)", "‖A^k‖₂");
                foreach (var r in rows) t.AddRow($"{r.K}", $"{Numbers.G(r.CoefficientSmall, 4)}", $"{Numbers.G(r.CoefficientLarge, 4)}", $"{Numbers.G(r.SpectralNorm, 4)}");
                AnsiConsole.WriteLine("A = [[0.7, 0.5], [0, 1.2]], x₀ = v₁ + v₂; A^k x₀ split along the eigenvectors:");
                AnsiConsole.Write(t);
                return 0;
            }
            using var kernelThreads = Parallelism.Use(CommonOptions.RequirePositive(parse.GetValue(threads), "--threads"));
            if (network.Plan(parse) is var (_, blockCount, hidden, input))
            {
                double h = hidden;
                // per gate block, one after another: the solver's copies and workspace
                MemoryPlan.Check(parse, [.. NetworkOptions.Weights(blockCount, hidden, input),
                    new MemoryPlan.Need("the eigen and singular value decompositions", $"--hidden {hidden}", Spectra.WorkingElements(Spectra.Solver, h)),
                    new MemoryPlan.Need("the power iteration's matrix power", $"--hidden {hidden}", Spectra.PowerIterationElements(h))]);
            }
            PlotFile.CheckPath(plotPath);
            // The generated layer, or every layer and direction of --model's module (blocks named "l1_reverse.f").
            var cells = new List<(string Prefix, CellWeights Cell)>();
            Dictionary<string, object?> used = new() { ["cell"] = network.CellName(parse) };
            string[] notApplicable = [];
            if (network.ModelPath(parse) is not null)
            {
                if (CommonOptions.Given(parse, network.Seed))
                    throw new UsageException("--seed draws a generated network's weights; --model gives them: leave out --seed");
                var loaded = network.LoadModule(parse);
                used = NetworkOptions.Describe(loaded);
                notApplicable = [.. NetworkOptions.GeneratorOnlyKeys, "seed"];
                var w = loaded.Weights;
                if (w.Module.ProjSize > 0)
                    throw new UsageException($"module {w.Module.DisplayName} has proj_size {w.Module.ProjSize}: its W_hh gate blocks are [{w.HiddenSize}, {w.OutputSize}], not square, so they have no eigenvalues");
                for (int l = 0; l < w.Layers; l++)
                    for (int d = 0; d < w.Directions; d++)
                        cells.Add((w.Cells.Count == 1 ? "" : RecurrentModule.LayerName(l, d) + ".", w.Cell(l, d)));
            }
            else cells.Add(("", CellWeights.From(network.Generate(parse))));
            var kind = cells[0].Cell.Kind;
            string cell = CellKinds.Name(kind, cells[0].Cell.Nonlinearity), label = CellKinds.Label(kind, cells[0].Cell.Nonlinearity);
            int H = cells[0].Cell.HiddenSize;
            // its progress is a timed line per phase (a profile of the decompositions), silenced by --quiet like any other
            var phases = parse.GetValue(quiet) ? null : PhaseLines.For(parse.InvocationConfiguration.Error, H);
            GateBlockSpectrum[] blocks = [.. cells.SelectMany(c => GateSpectra.Analyze(kind, c.Cell.WeightHH, H, phases is null ? null : p => phases.Start(c.Prefix + p))
                .Select(b => b with { Gate = c.Prefix + b.Gate }))];
            phases?.Done();
            System.Numerics.Complex[] all = [.. blocks.SelectMany(b => b.Eigenvalues)];
            PlotFile.Write(() => Plots.Eigenvalues(all, kind.Gates() == 1 ? $"Eigenvalues of W_hh, {label}" : $"Eigenvalues of the {label}'s W_hh gate blocks"), plotPath);
            if (parse.GetValue(json)) { JsonEnvelope.Write(parse, new { cell, hidden = H, solver = Spectra.SolverName(Spectra.Solver), blocks }, used, notApplicable); return 0; }
            var table = new Table().AddColumns("block", "spectral radius (eigen solver)", "spectral radius (power iteration)", "largest singular value", "smallest singular value");
            foreach (var b in blocks)
                table.AddRow(b.Gate, $"{b.SpectralRadius:F6}", b.PowerIterationRadius is { } r ? $"{r:F6}" : "did not settle", $"{b.SpectralNorm:F6}", $"{b.SingularValues[^1]:F6}");
            string unsettled = blocks.FirstOrDefault(b => b.PowerIterationRadiusNote is not null)?.PowerIterationRadiusNote is { } note ? $"; {note}" : "";
            table.Caption($"{label}, H = {H}: eigen and singular values by {Spectra.SolverName(Spectra.Solver)}{unsettled}");
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// For H ≥ <see cref="PhaseLinesFromHidden"/>, a line on stderr as each phase starts, with the seconds since the
    /// first ("rnnlab: spectrum: f: singular values… (2.1 s)"), and one when all are done.
    /// </summary>
    sealed class PhaseLines(TextWriter stderr)
    {
        readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();

        public static PhaseLines? For(TextWriter stderr, int hidden) => hidden >= PhaseLinesFromHidden ? new PhaseLines(stderr) : null;

        string Seconds => Numbers.G(clock.Elapsed.TotalSeconds, 3) + " s";
        public void Start(string phase) => stderr.WriteLine($"rnnlab: spectrum: {phase}… ({Seconds})");
        public void Done() => stderr.WriteLine($"rnnlab: spectrum: done in {Seconds} ({Spectra.SolverName(Spectra.Solver)})");
    }
}
