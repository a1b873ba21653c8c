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

/// <summary>A run folder as a resume finds it: its config, the steps its checkpoint holds, and its last summary (if it wrote one).</summary>
public sealed record SavedRun(TrainingConfig Config, int CompletedSteps, TrainingSummary? Summary)
{
    public bool Finished => CompletedSteps >= Config.Steps;
    public int? DivergedAt => Summary?.DivergedAt;
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

    /// <summary>RnnLab's JSON conventions, the one options object behind every JSON file and the command line's --json (<see cref="JsonIndented"/> and <see cref="Envelope.Marking"/> are copies of it).</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        Encoder = JsonEncoding.Encoder,
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
    /// never stopped; <paramref name="resumeSteps"/> moves its last step (to extend a finished run). A diverged run is
    /// not resumed. <see cref="TrainingSummary.Seconds"/> counts every segment. <paramref name="onLog"/> sees every logged step (for a progress display);
    /// <paramref name="writeReport"/> (path, summary, logged steps) writes the folder's report.html at the end.
    /// </summary>
    public static TrainingSummary Run(TrainingConfig config, string? outDir = null, bool resume = false,
        Action<StepRecord>? onLog = null, CancellationToken cancel = default,
        Action<string, TrainingSummary, IReadOnlyList<StepRecord>>? writeReport = null, Action<Trainer>? onFinished = null, int? resumeSteps = null)
    {
        double earlierSeconds = 0;
        if (resume)
        {
            if (outDir is null) throw new InvalidParameterException("OutDir", "must name the run folder to resume", null);
            var saved = ReadSaved(outDir);
            if (saved.DivergedAt is int diverged) throw new InvalidInputException($"{outDir}: the run diverged at step {diverged}; it cannot continue");
            config = resumeSteps is int n ? saved.Config with { Steps = n } : saved.Config;
            if (config.Steps < saved.CompletedSteps)
                throw new InvalidParameterException(nameof(TrainingConfig.Steps), $"must be at least the {saved.CompletedSteps} steps the run has done", config.Steps);
            earlierSeconds = saved.Summary?.Seconds ?? 0;
        }
        var trainer = new Trainer(config);
        var logged = new List<StepRecord>();
        if (outDir is not null)
        {
            if (!resume && File.Exists(Path.Combine(outDir, ConfigFile)))
                throw new InvalidInputException($"{outDir} already holds a run: resume it, or choose another folder");
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
            Seconds = earlierSeconds + clock.Elapsed.TotalSeconds,
            FlowDistances = trainer.FlowDistances,
            OutDir = outDir,
        };
        if (outDir is not null)
        {
            metrics!.Dispose();
            trainer.SaveCheckpoint(Path.Combine(outDir, CheckpointFile));
            SaveModel(outDir, config);
            Envelope.WriteFile(Path.Combine(outDir, SummaryFile), config, summary, indented: true);   // parameters: the run's config
            writeReport?.Invoke(Path.Combine(outDir, ReportFile), summary, logged);
        }
        return summary;
    }

    /// <summary>
    /// Reads a run folder for resuming, refusing one that cannot be resumed: no folder, no config.json, a config that
    /// does not parse or cannot work (named by its JSON key), no checkpoint, or a checkpoint that is not one.
    /// </summary>
    public static SavedRun ReadSaved(string outDir)
    {
        if (File.Exists(outDir)) throw new InvalidInputException($"{outDir} is a file, not a run folder");
        if (!Directory.Exists(outDir)) throw new InvalidInputException($"{outDir}: no such run folder to resume");
        string configPath = Path.Combine(outDir, ConfigFile), checkpoint = Path.Combine(outDir, CheckpointFile), summaryPath = Path.Combine(outDir, SummaryFile);
        if (!File.Exists(configPath)) throw new InvalidInputException($"{outDir} holds no run to resume (no {ConfigFile})");
        var config = ReadJson<TrainingConfig>(configPath, "run configuration");
        try { config.Validate(); }
        catch (InvalidParameterException e) { throw new InvalidDataException($"{configPath}: {e.MessageFor(JsonNamingPolicy.SnakeCaseLower.ConvertName(e.Parameter))}"); }
        catch (InvalidInputException e) { throw new InvalidDataException($"{configPath}: {e.Message}"); }
        if (Directory.Exists(checkpoint)) throw new InvalidInputException($"{checkpoint} is a folder, not a checkpoint");
        if (!File.Exists(checkpoint)) throw new InvalidInputException($"{outDir} has no {CheckpointFile} to resume from");
        var file = Models.SafeTensors.Read(checkpoint);
        if (!file.Metadata.TryGetValue("step", out var stepText) || !int.TryParse(stepText, System.Globalization.CultureInfo.InvariantCulture, out int steps) || steps < 0)
            throw new InvalidDataException($"{checkpoint}: not a training checkpoint (no step count in its metadata)");
        var summary = File.Exists(summaryPath) ? ReadJson<TrainingSummary>(summaryPath, "run summary") : null;
        return new SavedRun(config, steps, summary);
    }

    /// <summary>A JSON file of the run folder; a file that does not parse as <typeparamref name="T"/> is refused naming it and its line.</summary>
    internal static T ReadJson<T>(string path, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty (null) instead of a JSON object");
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is long line ? $" at line {line + 1}" : "";
            throw new InvalidDataException($"{path}: not a valid {what}{where}");
        }
    }

    /// <summary>
    /// Reads metrics.jsonl back, dropping lines past the checkpoint so a resumed run does not log a step twice. A last
    /// line that does not parse is a write cut short by a killed process; it is dropped, as it is past the checkpoint:
    /// a step's line is flushed before its checkpoint is saved. A line before it that does not parse is refused.
    /// </summary>
    static List<StepRecord> KeepMetricsUpTo(string path, int step)
    {
        var kept = new List<StepRecord>();
        if (!File.Exists(path)) return kept;
        string[] lines = File.ReadAllLines(path);
        int last = Array.FindLastIndex(lines, l => !string.IsNullOrWhiteSpace(l));
        for (int i = 0; i <= last; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            StepRecord? record;
            try { record = JsonSerializer.Deserialize<StepRecord>(lines[i], Json); }
            catch (JsonException) when (i == last) { break; }
            catch (JsonException) { throw new InvalidDataException($"{path}: line {i + 1} is not a metrics record"); }
            if (record is null) throw new InvalidDataException($"{path}: line {i + 1} is empty (null)");
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
