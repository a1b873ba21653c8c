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
        Assert.Contains("no results", err);
    }
}
