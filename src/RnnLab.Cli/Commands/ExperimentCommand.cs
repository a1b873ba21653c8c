using System.CommandLine;
using RnnLab.Lesson;
using RnnLab.Training;
using Spectre.Console;

namespace RnnLab.Cli.Commands;

/// <summary>`rnnlab experiment NAME`: one named experiment grid (or a shard of it), its results file and report.</summary>
public static class ExperimentCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = $"Experiment: {string.Join(", ", ExperimentCatalog.Names)}." };
        var preset = PresetOption();
        var outDir = new Option<string?>("--out") { Description = "Folder for results.json and report.html (default: NAME-PRESET)." };
        var shard = ShardOption();
        var shards = ShardsOption();
        var threads = ThreadsOption();
        var layers = new Option<int>("--layers")
        {
            Description = "Stacked recurrent layers in every grid point's network (PyTorch's num_layers; default 1). An experiment " +
                "whose grid has a point that cannot take them refuses, naming it (remedies' Ω acts on one layer).",
            DefaultValueFactory = _ => 1,
        };
        var bidirectional = new Option<bool>("--bidirectional")
        {
            Description = $"Add a reverse direction to every layer of every grid point (PyTorch's bidirectional). Only " +
                $"{string.Join(", ", ExperimentCatalog.TakingBidirectional)} take{(ExperimentCatalog.TakingBidirectional.Count == 1 ? "s" : "")} it, reading out at every step; " +
                "the others refuse it: a readout of the last step reads output[T−1], where the reverse direction has seen only x_T, " +
                "and a next-token prediction would read the token it predicts.",
        };
        var json = CommonOptions.Json();
        var quiet = CommonOptions.Quiet();
        var command = new Command("experiment", "Run a named experiment grid (or shard i/n of it) and write its results and report.")
        {
            name, preset, outDir, shard, shards, threads, layers, bidirectional, json, quiet,
        };
        command.SetAction(parse =>
        {
            var experiment = ExperimentCatalog.Get(parse.GetValue(name)!);
            var p = Presets.Parse(parse.GetValue(preset)!);
            var s = Scheduler.ParseShard(parse.GetValue(shard)!, parse.GetValue(shards));
            int n = CommonOptions.RequirePositive(parse.GetValue(threads), "--threads");
            var shape = new GridShape(CommonOptions.RequirePositive(parse.GetValue(layers), "--layers"), parse.GetValue(bidirectional));
            experiment.Grid(p, shape);                                      // refuses a shape the grid cannot take, before any work
            string folder = parse.GetValue(outDir) ?? $"{experiment.Name}-{p.Name()}{shape.Suffix}";
            OutputPaths.PrepareFolder(folder, "--out");
            ExperimentFolder.CheckOwner(folder, experiment.Name, p, shape);
            bool asJson = parse.GetValue(json);
            ExperimentResults results;
            try
            {
                results = RunWithProgress(experiment, p, s, n, shape, folder, ProgressLine.For(parse));
            }
            catch (SweepInterruptedException e)
            {
                throw new WorkInterruptedException($"{e.Finished} of {e.Total} points of shard {s} saved in {Path.Combine(folder, FinishedPoints.Folder)}");
            }
            ExperimentFolder.Write(folder, results);
            Report(parse, asJson, folder, results, new Dictionary<string, object?> { ["preset"] = p.Name(), ["out"] = folder, ["threads"] = n });
            return 0;
        });
        return command;
    }

    public static Option<string> PresetOption() => new("--preset")
    {
        Description = "test (seconds), quick (the lesson in minutes) or full (the README's numbers).",
        DefaultValueFactory = _ => "quick",
    };

    public static Option<string> ShardOption() => new("--shard")
    {
        Description = "Run only grid points with index ≡ i (mod n), e.g. 3/8; auto: this task's shard of a Slurm array " +
            "or a Kubernetes indexed Job (with --shards). Combine the shards with `rnnlab merge`.",
        DefaultValueFactory = _ => "0/1",
    };

    public static Option<int?> ShardsOption() => new("--shards")
    {
        Description = "With --shard auto: the number of shards, the task's own index (JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID) " +
            "being its shard. Needed in Kubernetes, which does not export the count.",
    };

    public static Option<int> ThreadsOption() => new("--threads")
    {
        Description = "Grid points trained at once, each on one thread (default: the cores this process may use and its scheduler granted; results do not depend on it).",
        DefaultValueFactory = _ => Scheduler.GrantedCpus(),
    };

    static ExperimentResults RunWithProgress(Experiment experiment, Preset preset, Shard shard, int threads, GridShape shape, string folder, ProgressLine progress)
    {
        using (progress)
            return experiment.Run(preset, shard, threads, pr => progress.Report(pr.Done, pr.Total,
                () => $"{experiment.Name} ({preset.Name()}, shard {shard}): {pr.Last.Series} x={Numbers.Exact(pr.Last.X)} seed {pr.Last.Config.Seed}: " +
                    $"test loss {Numbers.G(pr.Last.TestLoss, 3)} in {pr.Last.Seconds:F1} s"), Cli.Interrupted, folder, shape);
    }

    /// <summary>The results as JSON (numbers and findings when the grid is whole), or a findings table; <paramref name="used"/> as <see cref="JsonEnvelope.Write"/> takes it.</summary>
    public static void Report(ParseResult parse, bool asJson, string folder, ExperimentResults results, IReadOnlyDictionary<string, object?> used)
    {
        var experiment = ExperimentCatalog.Get(results.Experiment);
        bool whole = Shard.Parse(results.Shard).IsWhole;
        var section = whole ? experiment.Report(results.Points) : null;
        if (asJson)
        {
            JsonEnvelope.Write(parse, new
            {
                results.Experiment, results.Preset, results.Shard, results.GridSize, Points = results.Points.Length, results.ResumedPoints,
                results.Seconds, results.Threads, results.Layers, results.Bidirectional,
                Folder = folder, Results = Path.Combine(folder, Sweep.ResultsFileName(Shard.Parse(results.Shard))),
                Report = whole ? Path.Combine(folder, ExperimentFolder.ReportFile) : null,
                section?.Numbers, Findings = section?.Findings.Select(f => new { f.Claim, Verdict = f.Verdict.ToString().ToLowerInvariant(), f.Evidence }),
            }, used);
            return;
        }
        if (section is not null)
        {
            var table = new Table().AddColumns("verdict", "claim and measurement");
            foreach (var f in section.Findings) table.AddRow(f.Verdict.ToString(), Markup.Escape($"{f.Claim}\n{f.Evidence}"));
            AnsiConsole.Write(table);
        }
        string resumed = results.ResumedPoints > 0 ? $" ({results.ResumedPoints} read back from the interrupted run)" : "";
        AnsiConsole.MarkupLine(Markup.Escape($"{results.Points.Length} of {results.GridSize} points{resumed} in {results.Seconds:F1} s → {folder}"));
    }
}
