using System.Text.Json;
using RnnLab.Lesson;
using RnnLab.Training;

namespace RnnLab.Tests.Cli;

/// <summary>
/// SIGINT and SIGTERM, sent for real to an rnnlab process: `train` stops at its next step with its checkpoint, and
/// `experiment` and `lesson` after every finished grid point is saved; each says what it saved and how to go on and
/// exits 130 or 143. Continued, each ends with exactly the results of a run that was never interrupted.
/// </summary>
public sealed class InterruptTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("rnnlab-interrupt-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    public static TheoryData<int, int, string> Signals => new()
    {
        { PosixSignals.SIGINT, 130, "SIGINT" },
        { PosixSignals.SIGTERM, 143, "SIGTERM" },
    };

    (int Code, string Out, string Err) Interrupt(int signal, Func<bool> ready, params string[] args) => CliProcess.Interrupt(root, signal, ready, args);

    static void AssertOneLine(string err, string expected)
    {
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith(expected, err);
        Assert.DoesNotContain("   at ", err);
    }

    int SavedPoints(string dir) =>
        Directory.Exists(Path.Combine(dir, FinishedPoints.Folder)) ? Directory.GetFiles(Path.Combine(dir, FinishedPoints.Folder), "*.json").Length : 0;

    /// <summary>
    /// Interrupts a sweep of <paramref name="total"/> points run on one thread once it has saved one, with at least half
    /// of them unsaved when the signal comes: then the sweep must stop. (One point may be in flight past its last look at
    /// the token, and the handler runs on a thread of its own, so a few of the cheapest points, run last, may finish
    /// before the token fires; half of them is far more work than that.) A signal that comes later (this test scheduled
    /// late on a loaded machine) may rightly stop nothing, the sweep being complete, and says nothing about
    /// interruption: that try is discarded, its folder removed, and the command run again (at most 5 times).
    /// </summary>
    (int Code, int Saved, string Err) InterruptWithHalfLeft(int signal, string dir, int total, string[] command)
    {
        for (int attempt = 1; attempt <= 5; attempt++)
        {
            int savedAtSignal = total;
            var (code, _, err) = CliProcess.Interrupt(root, signal, () => SavedPoints(dir) > 0, () => savedAtSignal = SavedPoints(dir), command);
            if (savedAtSignal <= total / 2) return (code, SavedPoints(dir), err);
            Directory.Delete(dir, recursive: true);
        }
        Assert.Fail($"in 5 tries the signal never came with half of the {total} points left: the machine is too loaded for this test");
        return default;
    }

    /// <summary>The same command run again finishes, reports the saved points as resumed, and clears its journal.</summary>
    void AssertRerunResumes(string[] command, string dir, int saved, string journalLeft)
    {
        var again = CliProcess.Run(root, command);
        Assert.True(again.Code == 0, again.Err);
        using var doc = JsonDocument.Parse(again.Out);
        Assert.Equal(saved, doc.RootElement.GetProperty("resumed_points").GetInt32());
        Assert.False(Directory.Exists(Path.Combine(dir, FinishedPoints.Folder)), journalLeft);
    }

    [Theory]
    [MemberData(nameof(Signals))]
    public void TrainStopsWithItsCheckpointAndResumesToTheUninterruptedWeights(int signal, int exitCode, string name)
    {
        string dir = Path.Combine(root, "run");
        var (code, output, err) = Interrupt(signal, () => File.Exists(Path.Combine(dir, TrainingRun.MetricsFile)) && new FileInfo(Path.Combine(dir, TrainingRun.MetricsFile)).Length > 0,
            "train", "--task", "adding", "--cell", "lstm", "--seq", "12", "--hidden", "8", "--batch", "4", "--steps", "20000", "--log-every", "5",
            "--eval-every", "5000", "--seed", "3", "--out", "run", "--json", "--quiet");
        Assert.Equal(exitCode, code);
        using (var stopped = JsonDocument.Parse(output))
        {
            Assert.True(stopped.RootElement.GetProperty("stopped").GetBoolean());
            int step = stopped.RootElement.GetProperty("steps").GetInt32();
            Assert.InRange(step, 1, 19_999);
            AssertOneLine(err, $"rnnlab: interrupted by {name}: stopped at step {step} of 20000, checkpoint in run/{TrainingRun.CheckpointFile}; " +
                "continue with: rnnlab train --out run --resume");
        }

        var resumed = CliProcess.Run(root, "train", "--out", "run", "--resume", "--json");
        Assert.True(resumed.Code == 0, resumed.Err);
        var config = JsonSerializer.Deserialize<TrainingConfig>(File.ReadAllText(Path.Combine(dir, TrainingRun.ConfigFile)), TrainingRun.Json)!;
        string whole = Path.Combine(root, "whole");
        TrainingRun.Run(config, whole);
        Assert.True(File.ReadAllBytes(Path.Combine(whole, TrainingRun.CheckpointFile)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(dir, TrainingRun.CheckpointFile))),
            "the resumed run's final checkpoint differs from the uninterrupted run's");
    }

    [Theory]
    [MemberData(nameof(Signals))]
    public void ExperimentKeepsFinishedPointsAndResumesThem(int signal, int exitCode, string name)
    {
        // exploding --preset quick: six points of a few tenths of a second each
        string dir = Path.Combine(root, "exploding");
        string[] command = ["experiment", "exploding", "--preset", "quick", "--threads", "1", "--out", "exploding", "--json", "--quiet"];
        int total = ExperimentCatalog.Get("exploding").Grid(Preset.Quick).Count;
        var (code, saved, err) = InterruptWithHalfLeft(signal, dir, total, command);
        Assert.Equal(exitCode, code);
        Assert.InRange(saved, 1, total - 1);
        AssertOneLine(err, $"rnnlab: interrupted by {name}: {saved} of {total} points of shard 0/1 saved in exploding/{FinishedPoints.Folder}; " +
            $"continue with: rnnlab {string.Join(' ', command)}");
        Assert.False(File.Exists(Path.Combine(dir, Sweep.ResultsFile)), "an interrupted sweep wrote a results file");

        AssertRerunResumes(command, dir, saved, "the journal outlived the results file");
        var whole = ExperimentCatalog.Get("exploding").Run(Preset.Quick, Shard.Whole, threads: 2);
        var resumed = Sweep.ReadResults(Path.Combine(dir, Sweep.ResultsFile));
        Assert.Equal(whole.Points.Length, resumed.Points.Length);
        for (int i = 0; i < whole.Points.Length; i++)
            Assert.True(Sweep.SameMeasurement(whole.Points[i], resumed.Points[i]), $"point {i} differs from the uninterrupted run");
    }

    [Theory]
    [MemberData(nameof(Signals))]
    public void LessonKeepsFinishedRunsAndResumesThem(int signal, int exitCode, string name)
    {
        string dir = Path.Combine(root, "lesson");
        string[] command = ["lesson", "--preset", "test", "--threads", "1", "--out", "lesson", "--json", "--quiet"];
        int total = ExperimentCatalog.All.Sum(e => e.Grid(Preset.Test).Count);
        var (code, saved, err) = InterruptWithHalfLeft(signal, dir, total, command);
        Assert.Equal(exitCode, code);
        Assert.InRange(saved, 1, total - 1);
        Assert.StartsWith($"rnnlab: interrupted by {name}: {saved} of ", err);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.False(File.Exists(Path.Combine(dir, LessonReport.IndexFile)), "an interrupted lesson wrote its page");

        AssertRerunResumes(command, dir, saved, "the journal outlived the lesson's results");

        var whole = LessonReport.Run(Path.Combine(root, "whole"), Preset.Test, threads: 2);
        var resumed = JsonSerializer.Deserialize<LessonResults>(File.ReadAllText(Path.Combine(dir, LessonReport.ResultsFile)), TrainingRun.Json)!;
        Assert.Equal(JsonSerializer.Serialize(whole.Numbers, TrainingRun.Json), JsonSerializer.Serialize(resumed.Numbers, TrainingRun.Json));
        Assert.Equal(JsonSerializer.Serialize(whole.Findings, TrainingRun.Json), JsonSerializer.Serialize(resumed.Findings, TrainingRun.Json));
        foreach (var (a, b) in whole.Experiments.Zip(resumed.Experiments))
        {
            Assert.Equal(a.Points.Length, b.Points.Length);
            for (int i = 0; i < a.Points.Length; i++)
                Assert.True(Sweep.SameMeasurement(a.Points[i], b.Points[i]), $"{a.Experiment} point {i} differs from the uninterrupted lesson");
        }
    }
}
