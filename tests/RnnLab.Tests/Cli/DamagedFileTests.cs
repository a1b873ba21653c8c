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
}
