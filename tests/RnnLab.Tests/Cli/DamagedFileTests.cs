using RnnLab.Tests.Analysis;

namespace RnnLab.Tests.Cli;

/// <summary>
/// Files the verbs read that were damaged on disk, cut short or edited by hand: each is the user's input, so it is
/// refused in one line with exit code 2 naming the file (never reported as a defect in RnnLab, exit 70), and
/// nothing is written.
/// </summary>
public sealed class DamagedFileTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("rnnlab-damaged-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    string[] Listing() => [.. Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order()];

    /// <summary>A byte of a tensor's name in the JSON header replaced by 0xFF, which no UTF-8 text holds.</summary>
    [Fact]
    public void A_safetensors_header_that_is_not_UTF8_is_one_line()
    {
        byte[] file = File.ReadAllBytes(ModuleFixtureTests.Path("net_lstm2"));
        int at = file.AsSpan().IndexOf("weight_hh_l0"u8);
        Assert.True(at > 8, "the fixture's header names weight_hh_l0");
        file[at] = 0xFF;
        string damaged = Path.Combine(root, "damaged.safetensors");
        File.WriteAllBytes(damaged, file);
        foreach (var args in new[] { new[] { "inspect", damaged }, ["flow", "--model", damaged, "--seq", "3"], ["spectrum", "--model", damaged] })
        {
            var before = Listing();
            var (code, _, err) = CliErrorTests.Run(args);
            BadInputTests.AssertOneLineUserError(string.Join(' ', args), code, err);
            Assert.Contains("damaged.safetensors: header is not UTF-8 text", err);
            Assert.Equal(before, Listing());
        }
    }

    /// <summary>A run folder of a few steps (train --out), for damaging one of its files.</summary>
    string Run(string name)
    {
        string dir = Path.Combine(root, name);
        var (code, _, err) = CliErrorTests.Run("train", "--task", "adding", "--seq", "6", "--hidden", "4", "--batch", "2", "--steps", "10",
            "--eval-every", "10", "--log-every", "5", "--checkpoint-every", "10", "--threads", "1", "--out", dir, "--quiet");
        Assert.True(code == 0, err);
        return dir;
    }

    [Theory]
    [InlineData("{\"task\": ")]
    [InlineData("[]")]
    [InlineData("{\"task\": \"adding\", \"cell\": null}")]
    public void Export_of_a_run_whose_config_is_damaged_is_one_line(string config)
    {
        string run = Run("run");
        File.WriteAllText(Path.Combine(run, "config.json"), config);
        var before = Listing();
        var (code, _, err) = CliErrorTests.Run("export", run, "--out", Path.Combine(root, "exported.safetensors"));
        BadInputTests.AssertOneLineUserError($"export with config.json {config}", code, err);
        Assert.Contains("config.json", err);
        Assert.Equal(before, Listing());
    }

    /// <summary>
    /// A run killed while it appended a line of metrics.jsonl (SIGKILL, a lost node) leaves that line cut short. It
    /// belongs to a step after the last checkpoint, which resuming drops anyway: the run continues.
    /// </summary>
    [Fact]
    public void Resume_drops_a_metrics_line_cut_short_by_a_killed_run()
    {
        string run = Run("run"), metrics = Path.Combine(run, "metrics.jsonl");
        File.AppendAllText(metrics, "{\"step\": 11, \"lo");
        var (code, _, err) = CliErrorTests.Run("train", "--out", run, "--resume", "--steps", "15", "--quiet");
        Assert.True(code == 0, err);
        var steps = File.ReadAllLines(metrics).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt32()).ToArray();
        Assert.Equal([5, 10, 15], steps);
    }

    /// <summary>A line damaged in the middle of metrics.jsonl is not a write cut short: resuming refuses it, naming the line, and changes nothing.</summary>
    [Fact]
    public void Resume_refuses_a_damaged_metrics_line_before_the_last()
    {
        string run = Run("run"), metrics = Path.Combine(run, "metrics.jsonl");
        var lines = File.ReadAllLines(metrics);
        File.WriteAllLines(metrics, ["{\"step\": 5, \"lo", .. lines[1..]]);
        var before = Directory.GetFiles(run).ToDictionary(f => f, File.ReadAllBytes);
        var (code, _, err) = CliErrorTests.Run("train", "--out", run, "--resume", "--steps", "15", "--quiet");
        BadInputTests.AssertOneLineUserError("resume with a damaged metrics.jsonl", code, err);
        Assert.Contains("metrics.jsonl: line 1 is not a metrics record", err);
        foreach (var (file, bytes) in before) Assert.Equal(bytes, File.ReadAllBytes(file));
    }

    /// <summary>A shard's results file edited by hand: a null where merge needs a value names the file, and merge writes nothing.</summary>
    [Theory]
    [InlineData("points", "$.points")]
    [InlineData("a point", "point 0 is null")]
    [InlineData("a trace", "$.points[0].trace")]
    [InlineData("a step of a trace", "point 0 has a null step in its trace")]
    public void Merge_refuses_a_shard_with_a_null_where_a_value_belongs(string damage, string named)
    {
        string dir = Path.Combine(root, "sweep");
        for (int i = 0; i < 2; i++)
        {
            var (code, _, err) = CliErrorTests.Run("experiment", "exploding", "--preset", "test", "--shard", $"{i}/2", "--threads", "1", "--out", dir, "--quiet");
            Assert.True(code == 0, err);
        }
        string shard = Path.Combine(dir, "results.shard-1-of-2.json");
        var results = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(shard))!;
        var point = results["points"]![0]!;
        switch (damage)
        {
            case "points": results["points"] = null; break;
            case "a point": results["points"]![0] = null; break;
            case "a trace": point["trace"] = null; break;
            case "a step of a trace": point["trace"]![0] = null; break;
        }
        File.WriteAllText(shard, results.ToJsonString());
        var before = Listing();
        var merged = CliErrorTests.Run("merge", dir);
        BadInputTests.AssertOneLineUserError($"merge with {damage} null", merged.Code, merged.Err);
        Assert.Contains($"results.shard-1-of-2.json: not a results file ({named}", merged.Err);
        Assert.Equal(before, Listing());
    }
}
