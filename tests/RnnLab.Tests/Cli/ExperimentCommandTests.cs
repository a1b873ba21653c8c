using System.Text.Json;


namespace RnnLab.Tests.Cli;

/// <summary>The experiment, merge and lesson verbs: a sharded sweep and its merge through the command line, and one-line errors (exit 2) that write nothing.</summary>
public sealed class ExperimentCommandTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), $"rnnlab-cli-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = RnnLab.Cli.Cli.Run(RnnLab.Cli.Program.Commands(), args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void ShardedSweepThenMergeWritesOneReport()
    {
        string dir = Path.Combine(root, "sweep");
        for (int i = 0; i < 2; i++)
        {
            var (code, output, err) = Run("experiment", "copy", "--preset", "test", "--shard", $"{i}/2", "--out", dir, "--json", "--threads", "1");
            Assert.True(code == 0, err);
            using var doc = JsonDocument.Parse(output);
            Assert.Equal($"{i}/2", doc.RootElement.GetProperty("shard").GetString());
        }
        Assert.False(File.Exists(Path.Combine(dir, "report.html")));
        var merged = Run("merge", dir, "--json");
        Assert.True(merged.Code == 0, merged.Err);
        Assert.True(File.Exists(Path.Combine(dir, "results.json")));
        Assert.Contains("class=\"plot-img\"", File.ReadAllText(Path.Combine(dir, "report.html")));
    }

    [Fact]
    public void RemediesExperimentShardsMergeAndReportItsVerdicts()
    {
        // The README's remedies commands at the test preset: two shards, merged into one report with both verdicts.
        string dir = Path.Combine(root, "remedies");
        for (int i = 0; i < 2; i++)
        {
            var (code, _, err) = Run("experiment", "remedies", "--preset", "test", "--shard", $"{i}/2", "--out", dir, "--json", "--threads", "2");
            Assert.True(code == 0, err);
        }
        var merged = Run("merge", dir, "--json");
        Assert.True(merged.Code == 0, merged.Err);
        string report = File.ReadAllText(Path.Combine(dir, "report.html"));
        Assert.Contains("No optimizer trick", report);
        Assert.Contains("no comparably simple fix", report);
        Assert.Contains("fig-remedies-flow", report);
        var train = Run("train", "--task", "agreement", "--cell", "lstm", "--forget-bias", "chrono", "--seq", "6", "--hidden", "4", "--steps", "3", "--json");
        Assert.True(train.Code == 0, train.Err);
    }

    [Fact]
    public void StackedGridShardsMergeAndRecordTheirLayers()
    {
        // --layers 2 on every point, run as two shards and merged: the merge checks the points against the 2-layer grid.
        string dir = Path.Combine(root, "stacked");
        for (int i = 0; i < 2; i++)
        {
            var (code, output, err) = Run("experiment", "copy", "--preset", "test", "--layers", "2", "--shard", $"{i}/2", "--out", dir, "--json", "--threads", "1");
            Assert.True(code == 0, err);
            Assert.Equal(2, JsonDocument.Parse(output).RootElement.GetProperty("layers").GetInt32());
        }
        var merged = Run("merge", dir, "--json");
        Assert.True(merged.Code == 0, merged.Err);
        var results = RnnLab.Training.Sweep.ReadResults(Path.Combine(dir, "results.json"));
        Assert.Equal((2, false), (results.Layers, results.Bidirectional));
        Assert.All(results.Points, p => Assert.Equal((2, false), (p.Config.Layers, p.Config.Bidirectional)));
        Assert.Contains("H = 8, 2 layers,", File.ReadAllText(Path.Combine(dir, "report.html")));
        // The same folder does not take the one-layer grid: its results would replace the 2-layer ones.
        AssertOneLineError("holds results of copy --preset test --layers 2 (results.json): give copy --preset test another --out",
            Run("experiment", "copy", "--preset", "test", "--out", dir, "--json"));
    }

    [Fact]
    public void BidirectionalGridRunsWhereEveryStepIsReadOut()
    {
        // The README's stacked two-way copy grid, at the test preset.
        string dir = Path.Combine(root, "both");
        var (code, output, err) = Run("experiment", "copy", "--preset", "test", "--layers", "2", "--bidirectional", "--out", dir, "--json", "--threads", "2");
        Assert.True(code == 0, err);
        Assert.True(JsonDocument.Parse(output).RootElement.GetProperty("bidirectional").GetBoolean());
        var results = RnnLab.Training.Sweep.ReadResults(Path.Combine(dir, "results.json"));
        Assert.Equal((2, true), (results.Layers, results.Bidirectional));
        Assert.All(results.Points, p => Assert.Equal((2, true), (p.Config.Layers, p.Config.Bidirectional)));
        Assert.All(results.Points, p => Assert.True(double.IsFinite(p.TestLoss)));
    }

    [Theory]
    [InlineData("--bidirectional does not apply to experiment adding: adding is read out at the last step, output[T−1], where the reverse direction has read only x_T", "adding", "--bidirectional")]
    [InlineData("--bidirectional does not apply to experiment long-range: agreement is read out at the last step", "long-range", "--bidirectional")]
    [InlineData("--bidirectional does not apply to experiment remedies", "remedies", "--bidirectional")]
    [InlineData("--layers does not apply to experiment remedies: in its series 'agreement/rnn + Ω' FlowRegularizer applies to one layer in one direction", "remedies", "--layers", "2")]
    [InlineData("--layers must be a positive integer, got 0", "copy", "--layers", "0")]
    public void ShapeAGridCannotTakeIsRefusedBeforeAnyWork(string expected, string experiment, params string[] shape)
    {
        string dir = Path.Combine(root, "refused");
        AssertOneLineError(expected, Run(["experiment", experiment, "--preset", "test", .. shape, "--out", dir, "--json"]));
        Assert.False(Directory.Exists(dir), "a refused shape created its output folder");
    }

    [Fact]
    public void HelpNamesTheExperimentsThatTakeAReverseDirection()
    {
        Assert.Equal(["copy"], RnnLab.Lesson.ExperimentCatalog.TakingBidirectional);
        var (code, output, _) = Run("experiment", "--help");
        Assert.Equal(0, code);
        Assert.Contains("Only copy takes it", System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " "));
        Assert.Equal("-2layers-bidirectional", new RnnLab.Training.GridShape(2, true).Suffix);
    }

    [Theory]
    [InlineData("experiment", "nope", "--preset", "test")]
    [InlineData("experiment", "adding", "--preset", "huge")]
    [InlineData("experiment", "adding", "--preset", "test", "--shard", "2/2")]
    [InlineData("experiment", "adding", "--preset", "test", "--threads", "0")]
    [InlineData("lesson", "--preset", "huge")]
    [InlineData("merge")]
    public void BadInputIsOneLineExitTwoAndWritesNothing(params string[] args)
    {
        string dir = Path.Combine(root, "out");
        var (code, _, err) = Run([.. args, "--out", dir]);
        Assert.Equal(2, code);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("rnnlab: ", err);
        Assert.False(Directory.Exists(dir), "a rejected command created its output folder");
    }

    [Fact]
    public void MergeOfAFolderWithoutResultsIsOneLineError()
    {
        Directory.CreateDirectory(root);
        var (code, _, err) = Run("merge", root);
        Assert.Equal(2, code);
        Assert.Contains("no shard results", err);
    }

    /// <summary>Runs the given shards of copy --preset test into <paramref name="dir"/>.</summary>
    void Shards(string dir, int count, params int[] indices)
    {
        foreach (int i in indices)
        {
            var (code, _, err) = Run("experiment", "copy", "--preset", "test", "--shard", $"{i}/{count}", "--out", dir, "--json", "--threads", "1");
            Assert.True(code == 0, err);
        }
    }

    static void AssertOneLineError(string expected, (int Code, string Out, string Err) result)
    {
        Assert.Equal(2, result.Code);
        Assert.Contains(expected, result.Err);
        Assert.Single(result.Err.TrimEnd().Split('\n'));
    }

    [Fact]
    public void MergeNeverReadsItsOwnOutput()
    {
        string dir = Path.Combine(root, "twice");
        Shards(dir, 2, 0, 1);
        var first = Run("merge", dir, "--json");
        Assert.True(first.Code == 0, first.Err);
        var again = Run("merge", dir, "--json");
        Assert.True(again.Code == 0, again.Err);
        double Seconds(string json) => JsonDocument.Parse(json).RootElement.GetProperty("seconds").GetDouble();
        Assert.Equal(Seconds(first.Out), Seconds(again.Out));
        // a folder holding only merged (or whole) results has no shards to merge
        File.Delete(Path.Combine(dir, "results.shard-0-of-2.json"));
        File.Delete(Path.Combine(dir, "results.shard-1-of-2.json"));
        AssertOneLineError("no shard results", Run("merge", dir));
    }

    [Fact]
    public void MergeNamesMissingDuplicateAndMismatchedShards()
    {
        string a = Path.Combine(root, "a"), b = Path.Combine(root, "b"), c = Path.Combine(root, "c");
        Shards(a, 4, 0, 2);
        AssertOneLineError("copy --preset test: missing shards 1/4, 3/4 (found 0/4, 2/4)", Run("merge", a));
        AssertOneLineError($"{a} is given twice", Run("merge", a, a));
        Directory.CreateDirectory(b);
        File.Copy(Path.Combine(a, "results.shard-0-of-4.json"), Path.Combine(b, "results.shard-0-of-4.json"));
        AssertOneLineError($"shard 0/4 appears twice: {Path.Combine(a, "results.shard-0-of-4.json")} and {Path.Combine(b, "results.shard-0-of-4.json")}", Run("merge", a, b));
        Shards(c, 2, 1);
        AssertOneLineError("is shard 1/2 but", Run("merge", a, c));
        Assert.False(File.Exists(Path.Combine(a, "results.json")), "a refused merge wrote results");
    }

    [Fact]
    public void ExperimentRefusesAFolderHoldingAnotherExperimentsResults()
    {
        string dir = Path.Combine(root, "taken");
        Shards(dir, 2, 0);
        var before = Directory.GetFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order().ToArray();
        AssertOneLineError($"{dir} holds results of copy --preset test (results.shard-0-of-2.json): give adding --preset test another --out",
            Run("experiment", "adding", "--preset", "test", "--out", dir, "--json"));
        AssertOneLineError("holds results of copy --preset test", Run("experiment", "copy", "--preset", "quick", "--out", dir, "--json"));
        Assert.Equal(before, Directory.GetFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order().ToArray());
    }
}
