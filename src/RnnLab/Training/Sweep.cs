using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using RnnLab.Numerics;

namespace RnnLab.Training;

/// <summary>How much an experiment measures: <c>test</c> (seconds, for tests and page checks), <c>quick</c> (the
/// lesson in under three minutes on two cores), <c>full</c> (more steps, lengths and seeds, for the numbers the
/// README quotes).</summary>
public enum Preset { Test, Quick, Full }

public static class Presets
{
    public static IReadOnlyList<string> Names { get; } = ["test", "quick", "full"];

    public static Preset Parse(string text) => text switch
    {
        "test" => Preset.Test,
        "quick" => Preset.Quick,
        "full" => Preset.Full,
        _ => throw new InvalidInputException($"unknown preset '{text}': choose {string.Join(", ", Names)}"),
    };

    public static string Name(this Preset p) => p.ToString().ToLowerInvariant();
}

/// <summary>
/// Shard <c>i</c> of <c>n</c> of an experiment grid: it owns the points whose index ≡ i (mod n). The assignment
/// depends on nothing but the index, and each point carries its own seed, so a point gives the same numbers whichever
/// shard (or thread) runs it, and the shards of a Slurm array or an indexed Kubernetes Job can be merged.
/// </summary>
public readonly record struct Shard(int Index, int Count)
{
    public static Shard Whole => new(0, 1);
    public bool IsWhole => Count == 1;
    public bool Owns(int pointIndex) => pointIndex % Count == Index;
    public override string ToString() => $"{Index}/{Count}";

    /// <summary>Parses "i/n" with 0 ≤ i &lt; n.</summary>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            throw new InvalidParameterException(nameof(Shard), "must look like i/n (e.g. 3/8)", text);
        if (n < 1 || i >= n) throw new InvalidParameterException(nameof(Shard), "must be i/n with 0 <= i < n", text);
        return new Shard(i, n);
    }
}

/// <summary>
/// One training run of a grid: a curve (<see cref="Series"/>), a position on its x axis, and the full config (seed
/// included). <see cref="KeepFlow"/> keeps the per-step gradient-flow probe (large: one row of T values per logged
/// step); <see cref="Cost"/> is the point's relative cost, so a sweep starts the long ones first.
/// </summary>
public sealed record GridPoint(int Index, string Series, double X, TrainingConfig Config)
{
    public bool KeepFlow { get; init; }
    /// <summary>Whether to measure the trained network's top Lyapunov exponent (<see cref="TrainedFlow"/>) after the last step.</summary>
    public bool MeasureLyapunov { get; init; }
    public double Cost { get; init; } = DefaultCost(Config);

    /// <summary>Steps × sequence length × cell width.</summary>
    public static double DefaultCost(TrainingConfig c)
    {
        double gates = c.Cell switch { "lstm" => 4, "gru" => 3, _ => 1 };
        int T = TaskCatalog.Create(c).Steps;
        return (double)c.Steps * T * (1 + gates * c.Hidden / 16.0);
    }
}

/// <summary>A logged training step of a grid point, kept for curves in the report.</summary>
public sealed record TracePoint(int Step, double Loss, double GradNorm, double? TestLoss = null, double? TestMetric = null);

/// <summary>What one grid point measured. Everything but <see cref="Seconds"/> is a deterministic function of the config.</summary>
public sealed record PointResult
{
    public int Index { get; init; }
    public string Series { get; init; } = "";
    public double X { get; init; }
    public required TrainingConfig Config { get; init; }
    public int Steps { get; init; }
    public double TestLoss { get; init; }
    public double TestMetric { get; init; }
    public double ChanceLoss { get; init; }
    public double ChanceMetric { get; init; }
    public int? DivergedAt { get; init; }
    public double Seconds { get; init; }
    public TracePoint[] Trace { get; init; } = [];
    /// <summary>Distances k of the flow probe columns, when the experiment keeps the probe.</summary>
    public int[]? FlowDistances { get; init; }
    /// <summary>‖∂L/∂h_{T−k}‖ per logged step (rows, same order as <see cref="Trace"/>) and distance (columns).</summary>
    public double[][]? Flow { get; init; }
    /// <summary>Top Lyapunov exponent λ₁ of the trained network, when the experiment measures it; null after divergence.</summary>
    public double? TopLyapunov { get; init; }
}

/// <summary>The results file of an experiment, or of one shard of it.</summary>
public sealed record ExperimentResults
{
    public required string Experiment { get; init; }
    public required string Preset { get; init; }
    /// <summary>"i/n"; "0/1" for a whole grid.</summary>
    public required string Shard { get; init; }
    public int GridSize { get; init; }
    public PointResult[] Points { get; init; } = [];
    public double Seconds { get; init; }
    public int Threads { get; init; }
    /// <summary>Stacked layers of every point's network (<see cref="GridShape"/>); 1 in files written before stacks.</summary>
    public int Layers { get; init; } = 1;
    /// <summary>Whether every point's network has a reverse direction beside each layer.</summary>
    public bool Bidirectional { get; init; }
    /// <summary>The shape the grid ran with.</summary>
    [JsonIgnore] public GridShape Shape => new(Layers, Bidirectional);
    /// <summary>
    /// How many of the points were read back from an interrupted earlier run of the same command instead of trained.
    /// Not written: the results are the same either way.
    /// </summary>
    [JsonIgnore] public int ResumedPoints { get; init; }
}

/// <summary>The points a sweep finished (in the order of its work) and how many of them it read back from its journal.</summary>
public readonly record struct SweepOutcome(PointResult[] Points, int ResumedPoints);

/// <summary>
/// A sweep stopped by its cancellation token (SIGINT, SIGTERM) before every point was done. The finished points are
/// in the journal (<see cref="FinishedPoints"/>) when the sweep kept one.
/// </summary>
public sealed class SweepInterruptedException(int finished, int total, CancellationToken token)
    : OperationCanceledException($"{finished} of {total} grid points finished", token)
{
    public int Finished { get; } = finished;
    public int Total { get; } = total;
}

/// <summary>Progress of a sweep: points done of points owned, and the point just finished.</summary>
public readonly record struct SweepProgress(int Done, int Total, PointResult Last);

/// <summary>
/// Runs the grid points of an experiment that a shard owns, on a few threads, and reads, writes and merges results
/// files. It knows an experiment by its name and grid only; what the results mean is the caller's. Results never depend on the thread count: each point builds its own trainer from its own config, and the
/// kernels inside one point stay single-threaded.
/// </summary>
public static class Sweep
{
    public const string ResultsFile = "results.json";

    /// <summary>results.json for a whole grid, results.shard-i-of-n.json for a shard, so shards can share one folder.</summary>
    public static string ResultsFileName(Shard shard) => shard.IsWhole ? ResultsFile : $"results.shard-{shard.Index}-of-{shard.Count}.json";

    /// <summary>
    /// Runs the points of <paramref name="grid"/> that <paramref name="shard"/> owns. With <paramref name="outDir"/> each
    /// finished point is journaled there as it completes, and points an interrupted earlier run finished are read back.
    /// <paramref name="shape"/> is what the results record of the grid's network (the grid is already in that shape).
    /// </summary>
    public static ExperimentResults Run(string experiment, IReadOnlyList<GridPoint> grid, Preset preset, Shard shard, int threads = 1,
        Action<SweepProgress>? progress = null, CancellationToken cancel = default, string? outDir = null, GridShape? shape = null)
    {
        shape ??= GridShape.One;
        if (threads < 1) throw new InvalidParameterException("Threads", "must be a positive integer", threads);
        var mine = grid.Where(p => shard.Owns(p.Index)).ToArray();
        var journal = outDir is null ? null : mine.Select(p => FinishedPoints.FileOf(outDir, experiment, preset, p.Index)).ToArray();
        var clock = Stopwatch.StartNew();
        var outcome = RunMany(mine, threads, progress, cancel, journal);
        return new ExperimentResults
        {
            Experiment = experiment, Preset = preset.Name(), Shard = shard.ToString(), GridSize = grid.Count,
            Points = [.. outcome.Points.OrderBy(r => r.Index)], Seconds = clock.Elapsed.TotalSeconds, Threads = threads,
            Layers = shape.Layers, Bidirectional = shape.Bidirectional, ResumedPoints = outcome.ResumedPoints,
        };
    }

    /// <summary>
    /// Runs grid points (of one or several experiments) on up to <paramref name="threads"/> threads, each thread taking
    /// the next point from a shared counter, the costliest first so the last to start are short. Results come back in
    /// the order of <paramref name="work"/>. With a <paramref name="journal"/> (a file for each point of the work) a
    /// point already saved there is read back instead of trained, and each point trained is saved there as it finishes.
    /// Cancelled, the points in progress are dropped and <see cref="SweepInterruptedException"/> says how many were done.
    /// </summary>
    public static SweepOutcome RunMany(IReadOnlyList<GridPoint> work, int threads,
        Action<SweepProgress>? progress = null, CancellationToken cancel = default, IReadOnlyList<string>? journal = null)
    {
        if (journal is not null && journal.Count != work.Count)
            throw new InvalidInputException($"the journal names {journal.Count} files for {work.Count} points");
        var results = new PointResult?[work.Count];
        int resumed = 0;
        for (int i = 0; journal is not null && i < work.Count; i++)
            if ((results[i] = FinishedPoints.Load(journal[i], work[i])) is not null) resumed++;
        int[] order = [.. Enumerable.Range(0, work.Count).Where(i => results[i] is null).OrderByDescending(i => work[i].Cost).ThenBy(i => i)];
        int next = -1, done = resumed;
        Exception? failure = null;
        var gate = new object();
        void Work()
        {
            while (true)
            {
                int k = Interlocked.Increment(ref next);
                if (k >= order.Length || cancel.IsCancellationRequested || Volatile.Read(ref failure) is not null) return;
                int i = order[k];
                try
                {
                    var r = RunPoint(work[i], cancel);
                    if (journal is not null) FinishedPoints.Save(journal[i], r);
                    results[i] = r;
                    lock (gate) { done++; progress?.Invoke(new SweepProgress(done, work.Count, r)); }
                }
                catch (OperationCanceledException) { return; }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                    return;
                }
            }
        }
        int n = Math.Min(threads, Math.Max(1, order.Length));
        // Parallel over points, not inside them: a point's kernels stay on its own thread (--threads counts points).
        using var serialKernels = Parallelism.Use(1);
        var workers = Enumerable.Range(1, n - 1).Select(_ => new Thread(Work) { IsBackground = true, Name = "RnnLab sweep" }).ToArray();
        foreach (var w in workers) w.Start();
        Work();
        foreach (var w in workers) w.Join();
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        // A signal that arrives after the last point finished stops nothing: the work is complete.
        int finished = results.Count(r => r is not null);
        if (finished < work.Count) throw new SweepInterruptedException(finished, work.Count, cancel);
        return new SweepOutcome([.. results.Select(r => r!)], resumed);
    }

    /// <summary>Trains one grid point from its config and keeps its curves.</summary>
    public static PointResult RunPoint(GridPoint point, CancellationToken cancel = default)
    {
        var trace = new List<TracePoint>();
        var flow = point.KeepFlow ? new List<double[]>() : null;
        double? lyapunov = null;
        var summary = TrainingRun.Run(point.Config, onLog: r =>
        {
            trace.Add(new TracePoint(r.Step, r.Loss, r.GradNorm, r.TestLoss, r.TestMetric));
            flow?.Add(r.Flow);
        }, cancel: cancel, onFinished: t => { if (point.MeasureLyapunov && t.CompletedSteps == point.Config.Steps) lyapunov = TrainedFlow.TopLyapunov(t); });
        cancel.ThrowIfCancellationRequested();
        return new PointResult
        {
            Index = point.Index, Series = point.Series, X = point.X, Config = point.Config,
            Steps = summary.Steps, TestLoss = summary.TestLoss, TestMetric = summary.TestMetric,
            ChanceLoss = summary.ChanceLoss, ChanceMetric = summary.ChanceMetric, DivergedAt = summary.DivergedAt,
            Seconds = summary.Seconds, Trace = [.. trace],
            FlowDistances = point.KeepFlow ? summary.FlowDistances : null, Flow = flow?.ToArray(), TopLyapunov = lyapunov,
        };
    }

    /// <summary>results.json (or a shard's file) in the <see cref="Envelope"/>; its parameters name the grid and how it was run.</summary>
    public static void WriteResults(string path, ExperimentResults results) =>
        Envelope.WriteFile(path, new { results.Experiment, results.Preset, results.Shard, results.Layers, results.Bidirectional, results.Threads }, results, indented: false);

    /// <summary>
    /// The results file at <paramref name="path"/>, refused in one line when it does not parse or holds a null where
    /// a value belongs (a file edited by hand, or damaged on its way from another machine).
    /// </summary>
    public static ExperimentResults ReadResults(string path)
    {
        ExperimentResults results;
        try
        {
            results = JsonSerializer.Deserialize<ExperimentResults>(File.ReadAllText(path), ResultsJson)
                ?? throw new InvalidDataException($"{path}: empty results file");
        }
        catch (JsonException e)
        {
            // where, not .NET's wording, which names the library's types
            throw new InvalidDataException($"{path}: not a results file ({e.Path ?? "$"} at line {(e.LineNumber ?? 0) + 1} cannot be read)");
        }
        // Nullable annotations reach properties only, not the elements of arrays.
        for (int i = 0; i < results.Points.Length; i++)
        {
            if (results.Points[i] is not PointResult point) throw new InvalidDataException($"{path}: not a results file (point {i} is null)");
            if (Array.IndexOf(point.Trace, null) >= 0) throw new InvalidDataException($"{path}: not a results file (point {i} has a null step in its trace)");
        }
        return results;
    }

    /// <summary>The library's JSON settings, refusing a null where the type has no null (<c>"points": null</c>).</summary>
    static readonly JsonSerializerOptions ResultsJson = new(TrainingRun.Json) { RespectNullableAnnotations = true };

    /// <summary>
    /// The shard results files (<c>results.shard-I-of-N.json</c>) directly inside the given folders, or the files
    /// themselves. A folder's <c>results.json</c> is a whole grid (what merge writes), never one of its parts.
    /// </summary>
    public static string[] FindResultsFiles(IEnumerable<string> paths)
    {
        var files = new List<string>();
        var given = new HashSet<string>(StringComparer.Ordinal);
        foreach (string p in paths)
        {
            if (!given.Add(Path.GetFullPath(p).TrimEnd('/'))) throw new InvalidInputException($"{p} is given twice");
            if (File.Exists(p)) { files.Add(p); continue; }
            if (!Directory.Exists(p)) throw new DirectoryNotFoundException($"{p}: no such folder or file");
            var found = Directory.GetFiles(p, "results.shard-*-of-*.json").Order(StringComparer.Ordinal).ToArray();
            if (found.Length == 0) throw new FileNotFoundException($"{p}: no shard results (results.shard-*-of-*.json) in this folder");
            files.AddRange(found);
        }
        return [.. files];
    }

    /// <summary>
    /// Checks the files given to merge as a set of shards before their points are looked at: every one a shard (not a
    /// whole grid such as merge's own output), all of one experiment, preset and shard count, none twice, none missing.
    /// The error names the files or shards concerned, in one line.
    /// </summary>
    public static void CheckShards(IReadOnlyList<(string File, ExperimentResults Results)> parts)
    {
        if (parts.Count == 0) throw new InvalidInputException("nothing to merge: give folders holding results.shard-*-of-*.json");
        var (firstFile, first) = parts[0];
        int count = Shard.Parse(first.Shard).Count;
        foreach (var (file, r) in parts)
        {
            var shard = Shard.Parse(r.Shard);
            if (shard.IsWhole) throw new InvalidInputException($"{file} holds a whole grid, not a shard: merge combines results.shard-I-of-N.json files");
            if (r.Experiment != first.Experiment || r.Preset != first.Preset || r.GridSize != first.GridSize || r.Shape != first.Shape)
                throw new InvalidInputException($"{file} is {Describe(r)} ({r.GridSize} points) but {firstFile} is {Describe(first)} ({first.GridSize} points)");
            if (shard.Count != count)
                throw new InvalidInputException($"{file} is shard {shard} but {firstFile} is shard {first.Shard}: shards of different counts do not merge");
        }
        var twice = parts.GroupBy(p => p.Results.Shard).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new InvalidInputException($"shard {twice.Key} appears twice: {string.Join(" and ", twice.Select(p => p.File))}");
        var missing = Enumerable.Range(0, count).Where(i => parts.All(p => Shard.Parse(p.Results.Shard).Index != i)).Select(i => $"{i}/{count}").ToArray();
        if (missing.Length > 0)
            throw new InvalidInputException($"{first.Experiment} --preset {first.Preset}: missing shard{(missing.Length > 1 ? "s" : "")} {string.Join(", ", missing)} " +
                $"(found {string.Join(", ", parts.Select(p => p.Results.Shard).Order(StringComparer.Ordinal))}); is a task not finished?");
    }

    /// <summary>
    /// Combines shard results into the whole grid. All files must name the same experiment and preset; together they
    /// must cover every point of the grid; a point present twice must agree (apart from wall time); each point's
    /// config must be the one the current grid defines (so shards from an older grid are not mixed in silently).
    /// </summary>
    public static ExperimentResults Merge(IReadOnlyList<ExperimentResults> parts, Func<string, Preset, GridShape, IReadOnlyList<GridPoint>> gridOf)
    {
        if (parts.Count == 0) throw new InvalidInputException("nothing to merge: give folders holding results*.json");
        var first = parts[0];
        foreach (var p in parts)
            if (p.Experiment != first.Experiment || p.Preset != first.Preset || p.GridSize != first.GridSize || p.Shape != first.Shape)
                throw new InvalidInputException($"cannot merge {Describe(p)} ({p.GridSize} points) with {Describe(first)} ({first.GridSize} points)");
        var grid = gridOf(first.Experiment, Presets.Parse(first.Preset), first.Shape);
        if (grid.Count != first.GridSize)
            throw new InvalidInputException($"{first.Experiment}/{first.Preset}: results have {first.GridSize} points, this version's grid has {grid.Count}");
        var byIndex = new PointResult?[grid.Count];
        foreach (var point in parts.SelectMany(p => p.Points))
        {
            if (point.Index < 0 || point.Index >= grid.Count) throw new InvalidInputException($"point {point.Index} is outside the grid of {grid.Count}");
            if (point.Config != grid[point.Index].Config)
                throw new InvalidInputException($"point {point.Index} ({point.Series}, x = {Numbers.Exact(point.X)}) was run with another config than this version's grid");
            if (byIndex[point.Index] is PointResult seen)
            {
                if (!SameMeasurement(seen, point))
                    throw new InvalidInputException($"point {point.Index} ({point.Series}, x = {Numbers.Exact(point.X)}) appears twice with different results");
                continue;
            }
            byIndex[point.Index] = point;
        }
        var missing = Enumerable.Range(0, grid.Count).Where(i => byIndex[i] is null).ToArray();
        if (missing.Length > 0)
            throw new InvalidInputException($"{first.Experiment}: {missing.Length} of {grid.Count} points missing (first: {missing[0]}); is a shard not finished?");
        return new ExperimentResults
        {
            Experiment = first.Experiment, Preset = first.Preset, Shard = Shard.Whole.ToString(), GridSize = grid.Count,
            Points = [.. byIndex.Select(p => p!)], Seconds = parts.Sum(p => p.Seconds), Threads = parts.Max(p => p.Threads),
            Layers = first.Layers, Bidirectional = first.Bidirectional,
        };
    }

    /// <summary>The experiment command that made these results: "copy --preset test", "copy --preset test --layers 2 --bidirectional".</summary>
    public static string Describe(ExperimentResults r) =>
        $"{r.Experiment} --preset {r.Preset}{(r.Layers > 1 ? $" --layers {r.Layers}" : "")}{(r.Bidirectional ? " --bidirectional" : "")}";

    /// <summary>Equal as measurements: the same JSON once wall time is set aside.</summary>
    public static bool SameMeasurement(PointResult a, PointResult b) =>
        JsonSerializer.Serialize(a with { Seconds = 0 }, TrainingRun.Json) == JsonSerializer.Serialize(b with { Seconds = 0 }, TrainingRun.Json);
}
