using System.Text.Json;
using RnnLab.Training;

namespace RnnLab.Tests.Deploy;

/// <summary>
/// deploy/slurm on a real single-node Slurm: the job array of an experiment (<c>--shard auto</c>) and its dependent
/// merge job give the numbers of one unsharded run; a task cancelled in the middle of a grid point (scancel sends
/// SIGTERM) keeps its finished points, and requeued it skips them and the merge is still equal.
/// </summary>
[Collection(InstalledToolCollection.Name)]
public sealed class SlurmTests(InstalledTool tool) : IDisposable
{
    // Two shards of three points each, a few tenths of a second per point (a second or two of work in all): the task to
    // cancel is frozen (SIGSTOP) the moment its first point is saved, so the cancel lands inside its second.
    const string Experiment = "exploding", Preset = "quick";
    const int Shards = 2;
    readonly SlurmCluster cluster = new();
    static readonly string Submit = Path.Combine(InstalledTool.RepoRoot, "deploy", "slurm", "submit.sh");

    public void Dispose() => cluster.Dispose();

    string PathWithTool => $"{tool.ToolPath}:{Environment.GetEnvironmentVariable("PATH")}";

    /// <summary>submit.sh with one CPU per task (both tasks at once on two cores) and the logs in <paramref name="logs"/>.</summary>
    (string Array, string Merge) SubmitArray(string outDir, string logs)
    {
        Directory.CreateDirectory(logs);
        string[] printed = cluster.Client("bash", [Submit, Experiment, outDir, $"{Shards}", Preset, "--cpus-per-task=1",
            $"--output={logs}/%x-%a.out"], logs, PathWithTool).Trim().Split(' ');
        Assert.Equal("array", printed[0]);
        return (printed[1], printed[3]);
    }

    bool Finished(string job) => cluster.Job(job).State is "COMPLETED" or "FAILED" or "CANCELLED" or "TIMEOUT";

    [Fact]
    public void ArrayAndMergeEqualOneRunAndACancelledTaskResumes()
    {
        string work = tool.NewFolder("slurm");
        var reference = tool.Run(work, ["experiment", Experiment, "--preset", Preset, "--out", "whole", "--json"]);
        Assert.True(reference.Code == 0, reference.Err);
        var whole = Sweep.ReadResults(Path.Combine(work, "whole", Sweep.ResultsFile));

        // the array and the merge job that waits for it
        string first = Path.Combine(work, "first");
        var (array, merge) = SubmitArray(first, Path.Combine(work, "logs-first"));
        SlurmCluster.WaitFor(() => Finished(merge), TimeSpan.FromMinutes(2), "the merge job");
        Assert.Equal(("COMPLETED", "0:0"), cluster.Job(merge));
        for (int i = 0; i < Shards; i++) Assert.Equal("COMPLETED", cluster.Job($"{array}_{i}").State);
        AssertSameMeasurements(whole, Sweep.ReadResults(Path.Combine(first, Sweep.ResultsFile)));

        // again, and task 1 is cancelled (scancel: SIGTERM) once it has finished a point, then requeued
        string second = Path.Combine(work, "second"), logs = Path.Combine(work, "logs-second");
        (array, merge) = SubmitArray(second, logs);
        string task = $"{array}_1";
        string journal = Path.Combine(second, FinishedPoints.Folder);
        int[] Saved() => Directory.Exists(journal)
            ? [.. Directory.GetFiles(journal, "*.json").Select(f => int.Parse(Path.GetFileNameWithoutExtension(f).Split('-')[^1])).Where(i => i % Shards == 1)]
            : [];
        int[] pids = [];
        SlurmCluster.WaitFor(() => (pids = cluster.Job(task).State == "RUNNING" ? cluster.Pids(task) : []).Length > 0 || Finished(task),
            TimeSpan.FromMinutes(2), "task 1's process");
        SlurmCluster.WaitFor(() => Saved().Length > 0 || Finished(task), TimeSpan.FromMinutes(1), "task 1's first point", poll: TimeSpan.FromMilliseconds(2));
        foreach (int pid in pids) PosixSignals.Send(pid, PosixSignals.SIGSTOP);
        Assert.Equal("RUNNING", cluster.Job(task).State);
        // scancel continues the frozen task (SIGCONT) and sends SIGTERM; rnnlab drops the point in progress and exits
        cluster.Client("scancel", [task], work);
        SlurmCluster.WaitFor(() => Finished(task), TimeSpan.FromSeconds(30), "the cancelled task");
        string log = Path.Combine(logs, "rnnlab-1.out");
        Assert.True(cluster.Job(task) == ("CANCELLED", "143:0"), $"task 1 ended {cluster.Job(task)}: {File.ReadAllText(log)}");
        int saved = Saved().Length;
        Assert.InRange(saved, 1, whole.GridSize / Shards - 1);
        Assert.Contains($"rnnlab: interrupted by SIGTERM: {saved} of {whole.GridSize / Shards} points of shard 1/{Shards} saved", File.ReadAllText(log));

        string requeued = cluster.Client("bash", [Path.Combine(InstalledTool.RepoRoot, "deploy", "slurm", "requeue.sh"), array, "1", second, merge,
            $"--output={logs}/%x-again.out"], logs, PathWithTool).Trim();
        string newMerge = requeued.Split(' ')[1];
        SlurmCluster.WaitFor(() => Finished(newMerge), TimeSpan.FromMinutes(2), "the merge after the requeue");
        Assert.Equal(("COMPLETED", "0:0"), cluster.Job(newMerge));
        Assert.Equal("COMPLETED", cluster.Job(task).State);
        // the requeued task appends its JSON to the same log (--open-mode=append), after the interrupted run's line
        string text = File.ReadAllText(log);
        using var doc = JsonDocument.Parse(text[text.IndexOf("\n{", StringComparison.Ordinal)..]);
        Assert.Equal(saved, doc.RootElement.GetProperty("resumed_points").GetInt32());
        AssertSameMeasurements(whole, Sweep.ReadResults(Path.Combine(second, Sweep.ResultsFile)));
    }

    static void AssertSameMeasurements(ExperimentResults expected, ExperimentResults actual)
    {
        Assert.Equal(expected.GridSize, actual.GridSize);
        Assert.Equal(expected.Points.Length, actual.Points.Length);
        for (int i = 0; i < expected.Points.Length; i++)
            Assert.True(Sweep.SameMeasurement(expected.Points[i], actual.Points[i]), $"point {i} differs from the unsharded run");
    }
}
