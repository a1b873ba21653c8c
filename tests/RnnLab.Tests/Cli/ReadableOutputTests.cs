using System.Text.RegularExpressions;
using System.Xml.Linq;
using RnnLab.Cli;

namespace RnnLab.Tests.Cli;

/// <summary>What the verbs print and draw for people: plots, progress, tables and numbers.</summary>
public class ReadableOutputTests
{
    [Fact]
    public void Plotting_prints_nothing_and_the_svg_circle_is_dashed()
    {
        // In a process of its own: Skia's native code writes its complaints straight to the stderr file descriptor.
        string dir = Directory.CreateTempSubdirectory("rnnlab-plot").FullName;
        try
        {
            var (code, output, err) = CliProcess.Run(dir, "spectrum", "--hidden", "6", "--plot", "eigen.svg", "--json");
            Assert.True(code == 0, err);
            Assert.Equal("", err);
            Assert.StartsWith("{", output.TrimStart(), StringComparison.Ordinal);
            var circles = XDocument.Load(Path.Combine(dir, "eigen.svg")).Descendants().Where(e => e.Name.LocalName == "ellipse" && e.Attribute("stroke") is not null).ToList();
            Assert.Equal(2, circles.Count);
            Assert.All(circles, c => Assert.NotNull(c.Attribute("stroke-dasharray")));
            (code, _, err) = CliProcess.Run(dir, "depth", "--width", "8", "--depths", "5,10", "--plot", "depth.png", "--json");
            Assert.True(code == 0, err);
            Assert.Equal("", err);
        }
        finally { Directory.Delete(dir, true); }
    }

    static readonly string[] SmallTrain = ["train", "--task", "adding", "--seq", "8", "--hidden", "6", "--batch", "4", "--steps", "60", "--log-every", "5", "--threads", "1"];

    [Fact]
    public void Progress_on_a_non_terminal_stderr_is_plain_lines_and_quiet_silences_it()
    {
        string dir = Directory.CreateTempSubdirectory("rnnlab-progress").FullName;
        try
        {
            var every = new Dictionary<string, string?> { [ProgressLine.PlainIntervalVariable] = "0" };
            var (code, output, err) = CliProcess.Run(dir, every, SmallTrain);
            Assert.True(code == 0, err);
            string[] lines = err.TrimEnd().Split('\n');
            Assert.True(lines.Length >= 5, $"{lines.Length} progress lines: {err}");
            Assert.All(lines, l => Assert.Matches(@"^progress \d+% \(\d+ of 60\) after \d\d:\d\d(, about \d\d:\d\d left)?: rnn step \d+: loss ", l));
            Assert.DoesNotContain('\r', err);
            Assert.DoesNotContain('\u001b', err);
            Assert.DoesNotContain("progress", output);   // standard output keeps the results only

            (code, output, err) = CliProcess.Run(dir, every, [.. SmallTrain, "--quiet"]);
            Assert.True(code == 0, err);
            Assert.Equal("", err);
            Assert.Contains("test loss", output);

            // an error still prints with --quiet
            (code, _, err) = CliProcess.Run(dir, every, [.. SmallTrain, "--quiet", "--lr", "-1"]);
            Assert.Equal(2, code);
            Assert.StartsWith("rnnlab: --lr", err);
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>
    /// flow --model counts the steps of all its sweeps, which run side by side: every layer and direction's (T − 1
    /// each), and the stack's (T − 1 from each layer below the top) or, for a bidirectional stack, the pull-back
    /// through it (T per layer and direction). The count ends at its total; --quiet silences it; what goes to stdout
    /// does not change.
    /// </summary>
    [Theory]
    [InlineData("modules/net_lstm2", 2 * 11 + 11)]         // 2 layers, 1 direction
    [InlineData("modules/dp_bigru", 2 * 11 + 11)]          // 1 layer, 2 directions
    [InlineData("modules/lstm2_bi_proj", 4 * 11 + 4 * 12)] // 2 layers, 2 directions
    [InlineData("stack_lstm_l3", 3 * 11 + 2 * 11)]         // 3 layers: the stack's sweeps from layers 0 and 1
    public void Flow_of_a_module_shows_one_progress_count_over_its_sweeps(string fixture, int total)
    {
        string dir = Directory.CreateTempSubdirectory("rnnlab-progress").FullName;
        try
        {
            var every = new Dictionary<string, string?> { [ProgressLine.PlainIntervalVariable] = "0" };
            string[] args = ["flow", "--model", Fixtures.Fixture.Path(fixture + ".safetensors"), "--seq", "12"];
            var (code, table, err) = CliProcess.Run(dir, every, args);
            Assert.True(code == 0, err);
            string[] lines = err.TrimEnd().Split('\n');
            Assert.True(lines.Length >= 2, $"{lines.Length} progress lines: {err}");
            Assert.All(lines, l => Assert.Matches($@"^progress \d+% \(\d+ of {total}\) after \d\d:\d\d(, about \d\d:\d\d left)?: flow of module ", l));
            Assert.StartsWith($"progress 100% ({total} of {total})", lines[^1]);
            Assert.DoesNotContain('\r', err);
            Assert.DoesNotContain('\u001b', err);
            var (quietCode, quietTable, quietErr) = CliProcess.Run(dir, every, [.. args, "--quiet"]);
            Assert.Equal((0, ""), (quietCode, quietErr));
            Assert.Equal(quietTable, table);

            (code, string json, err) = CliProcess.Run(dir, every, [.. args, "--json"]);
            Assert.True(code == 0, err);
            Assert.Contains($"({total} of {total})", err);
            (quietCode, string quietJson, quietErr) = CliProcess.Run(dir, every, [.. args, "--json", "--quiet"]);
            Assert.Equal((0, ""), (quietCode, quietErr));
            Assert.Equal(WithoutSeconds(quietJson), WithoutSeconds(json));
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>A --json answer without the keys that time the work.</summary>
    static string WithoutSeconds(string json) => Regex.Replace(json, "\"[a-z_]*seconds\": [^,\n]*", "");

    [Fact]
    public void Plain_progress_lines_come_at_most_once_per_interval()
    {
        var log = new StringWriter();
        using (var progress = new ProgressLine(log, quiet: false, plainInterval: TimeSpan.FromSeconds(30)))
            for (int i = 0; i < 10_000; i++) progress.Report(i, 10_000, () => throw new InvalidOperationException("formatted a line that is not written"));
        Assert.Equal("", log.ToString());
        var quiet = new StringWriter();
        using (var progress = new ProgressLine(quiet, quiet: true, plainInterval: TimeSpan.Zero))
            progress.Report(1, 2, "half");
        Assert.Equal("", quiet.ToString());
    }

    [Fact]
    public void The_terminal_progress_line_fits_the_width()
    {
        string text = string.Concat(Enumerable.Repeat("lstm step 120: loss 0.0123, ", 20));
        foreach (int columns in new[] { 40, 80, 132 })
        {
            string line = ProgressLine.TerminalLine(120, 1000, text, TimeSpan.FromSeconds(75), columns);
            Assert.Equal(columns - 1, line.Length);
            Assert.StartsWith("██░░░░░░░░░░░░░░░░░░  12% 01:15 lstm", line);
            Assert.EndsWith("…", line);
        }
        Assert.Equal("████████████████████ 100% 00:02 done", ProgressLine.TerminalLine(5, 5, "done", TimeSpan.FromSeconds(2), 80));
    }

    [Theory]
    [InlineData("train")]
    [InlineData("experiment")]
    [InlineData("lesson")]
    [InlineData("flow")]
    [InlineData("spectrum")]
    [InlineData("bench")]
    public void Quiet_is_documented_in_help(string verb)
    {
        var (code, output, _) = CliErrorTests.Run(verb, "--help");
        Assert.Equal(0, code);
        Assert.Contains("--quiet", output);
        Assert.Contains("Print no progress on stderr", output);
    }

    static (int Code, string Out, string Err) WithColumns(int columns, params string[] args) =>
        CliProcess.Run(Path.GetTempPath(), new Dictionary<string, string?> { ["COLUMNS"] = columns.ToString(System.Globalization.CultureInfo.InvariantCulture) }, args);

    [Fact]
    public void Piped_tables_follow_COLUMNS()
    {
        foreach (int columns in new[] { 60, 100, 200 })
        {
            var (code, output, err) = WithColumns(columns, "table", "--rho", "0.5,0.9", "--seq", "10,1000");
            Assert.True(code == 0, err);
            int widest = output.Split('\n').Max(l => l.TrimEnd('\r').Length);
            Assert.True(widest <= columns, $"COLUMNS={columns}: a line of {widest} characters");
            if (columns > 80) Assert.True(widest > 80, $"COLUMNS={columns}: the lesson's check table still cut to {widest} columns");
        }
        var (_, narrow, _) = WithColumns(60, "spectrum", "--hidden", "6");
        var (_, wide, _) = WithColumns(200, "spectrum", "--hidden", "6");
        Assert.True(narrow.Split('\n').Length > wide.Split('\n').Length, "spectrum's headers wrap at 60 columns and not at 200");
        Assert.All(narrow.Split('\n'), l => Assert.True(l.Length <= 60, l));
    }

    [Fact]
    public void Tables_write_tiny_numbers_as_2_55e_minus_10()
    {
        var (code, output, err) = WithColumns(200, "table", "--rho", "0.5", "--seq", "10,1000");
        Assert.True(code == 0, err);
        Assert.Contains("1.87e-301", output);   // 0.5^999
        Assert.Contains("2.55e-10", output);    // the lesson's 0.8^99, in its check table
        Assert.DoesNotMatch(new Regex(@"\dE[-+]"), output);
    }
}
