using RnnLab.Lesson;
using RnnLab.Training;

namespace RnnLab.Tests.Training;

/// <summary>
/// Sharded sweeps: a grid run as two shards and merged gives exactly the results of the grid run in one piece (and on
/// one thread or two), because each point is seeded by its own config and never by its shard or thread.
/// </summary>
public sealed class SweepTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), $"rnnlab-sweep-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    static void AssertSame(ExperimentResults a, ExperimentResults b)
    {
        Assert.Equal(a.Experiment, b.Experiment);
        Assert.Equal(a.GridSize, b.GridSize);
        Assert.Equal(a.Points.Length, b.Points.Length);
        for (int i = 0; i < a.Points.Length; i++)
            Assert.True(Sweep.SameMeasurement(a.Points[i], b.Points[i]),
                $"point {i} ({a.Points[i].Series}, x = {a.Points[i].X}): test loss {a.Points[i].TestLoss} vs {b.Points[i].TestLoss}");
    }

    [Theory]
    [InlineData("adding")]
    [InlineData("exploding")]
    public void TwoShardsMergedEqualTheWholeGrid(string name)
    {
        var experiment = ExperimentCatalog.Get(name);
        var whole = experiment.Run(Preset.Test, Shard.Whole, threads: 1);
        Assert.Equal(experiment.Grid(Preset.Test).Count, whole.Points.Length);

        string a = Path.Combine(root, "a"), b = Path.Combine(root, "b");
        var s0 = experiment.Run(Preset.Test, new Shard(0, 2), threads: 2);
        var s1 = experiment.Run(Preset.Test, new Shard(1, 2), threads: 1);
        Assert.All(s0.Points, p => Assert.Equal(0, p.Index % 2));
        Assert.All(s1.Points, p => Assert.Equal(1, p.Index % 2));
        ExperimentFolder.Write(a, s0);
        ExperimentFolder.Write(b, s1);
        Assert.True(File.Exists(Path.Combine(a, "results.shard-0-of-2.json")));
        Assert.False(File.Exists(Path.Combine(a, ExperimentFolder.ReportFile)), "a shard must not write a report of a partial grid");

        var merged = ExperimentCatalog.Merge([.. Sweep.FindResultsFiles([a, b]).Select(Sweep.ReadResults)]);
        AssertSame(whole, merged);
        ExperimentFolder.Write(a, merged);
        string html = File.ReadAllText(Path.Combine(a, ExperimentFolder.ReportFile));
        Assert.Contains("class=\"plot-img\"", html);
        // merging again with the merged file present agrees with itself
        AssertSame(whole, ExperimentCatalog.Merge([.. Sweep.FindResultsFiles([a, b]).Select(Sweep.ReadResults)]));
    }

    [Fact]
    public void MergeNamesTheMissingShard()
    {
        var experiment = ExperimentCatalog.Get("adding");
        var s0 = experiment.Run(Preset.Test, new Shard(0, 3));
        var e = Assert.Throws<InvalidInputException>(() => ExperimentCatalog.Merge([s0]));
        Assert.Contains("missing", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void MergeRefusesResultsOfDifferentExperiments()
    {
        var a = ExperimentCatalog.Get("adding").Run(Preset.Test, new Shard(0, 2));
        var b = ExperimentCatalog.Get("copy").Run(Preset.Test, new Shard(1, 2));
        Assert.Throws<InvalidInputException>(() => ExperimentCatalog.Merge([a, b]));
    }

    [Theory]
    [InlineData("3/8", 3, 8)]
    [InlineData("0/1", 0, 1)]
    public void ShardParses(string text, int i, int n) => Assert.Equal(new Shard(i, n), Shard.Parse(text));

    [Theory]
    [InlineData("8/8")]
    [InlineData("1/0")]
    [InlineData("-1/4")]
    [InlineData("2")]
    [InlineData("a/b")]
    public void BadShardIsOneLineError(string text)
    {
        var e = Assert.Throws<InvalidParameterException>(() => Shard.Parse(text));
        Assert.Equal("Shard", e.Parameter);
    }

    [Fact]
    public void EveryPointBelongsToExactlyOneShard()
    {
        foreach (var e in ExperimentCatalog.All)
            foreach (var preset in new[] { Preset.Test, Preset.Quick, Preset.Full })
            {
                var grid = e.Grid(preset);
                Assert.Equal(Enumerable.Range(0, grid.Count), grid.Select(p => p.Index));
                for (int n = 1; n <= 8; n++)
                    Assert.All(grid, p => Assert.Single(Enumerable.Range(0, n), i => new Shard(i, n).Owns(p.Index)));
                Assert.All(grid, p => p.Config.Validate());
            }
    }

    [Fact]
    public void UnknownExperimentAndPresetAreOneLineErrors()
    {
        Assert.Contains("unknown experiment", Assert.Throws<InvalidInputException>(() => ExperimentCatalog.Get("nope")).Message);
        Assert.Contains("unknown preset", Assert.Throws<InvalidInputException>(() => Presets.Parse("huge")).Message);
    }

    /// <summary>
    /// A sweep cancelled after its first point keeps that point in its journal; run again it reads it back, trains only
    /// the rest, and ends with the results of a sweep never stopped.
    /// </summary>
    [Fact]
    public void CancelledSweepResumesFromItsJournal()
    {
        var experiment = ExperimentCatalog.Get("adding");
        var whole = experiment.Run(Preset.Test, Shard.Whole);
        string dir = Path.Combine(root, "journal");
        using var cancel = new CancellationTokenSource();
        var stopped = Assert.Throws<SweepInterruptedException>(() => experiment.Run(Preset.Test, Shard.Whole, 1, _ => cancel.Cancel(), cancel.Token, dir));
        Assert.Equal(1, stopped.Finished);
        Assert.Equal(whole.Points.Length, stopped.Total);
        Assert.Single(Directory.GetFiles(Path.Combine(dir, FinishedPoints.Folder)));

        var trained = new List<int>();
        var resumed = experiment.Run(Preset.Test, Shard.Whole, 1, p => trained.Add(p.Last.Index), outDir: dir);
        Assert.Equal(1, resumed.ResumedPoints);
        Assert.Equal(whole.Points.Length - 1, trained.Count);
        AssertSame(whole, resumed);
    }

    [Fact]
    public void AJournaledPointOfAnotherConfigIsTrainedAgain()
    {
        var experiment = ExperimentCatalog.Get("adding");
        var grid = experiment.Grid(Preset.Test);
        string dir = Path.Combine(root, "stale");
        var other = Sweep.RunPoint(grid[1]) with { Index = 0 };
        FinishedPoints.Save(FinishedPoints.FileOf(dir, experiment.Name, Preset.Test, 0), other);
        Assert.Null(FinishedPoints.Load(FinishedPoints.FileOf(dir, experiment.Name, Preset.Test, 0), grid[0]));
        Assert.Equal(0, experiment.Run(Preset.Test, Shard.Whole, outDir: dir).ResumedPoints);
    }
}
