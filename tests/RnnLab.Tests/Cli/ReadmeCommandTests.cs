using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using RnnLab.Tests.Fixtures;
using RnnLab.Training;

namespace RnnLab.Tests.Cli;

/// <summary>
/// Every rnnlab command in README.md's shell blocks, read from the README itself (<see cref="ReadmeCommands"/>) and run
/// as its own process in a fresh folder laid out like the repository, a block's commands in order in one folder, as
/// a reader pastes them. Each must exit 0 and leave what the README says it writes: the files its comment names, its
/// --out and --plot, a run folder's files, and in its --json output the keys the README promises and the files the
/// JSON names. `serve` is started, asked for its page and its limits, and stopped with Ctrl+C (SIGINT).
/// The README's commands are the lesson's real sizes; <see cref="Reduce"/> says what is made smaller for CI and why.
/// </summary>
public sealed partial class ReadmeCommandTests
{
    static readonly Command Rnnlab = RnnLab.Cli.Program.Commands();
    static readonly string Readme = File.ReadAllText(ReadmeCommands.File);

    /// <summary>
    /// A `--steps` above this is cut to it: the run logs from step 10 on, so a Ctrl+C sent at its first logged line
    /// lands with some 190 steps (seconds, even on a loaded machine) still to go, and the resume trains those.
    /// </summary>
    const int MaxSteps = 200;

    public static TheoryData<int> BlockLines()
    {
        var lines = new TheoryData<int>();
        foreach (var block in ReadmeCommands.Blocks(Readme)) lines.Add(block.Line);
        return lines;
    }

    [Fact]
    public void The_README_s_commands_are_found()
    {
        // The main job, the server and a resumed run are commands the README must keep showing, and the parser must see.
        var commands = ReadmeCommands.Blocks(Readme).SelectMany(b => b.Commands).ToArray();
        Assert.Contains(commands, c => c.Project is not null && c.Verb == "lesson");
        Assert.Contains(commands, c => c.Verb == "serve");
        Assert.Contains(commands, c => c.Verb == "train" && c.Args.Contains("--resume"));
        Assert.All(commands, c => Assert.True(Verb(c.Verb) is not null, $"README.md:{c.Line}: '{c.Verb}' is not an rnnlab verb"));
    }

    [Fact]
    public void The_parser_refuses_what_it_cannot_run_and_skips_other_tools()
    {
        const string markdown = "```bash\nbash .ci/run   # tests\nrnnlab table --rho 0.9 # the table\n```\n```\nrnnlab not a shell block\n```\n";
        var block = Assert.Single(ReadmeCommands.Blocks(markdown));
        var command = Assert.Single(block.Commands);
        Assert.Equal((3, "rnnlab table --rho 0.9", "the table"), (command.Line, command.Text, command.Comment));
        Assert.Throws<FormatException>(() => ReadmeCommands.Blocks("```bash\nrnnlab flow --json > flow.json\n```\n"));
    }

    [Theory]
    [MemberData(nameof(BlockLines))]
    public async Task The_README_block_runs_and_writes_what_it_says(int line)
    {
        var block = ReadmeCommands.Blocks(Readme).Single(b => b.Line == line);
        using var folder = new Fixture.TempFolder();
        // Commands are written to run from the repository's root (e.g. --plot docs/flow-vs-rho.png): its folders, empty.
        foreach (var dir in new DirectoryInfo(Deploy.InstalledTool.RepoRoot).GetDirectories().Where(d => !d.Name.StartsWith('.')))
            Directory.CreateDirectory(Path.Combine(folder.Dir, dir.Name));

        for (int i = 0; i < block.Commands.Length; i++)
        {
            var command = block.Commands[i];
            var later = block.Commands.Skip(i + 1).ToArray();
            if (command.Project is not null)
                Assert.True(Directory.Exists(Path.Combine(Deploy.InstalledTool.RepoRoot, command.Project)), $"README.md:{command.Line}: no project folder {command.Project}");
            string[] args = Reduce(command);
            string where = $"README.md:{command.Line}: {command.Text}\n  run as: rnnlab {string.Join(' ', args)}";
            if (command.Verb == "serve") { await ServeAndStop(folder.Dir, command, args, where); continue; }

            // A later `--resume` of this run folder needs a stopped run: stop this one as Ctrl+C would, after its first logged step.
            string? run = command.Value("--out");
            bool resumedLater = command.Verb == "train" && !command.Args.Contains("--resume")
                && later.Any(c => c.Verb == "train" && c.Args.Contains("--resume") && SameFolder(c.Value("--out"), run));
            var (code, output, err) = resumedLater
                ? CliProcess.Interrupt(folder.Dir, PosixSignals.SIGINT, () => HasLoggedAStep(Path.Combine(folder.Dir, run!)), args)
                : CliProcess.Run(folder.Dir, args);
            Assert.True(code == (resumedLater ? 130 : 0), $"{where}\n  exited {code}: {err}");
            if (resumedLater)
            {
                Assert.True(File.Exists(Path.Combine(folder.Dir, run!, TrainingRun.CheckpointFile)), $"{where}\n  stopped without its checkpoint");
                continue;
            }

            // One shard of an array that a later `merge` of the same folder combines: the test runs the array's other tasks too.
            if (command.Value("--shard") is { } shard && later.Any(c => c.Verb == "merge" && c.Args.Skip(1).Any(a => SameFolder(a, run))))
                foreach (string[] sibling in SiblingShards(args, shard))
                {
                    var other = CliProcess.Run(folder.Dir, sibling);
                    Assert.True(other.Code == 0, $"{where}\n  shard run as rnnlab {string.Join(' ', sibling)} exited {other.Code}: {other.Err}");
                }
            AssertWrites(folder.Dir, command, args, output, where);
        }
    }

    static Command? Verb(string name) => Rnnlab.Subcommands.FirstOrDefault(c => c.Name == name);

    static bool Has(Command verb, string option) => verb.Options.Any(o => o.Name == option);

    static bool SameFolder(string? a, string? b) => a is not null && b is not null && a.TrimEnd('/') == b.TrimEnd('/');

    static bool HasLoggedAStep(string run)
    {
        var metrics = new FileInfo(Path.Combine(run, TrainingRun.MetricsFile));
        return metrics.Exists && metrics.Length > 0;
    }

    /// <summary>
    /// The README's command made small enough for CI, each change for a reason:
    /// <list type="bullet">
    /// <item>`--preset quick` or `full` (or none, which is quick) becomes `--preset test`: the quick lesson takes about a
    /// minute and the full presets hours, while the test preset runs every grid point's code path at tiny sizes.</item>
    /// <item>`--steps N` above <see cref="MaxSteps"/> becomes <see cref="MaxSteps"/>: thousands of LSTM steps at T = 64
    /// take minutes; the run folder, its checkpoint and a resume behave the same at 200.</item>
    /// <item>`--json` is added where the verb has it, so the test reads what the command did.</item>
    /// <item>`serve` without `--urls` listens on a free port: the default 5080 may be taken on a shared machine (the
    /// default the README names is checked against the server's own default instead).</item>
    /// </list>
    /// </summary>
    static string[] Reduce(ReadmeCommand command)
    {
        var verb = Verb(command.Verb) ?? throw new InvalidOperationException($"README.md:{command.Line}: '{command.Verb}' is not an rnnlab verb");
        var args = command.Args.ToList();
        if (Has(verb, "--preset"))
        {
            int at = args.IndexOf("--preset");
            if (at < 0) args.AddRange(["--preset", "test"]);
            else args[at + 1] = "test";
        }
        int steps = args.IndexOf("--steps");
        if (steps >= 0 && int.Parse(args[steps + 1], CultureInfo.InvariantCulture) > MaxSteps)
            args[steps + 1] = MaxSteps.ToString(CultureInfo.InvariantCulture);
        if (Has(verb, "--json") && !args.Contains("--json")) args.Add("--json");
        if (command.Verb == "serve" && !args.Contains("--urls")) args.AddRange(["--urls", $"http://127.0.0.1:{Deploy.ToolInstallTests.FreePort()}"]);
        return [.. args];
    }

    /// <summary>The same command for every other shard i of its `--shard j/n`.</summary>
    static IEnumerable<string[]> SiblingShards(string[] args, string shard)
    {
        var m = Regex.Match(shard, @"^(\d+)/(\d+)$");
        Assert.True(m.Success, $"--shard {shard}: the README tests run numbered shards i/n");
        int mine = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), count = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        int at = Array.IndexOf(args, "--shard") + 1;
        for (int i = 0; i < count; i++)
            if (i != mine) yield return [.. args[..at], $"{i}/{count}", .. args[(at + 1)..]];
    }

    /// <summary>A file name in a comment (lesson/index.html, results.json): a path whose last part has a letter extension.</summary>
    [GeneratedRegex(@"(?<![\w./-])[\w/-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w./-])")]
    private static partial Regex ClaimedFile();

    [GeneratedRegex(@"^[\w./-]+\.(?:html|jsonl?|png|svg|safetensors|npy)$")]
    private static partial Regex JsonFile();

    /// <summary>What the README says the command writes, checked in the folder it ran in.</summary>
    static void AssertWrites(string dir, ReadmeCommand command, string[] args, string output, string where)
    {
        // The folders its relative names are read from: where it ran, its --out folder and, for merge, the folders merged.
        var folders = new List<string> { dir };
        if (ReadmeCommand.Value(args, "--out") is { } outPath)
        {
            string full = Path.Combine(dir, outPath);
            Assert.True(File.Exists(full) || Directory.Exists(full), $"{where}\n  wrote no {outPath}");
            if (Directory.Exists(full)) folders.Add(full);
        }
        if (command.Verb == "merge") folders.AddRange(args.Skip(1).TakeWhile(a => !a.StartsWith('-')).Select(a => Path.Combine(dir, a)));
        if (ReadmeCommand.Value(args, "--plot") is { } plot)
        {
            byte[] bytes = File.Exists(Path.Combine(dir, plot)) ? File.ReadAllBytes(Path.Combine(dir, plot)) : [];
            bool png = bytes.AsSpan().StartsWith((byte[])[0x89, (byte)'P', (byte)'N', (byte)'G']), svg = bytes.AsSpan().IndexOf("<svg"u8) >= 0;
            Assert.True(png || svg, $"{where}\n  --plot {plot} is not a PNG or SVG image ({bytes.Length} bytes)");
        }
        foreach (string file in ClaimedFile().Matches(command.Comment).Select(m => m.Value))
            Assert.True(folders.Any(f => File.Exists(Path.Combine(f, file))), $"{where}\n  the README says it writes {file}; it is in none of {string.Join(", ", folders)}");
        if (command.Verb == "train")
            foreach (string file in ReadmeCommands.RunFolderFiles(Readme))
                Assert.True(File.Exists(Path.Combine(folders[^1], file)), $"{where}\n  the run folder has no {file}, which the README lists");

        if (!args.Contains("--json")) return;
        using var json = JsonDocument.Parse(output);
        // The README: every verb's answer is one object that starts with "rnnlab_version", "schema": 1 and "parameters".
        string[] first = json.RootElement.ValueKind == JsonValueKind.Object ? [.. json.RootElement.EnumerateObject().Take(3).Select(p => p.Name)] : [];
        Assert.True(first.SequenceEqual(["rnnlab_version", "schema", "parameters"]) && json.RootElement.GetProperty("schema").GetInt32() == 1,
            $"{where}\n  its JSON does not start with \"rnnlab_version\", \"schema\": 1, \"parameters\": {output[..Math.Min(200, output.Length)]}");
        var verbs = Rnnlab.Subcommands.Select(c => c.Name).ToHashSet();
        foreach (var (key, claimedVerbs) in ReadmeCommands.JsonKeyClaims(Readme, verbs).Where(c => c.Verbs.Contains(command.Verb)))
            Assert.True(json.RootElement.TryGetProperty(key, out _), $"{where}\n  its JSON has no \"{key}\", which the README promises for {string.Join(", ", claimedVerbs)}");
        foreach (string named in Strings(json.RootElement).Where(s => JsonFile().IsMatch(s)))
            Assert.True(File.Exists(Path.Combine(dir, named)), $"{where}\n  its JSON names {named}, which is not there");
    }

    static IEnumerable<string> Strings(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => [e.GetString()!],
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Strings(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().SelectMany(Strings),
        _ => [],
    };

    [GeneratedRegex(@"https?://[\w.:\[\]]+")]
    private static partial Regex Address();

    /// <summary>Starts `serve`, reads the address it prints, fetches the page and its limits, and stops it with Ctrl+C.</summary>
    static async Task ServeAndStop(string dir, ReadmeCommand command, string[] args, string where)
    {
        if (!command.Args.Contains("--urls") && Address().Match(command.Comment) is { Success: true } claimed)
            Assert.True(claimed.Value == new RnnLab.Web.LessonOptions().Urls, $"{where}\n  the README says it listens on {claimed.Value} by default; the default is {new RnnLab.Web.LessonOptions().Urls}");
        string url = ReadmeCommand.Value(args, "--urls")!;
        using var server = CliProcess.Start(dir, args);
        try
        {
            string? ready = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.True(ready?.Contains(url, StringComparison.Ordinal) == true, $"{where}\n  printed '{ready}', not its address {url}");
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(1) };
            Assert.Contains("<html", await http.GetStringAsync("/"), StringComparison.Ordinal);
            using var limits = JsonDocument.Parse(await http.GetStringAsync("/api/limits"));
            Assert.Equal(JsonValueKind.Object, limits.RootElement.ValueKind);
        }
        finally
        {
            PosixSignals.Send(server.Id, PosixSignals.SIGINT);
            if (!server.WaitForExit(TimeSpan.FromMinutes(1))) server.Kill();
        }
        Assert.True(server.ExitCode == 0, $"{where}\n  Ctrl+C ended it with exit code {server.ExitCode}: {await server.StandardError.ReadToEndAsync()}");
    }
}
