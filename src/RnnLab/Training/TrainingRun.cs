using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Training;

/// <summary>What a finished (or stopped, or diverged) run reports.</summary>
public sealed record TrainingSummary
{
    public required TrainingConfig Config { get; init; }
    public int Steps { get; init; }
    public double Loss { get; init; }
    public double Metric { get; init; }
    public double TestLoss { get; init; }
    public double TestMetric { get; init; }
    public double ChanceLoss { get; init; }
    public double ChanceMetric { get; init; }
    public string MetricName { get; init; } = "";
    /// <summary>The step at which the loss or the gradient became NaN or infinite; null if it never did.</summary>
    public int? DivergedAt { get; init; }
    /// <summary>True when the run was stopped before its last step (it can be resumed).</summary>
    public bool Stopped { get; init; }
    public double Seconds { get; init; }
    public int[] FlowDistances { get; init; } = [];
    public string? OutDir { get; init; }
}

/// <summary>
/// A training run with its run folder: <c>config.json</c>, <c>metrics.jsonl</c> (one line per logged step),
/// <c>checkpoint.safetensors</c>, <c>summary.json</c> and, when the caller gives a report writer, <c>report.html</c>
/// (the engine draws no plots; the lesson project's RunReport does). Whole files are written atomically
/// (temp file, then rename); metrics are appended a line at a time, so a stopped run keeps what it logged.
/// </summary>
public static class TrainingRun
{
    public const string ConfigFile = "config.json", MetricsFile = "metrics.jsonl", CheckpointFile = "checkpoint.safetensors",
        SummaryFile = "summary.json", ReportFile = "report.html";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new NonFiniteAsNull(), new Numerics.ComplexJsonConverter() },   // NaN and ±∞ are null: plain JSON for every reader; complex numbers [re, im]
    };

    /// <summary><see cref="Json"/> laid out for people: config.json, summary.json and the command line's --json.</summary>
    public static readonly JsonSerializerOptions JsonIndented = new(Json) { WriteIndented = true };

    /// <summary>model.safetensors beside the checkpoint: the recurrent module alone (none for an expRNN with modReLU, which no torch.nn module computes).</summary>
    static void SaveModel(string outDir, TrainingConfig config)
    {
        if (CellKinds.TryParse(config.Cell, out _, out var nl) && nl == Nonlinearity.ModRelu) return;
        ModelExport.FromCheckpoint(Path.Combine(outDir, CheckpointFile), config.Cell, Path.Combine(outDir, ModelExport.ModelFile));
    }

    /// <summary>
    /// Trains <paramref name="config"/> to its last step, or until it diverges or <paramref name="cancel"/> fires.
    /// With <paramref name="outDir"/> the run folder is written; with <paramref name="resume"/> the folder's own
    /// config and checkpoint are loaded and the run continues where it stopped, ending bit-identical to a run that
    /// never stopped. <paramref name="onLog"/> sees every logged step (for a progress display);
    /// <paramref name="writeReport"/> (path, summary, logged steps) writes the folder's report.html at the end.
    /// </summary>
    public static TrainingSummary Run(TrainingConfig config, string? outDir = null, bool resume = false,
        Action<StepRecord>? onLog = null, CancellationToken cancel = default,
        Action<string, TrainingSummary, IReadOnlyList<StepRecord>>? writeReport = null, Action<Trainer>? onFinished = null)
    {
        if (resume)
        {
            if (outDir is null) throw new ArgumentException("--resume needs the run folder given by --out");
            string saved = Path.Combine(outDir, ConfigFile);
            if (!File.Exists(saved)) throw new FileNotFoundException($"{outDir}: no {ConfigFile} to resume from");
            config = JsonSerializer.Deserialize<TrainingConfig>(File.ReadAllText(saved), Json)
                ?? throw new InvalidDataException($"{saved}: empty configuration");
        }
        var trainer = new Trainer(config);
        var logged = new List<StepRecord>();
        if (outDir is not null)
        {
            if (!resume && File.Exists(Path.Combine(outDir, ConfigFile)))
                throw new ArgumentException($"{outDir} already holds a run: use --resume to continue it, or another --out");
            Directory.CreateDirectory(outDir);
            string checkpoint = Path.Combine(outDir, CheckpointFile);
            if (resume && File.Exists(checkpoint)) trainer.LoadCheckpoint(checkpoint);
            logged = KeepMetricsUpTo(Path.Combine(outDir, MetricsFile), trainer.CompletedSteps);
            WriteJson(Path.Combine(outDir, ConfigFile), config);
        }

        var clock = Stopwatch.StartNew();
        using var metrics = outDir is null ? null : new StreamWriter(Path.Combine(outDir, MetricsFile), append: true);
        StepRecord? last = null;
        int? divergedAt = null;
        var test = new Tasks.TaskScore(double.NaN, double.NaN);
        while (trainer.CompletedSteps < config.Steps && !cancel.IsCancellationRequested)
        {
            var record = trainer.Step();
            int step = record.Step;
            bool final = step == config.Steps || record.Diverged;
            if (record.Diverged) divergedAt = step;
            else if (step % config.EvalEvery == 0 || final)
            {
                test = trainer.Evaluate();
                record = record with { TestLoss = test.Loss, TestMetric = test.Metric };
            }
            last = record;
            if (step % config.LogEvery == 0 || final || record.TestLoss is not null)
            {
                logged.Add(record);
                metrics?.WriteLine(JsonSerializer.Serialize(record, Json));
                metrics?.Flush();
                onLog?.Invoke(record);
            }
            if (record.Diverged) break;
            if (outDir is not null && step % config.CheckpointEvery == 0)
            {
                trainer.SaveCheckpoint(Path.Combine(outDir, CheckpointFile));
                SaveModel(outDir, config);
            }
        }
        // A stopped run reports the last evaluation it made: whoever stopped it (Ctrl+C, a closed browser) wants it back now.
        if (divergedAt is null && double.IsNaN(test.Loss) && trainer.CompletedSteps > 0 && !cancel.IsCancellationRequested) test = trainer.Evaluate();
        if (!cancel.IsCancellationRequested) onFinished?.Invoke(trainer);   // e.g. an analysis of the trained network

        var summary = new TrainingSummary
        {
            Config = config,
            Steps = trainer.CompletedSteps,
            Loss = last?.Loss ?? double.NaN,
            Metric = last?.Metric ?? double.NaN,
            TestLoss = test.Loss,
            TestMetric = test.Metric,
            ChanceLoss = trainer.Task.ChanceLoss,
            ChanceMetric = trainer.Task.ChanceMetric,
            MetricName = trainer.Task.MetricName,
            DivergedAt = divergedAt,
            Stopped = divergedAt is null && trainer.CompletedSteps < config.Steps,
            Seconds = clock.Elapsed.TotalSeconds,
            FlowDistances = trainer.FlowDistances,
            OutDir = outDir,
        };
        if (outDir is not null)
        {
            metrics!.Dispose();
            trainer.SaveCheckpoint(Path.Combine(outDir, CheckpointFile));
            SaveModel(outDir, config);
            WriteJson(Path.Combine(outDir, SummaryFile), summary);
            writeReport?.Invoke(Path.Combine(outDir, ReportFile), summary, logged);
        }
        return summary;
    }

    /// <summary>Reads metrics.jsonl back, dropping lines past the checkpoint so a resumed run does not log a step twice.</summary>
    static List<StepRecord> KeepMetricsUpTo(string path, int step)
    {
        var kept = new List<StepRecord>();
        if (!File.Exists(path)) return kept;
        foreach (string line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            var record = JsonSerializer.Deserialize<StepRecord>(line, Json) ?? throw new InvalidDataException($"{path}: empty line");
            if (record.Step <= step) kept.Add(record);
        }
        AtomicFile.Write(path, s =>
        {
            // leaveOpen: AtomicFile flushes the stream to disk after this returns, so the writer must not close it.
            using var w = new StreamWriter(s, leaveOpen: true);
            foreach (var r in kept) w.WriteLine(JsonSerializer.Serialize(r, Json));
        });
        return kept;
    }

    static void WriteJson<T>(string path, T value) =>
        AtomicFile.Write(path, s => JsonSerializer.Serialize(s, value, JsonIndented));
}
