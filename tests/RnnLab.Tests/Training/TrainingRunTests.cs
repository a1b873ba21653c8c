using System.Text.Json;
using System.Text.Json.Nodes;
using RnnLab.Lesson;
using RnnLab.Training;
using RnnLab.Numerics;

namespace RnnLab.Tests.Training;

/// <summary>
/// The run folder's promises: a stopped and resumed run ends bit-identical to one that never stopped; divergence is
/// reported at the step the loss or gradient first stops being finite, and the report is still written; every file is
/// whole (no temp files left behind); a bad configuration fails with one line before anything is written.
/// </summary>
public sealed class TrainingRunTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), $"rnnlab-run-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    static TrainingConfig Small(string cell = "lstm") => new()
    {
        Task = "adding", Cell = cell, Seq = 12, Hidden = 8, Batch = 4, Steps = 40, Lr = 0.01,
        LogEvery = 5, EvalEvery = 10, EvalBatch = 16, CheckpointEvery = 15, Seed = 3,
    };

    /// <summary>metrics.jsonl lines without the wall-clock field, which is the one thing allowed to differ.</summary>
    static string[] MetricsWithoutTiming(string dir) => File.ReadAllLines(Path.Combine(dir, TrainingRun.MetricsFile))
        .Where(l => l.Length > 0)
        .Select(l =>
        {
            var node = JsonNode.Parse(l)!.AsObject();
            Assert.True(node.Remove("steps_per_s"), "metrics line lacks steps_per_s");
            return node.ToJsonString();
        }).ToArray();

    [Theory]
    [InlineData("lstm", 20)]
    [InlineData("gru", 25)]
    public void StoppedAndResumedRunEndsBitIdenticalToAnUninterruptedOne(string cell, int stopAt)
    {
        var config = Small(cell);
        string whole = Path.Combine(root, "whole"), split = Path.Combine(root, "split");
        TrainingRun.Run(config, whole);

        using var cancel = new CancellationTokenSource();
        var first = TrainingRun.Run(config, split, onLog: r => { if (r.Step == stopAt) cancel.Cancel(); }, cancel: cancel.Token);
        Assert.True(first.Stopped);
        Assert.Equal(stopAt, first.Steps);
        var second = TrainingRun.Run(config with { Seed = 999 }, split, resume: true); // resume uses the folder's own config
        Assert.False(second.Stopped);
        Assert.Equal(config.Steps, second.Steps);
        Assert.Equal(config, second.Config);

        byte[] a = File.ReadAllBytes(Path.Combine(whole, TrainingRun.CheckpointFile));
        byte[] b = File.ReadAllBytes(Path.Combine(split, TrainingRun.CheckpointFile));
        Assert.True(a.AsSpan().SequenceEqual(b), "final checkpoints differ between the uninterrupted and the resumed run");
        Assert.Equal(MetricsWithoutTiming(whole), MetricsWithoutTiming(split));
    }

    [Fact]
    public void ResumeWithoutARunFolderIsAOneLineError()
    {
        var e = Assert.ThrowsAny<Exception>(() => TrainingRun.Run(Small(), Path.Combine(root, "nothing"), resume: true));
        Assert.True(e is InvalidInputException, e.GetType().Name);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>
    /// Spectral radius 3, plain SGD at a large step, no clipping: the tanh RNN's gradient norm grows each step until
    /// the loss or the gradient overflows (Pascanu et al. 2013). With the global norm clipped to 1 the same run stays finite.
    /// </summary>
    static TrainingConfig Exploding(double? clip) => new()
    {
        Task = "adding", Cell = "rnn", Seq = 50, Hidden = 64, Batch = 32, Steps = 60, Lr = 0.1, Optimizer = "sgd", Momentum = 0,
        Rho = 3, ClipNorm = clip, LogEvery = 1, EvalEvery = 1000, EvalBatch = 64, CheckpointEvery = 1000, Seed = 0,
    };

    [Fact]
    public void DivergenceIsReportedAtTheFirstNonFiniteStepAndTheReportIsStillWritten()
    {
        string dir = Path.Combine(root, "diverge");
        var records = new List<StepRecord>();
        var summary = TrainingRun.Run(Exploding(clip: null), dir, onLog: records.Add, writeReport: RunReport.Write);

        Assert.NotNull(summary.DivergedAt);
        int at = summary.DivergedAt!.Value;
        Assert.True(at < 60, $"diverged at {at}");
        Assert.Equal(at, summary.Steps);
        Assert.False(summary.Stopped);
        // every step is logged (LogEvery 1): all before `at` finite, the one at `at` not
        Assert.Equal(Enumerable.Range(1, at), records.Select(r => r.Step));
        foreach (var r in records.Take(at - 1))
            Assert.True(double.IsFinite(r.Loss) && double.IsFinite(r.GradNorm) && !r.Diverged, $"step {r.Step} already non-finite");
        var last = records[^1];
        Assert.True(last.Diverged);
        Assert.False(double.IsFinite(last.Loss) && double.IsFinite(last.GradNorm));
        // the gradient grew by orders of magnitude on the way: the explosion, not a one-off
        Assert.True(records[at - 2].GradNorm > 100 * records[0].GradNorm || records[0].GradNorm > 1e4,
            $"|g| went {records[0].GradNorm:G3} → {records[at - 2].GradNorm:G3}");

        foreach (string f in new[] { TrainingRun.ConfigFile, TrainingRun.MetricsFile, TrainingRun.SummaryFile, TrainingRun.ReportFile, TrainingRun.CheckpointFile })
            Assert.True(File.Exists(Path.Combine(dir, f)), $"{f} missing after divergence");
        using var saved = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, TrainingRun.SummaryFile)));
        Assert.Equal(at, saved.RootElement.GetProperty("diverged_at").GetInt32());
        Assert.Contains($"diverged", File.ReadAllText(Path.Combine(dir, TrainingRun.ReportFile)));
    }

    [Fact]
    public void ClippingTheNormToOneKeepsTheSameRunFinite()
    {
        var records = new List<StepRecord>();
        var summary = TrainingRun.Run(Exploding(clip: 1.0), onLog: records.Add);
        Assert.Null(summary.DivergedAt);
        Assert.Equal(60, summary.Steps);
        Assert.All(records, r => Assert.True(double.IsFinite(r.Loss) && double.IsFinite(r.GradNorm), $"step {r.Step}"));
        Assert.True(double.IsFinite(summary.TestLoss));
        // the pre-clip norm is still huge: clipping bounds the update, not the measured gradient
        Assert.True(records.Max(r => r.GradNorm) > 10);
    }

    [Fact]
    public void RunFolderHoldsExactlyItsFilesAndNoTemporaries()
    {
        string dir = Path.Combine(root, "files");
        TrainingRun.Run(Small() with { Steps = 10 }, dir, writeReport: RunReport.Write);
        var names = Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        string[] expected = [TrainingRun.CheckpointFile, ModelExport.ModelFile, TrainingRun.ConfigFile, TrainingRun.MetricsFile, TrainingRun.ReportFile, TrainingRun.SummaryFile];
        Assert.Equal(expected.Order(StringComparer.Ordinal), names);
        JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, TrainingRun.SummaryFile))).Dispose();
        JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, TrainingRun.ConfigFile))).Dispose();
        Assert.EndsWith("</html>", File.ReadAllText(Path.Combine(dir, TrainingRun.ReportFile)).TrimEnd());
    }

    [Fact]
    public void AtomicWriteThatFailsLeavesTheOldFileAndNoTemporary()
    {
        Directory.CreateDirectory(root);
        string path = Path.Combine(root, "summary.json");
        File.WriteAllText(path, "old");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("half a fi"u8);
            throw new IOException("disk full");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["summary.json"], Directory.GetFiles(root).Select(Path.GetFileName));
    }

    public static TheoryData<string, string> BadConfigs => new()
    {
        { "seq", "Seq" }, { "lr", "Lr" }, { "cell", "unknown cell" }, { "task", "unknown task" },
        { "clip", "ClipNorm" }, { "attractors", "Attractors" }, { "optimizer", "unknown optimizer" }, { "rho", "Rho" },
        { "layers", "Layers" }, { "dropout", "Dropout" }, { "dropout-one-layer", "2 layers or more" }, { "proj-gru", "ProjSize applies to lstm" },
        { "proj-big", "smaller than the hidden size" }, { "proj-orthogonal", "pytorch or xavier" }, { "truncation-bidirectional", "has no chunked form" },
        { "lm-bidirectional", "the reverse direction has already read" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void BadConfigIsOneLineInvalidInputExceptionAndWritesNothing(string what, string mentioned)
    {
        var c = Small();
        c = what switch
        {
            "seq" => c with { Seq = 0 }, "lr" => c with { Lr = -1 }, "cell" => c with { Cell = "transformer" },
            "task" => c with { Task = "parity" }, "clip" => c with { ClipNorm = 0 }, "attractors" => c with { Attractors = 2 },
            "optimizer" => c with { Optimizer = "lbfgs" }, "rho" => c with { Rho = double.NaN },
            "layers" => c with { Layers = 0 }, "dropout" => c with { Layers = 2, Dropout = 1 }, "dropout-one-layer" => c with { Dropout = 0.2 },
            "proj-gru" => c with { Cell = "gru", ProjSize = 2 }, "proj-big" => c with { ProjSize = c.Hidden },
            "proj-orthogonal" => c with { ProjSize = 2, Init = "orthogonal" }, "truncation-bidirectional" => c with { Bidirectional = true, Truncation = 4 },
            "lm-bidirectional" => c with { Task = "agreement-lm", Bidirectional = true },
            _ => c,
        };
        string dir = Path.Combine(root, what);
        var e = Assert.ThrowsAny<InvalidInputException>(() => TrainingRun.Run(c, dir));
        Assert.Contains(mentioned, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(Directory.Exists(dir), "a bad configuration created the run folder");
    }
}
