using System.Text.RegularExpressions;

namespace RnnLab.Tests.Cli;

/// <summary>
/// The two error paths only a process shows: a defect (one stderr line that says it is a bug, names the exception's
/// type and a log file holding the trace; exit 70) and a standard output that cannot be written (&gt; /dev/full: one
/// line, exit 2, nothing half-written).
/// </summary>
public partial class ErrorPathProcessTests
{
    [GeneratedRegex(@"details in (/\S+\.log)\)")]
    private static partial Regex LogPath();

    [Fact]
    public void A_defect_is_one_line_naming_its_type_and_a_log_that_holds_the_trace()
    {
        using var tmp = new Fixtures.Fixture.TempFolder();
        string hook = Path.Combine(AppContext.BaseDirectory, "RnnLab.Tests.dll");
        var (code, output, err) = CliProcess.RunWithStartupHook(hook, tmp.Dir, "table", "--json");
        Assert.Equal(70, code);
        Assert.Equal("", output);
        string line = Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("rnnlab: bug: InvalidOperationException: a defect planted by the test (a defect in RnnLab, not in your input; details in ", line);
        string log = LogPath().Match(line).Groups[1].Value;
        try
        {
            Assert.True(File.Exists(log), $"{log} does not exist");
            string trace = File.ReadAllText(log);
            Assert.Contains("args: table --json", trace);
            Assert.Contains("System.InvalidOperationException: a defect planted by the test", trace);
            Assert.Contains("   at ", trace);
        }
        finally { File.Delete(log); }
        Assert.Empty(Directory.GetFileSystemEntries(tmp.Dir));
    }

    [Theory]
    [InlineData("table", "--json")]
    [InlineData("table")]
    [InlineData("flow", "--seq", "20", "--hidden", "4", "--json", "--plot", "flow.svg")]
    public void A_full_standard_output_is_one_line_and_exit_2_with_nothing_half_written(params string[] args)
    {
        using var tmp = new Fixtures.Fixture.TempFolder();
        var (code, err) = CliProcess.RunInto("/dev/full", tmp.Dir, args);
        Assert.Equal(2, code);
        Assert.Equal("rnnlab: cannot write to standard output: No space left on device", err.TrimEnd());
        // The plot, written before the answer, is whole; no temporary file is left behind.
        foreach (string file in Directory.GetFiles(tmp.Dir))
        {
            Assert.Equal("flow.svg", Path.GetFileName(file));
            Assert.EndsWith("</svg>", File.ReadAllText(file).TrimEnd());
        }
    }
}
