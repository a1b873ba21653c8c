using System.Diagnostics;

namespace RnnLab.Tests.Cli;

/// <summary>
/// Bad input on every verb: sizes at 0, −1, 2³¹−1 and 10⁹, non-numbers, empty lists, options that contradict each
/// other or that the request would ignore, and output paths that are folders, files, missing or unwritable. Each is
/// refused with exit code 2 and exactly one line on stderr that names the problem (no stack trace, no .NET type
/// names), creates no file, and takes well under 5 s. The verbs run in-process; <see cref="HugeSizesAreRefusedFastWithLittleMemory"/>
/// runs the huge sizes as child processes to measure their time and peak memory.
/// </summary>
[Collection(TimedChildProcesses.Name)]
public sealed class BadInputTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("rnnlab-bad-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>{dir} is an existing empty folder, {file} an existing file, {new} a path that does not exist yet.</summary>
    public static TheoryData<string> Cases => new()
    {
        // spectrum
        "spectrum --hidden 0", "spectrum --hidden -1", "spectrum --hidden 2147483647", "spectrum --hidden 1000000000",
        "spectrum --hidden many", "spectrum --hidden 2147483648", "spectrum --rho 1e400", "spectrum --rho -1", "spectrum --rho NaN",
        "spectrum --cell lstmx", "spectrum --init he", "spectrum --seed -1", "spectrum --input 0", "spectrum --threads 0", "spectrum --refresher --threads 2",
        "spectrum --model {new}", "spectrum --model {dir}", "spectrum --model {file}", "spectrum --model {file} --hidden 4",
        "spectrum --refresher --hidden 3", "spectrum --plot {dir}", "spectrum --plot {new}.txt", "spectrum --plot /proc/rnnlab.png",
        "spectrum --plot {new}/x.png", "spectrum --plot {file}/x.png", "spectrum --max-memory lots", "spectrum --hidden 2000 --max-memory 1M",
        // table
        "table --rho ,", "table --rho a", "table --rho -1", "table --rho 1e400", "table --seq 0", "table --seq -1", "table --seq ,",
        "table --seq 2147483648", "table --seq 1.5", "table --plot {dir}",
        // flow
        "flow --seq 0", "flow --seq -1", "flow --seq 1000000000", "flow --seq 2147483647", "flow --hidden 1000000000",
        "flow --input 1000000000", "flow --input -1", "flow --threshold 0", "flow --threshold 1.5", "flow --compare-rho ,",
        "flow --compare-rho a,b", "flow --compare-rho 0.9 --rho 1", "flow --compare-rho 0.9 --model {file}", "flow --inputs {new}",
        "flow --inputs {dir}", "flow --inputs {file}", "flow --inputs {file} --seq 5", "flow --model {file} --rho 0.9", "flow --plot {dir}",
        "flow --batch-first", "flow --h0 {file}", "flow --c0 {file}", "flow --module rnn", "flow --model {dir}", "flow --model {new}",
        // inspect
        "inspect", "inspect {new}", "inspect {dir}", "inspect {file}",
        // forward
        "forward --model {new} --inputs {file} --out {new}.npy", "forward --model {dir} --inputs {file} --out {new}.npy",
        "forward --model {file} --inputs {file} --out {new}.npy", "forward --inputs {file} --out {new}.npy",
        "forward --model {file} --out {new}.npy", "forward --model {file} --inputs {file}", "forward --model {file} --inputs {file} --out {new}.txt",
        // export
        "export", "export {new} --out {new}.safetensors", "export {dir} --out {new}.safetensors", "export {file} --out {new}.safetensors",
        "export {dir}", "export {dir} --out {new}.txt",
        // depth
        "depth --width 0", "depth --width -3", "depth --width 1000000000", "depth --width 2147483647", "depth --depths ,",
        "depth --depths 0", "depth --depths a", "depth --depths 1000000000", "depth --gain 0", "depth --gain -1",
        "depth --rnn-input-scale -1", "depth --plot {dir}",
        // distance
        "distance --subject dog", "distance --verb flew", "distance ' '",
        // train
        "train --task parity", "train --cell x", "train --lr 0", "train --lr -1", "train --lr 1e400", "train --optimizer x",
        "train --momentum 0.5", "train --optimizer sgd --momentum 1", "train --clip-norm 0", "train --clip-norm 1 --clip-value 1",
        "train --init he", "train --rho 0", "train --forget-bias 1", "train --truncation -1", "train --truncation 1000 --seq 10",
        "train --task agreement --attractors 2", "train --attractors 0.1", "train --seed -1", "train --eval-every 0",
        "train --log-every -1", "train --checkpoint-every 0", "train --steps 0", "train --batch 0", "train --task adding --seq 1",
        "train --hidden 1000000000", "train --hidden 2147483647", "train --seq 1000000000", "train --batch 1000000000",
        "train --out {file}", "train --out /proc/rnnlab", "train --resume", "train --resume --out {new}", "train --resume --out {file}",
        "train --resume --out {dir}",
        // experiment
        "experiment nope --out {new}", "experiment adding --preset huge --out {new}", "experiment adding --shard 2/2 --out {new}",
        "experiment adding --shard x --out {new}", "experiment adding --threads 0 --out {new}", "experiment adding --threads -1 --out {new}",
        "experiment adding --preset test --out {file}", "experiment adding --preset test --out /proc/rnnlab",
        // lesson
        "lesson --preset huge --out {new}", "lesson --threads 0 --out {new}", "lesson --out {file}", "lesson --out /proc/rnnlab", "lesson",
        // merge
        "merge", "merge {new}", "merge {dir}", "merge {file}",
        // bench
        "bench --cell x", "bench --hidden 0", "bench --seq -1", "bench --batch many", "bench --threads 0", "bench --steps 0",
        "bench --input 2147483647", "bench --batch 1000000000", "bench --hidden 1000000000",
        // serve
        "serve --urls http://localhos:5097", "serve --urls http://0.0.0.0:5080", "serve --urls ftp://127.0.0.1", "serve --urls nonsense",
        "serve --urls http://127.0.0.1:99999",
        // the command line itself
        "frobnicate", "spectrum --frobnicate",
    };

    string[] Args(string line)
    {
        string dir = Path.Combine(root, "empty"), file = Path.Combine(root, "a-file"), fresh = Path.Combine(root, "not-there");
        Directory.CreateDirectory(dir);
        File.WriteAllText(file, "not a model\n");
        var args = new List<string>();
        // split on spaces, keeping '…' together
        foreach (var part in System.Text.RegularExpressions.Regex.Matches(line, "'[^']*'|\\S+").Select(m => m.Value))
            args.Add(part.Trim('\'').Replace("{dir}", dir).Replace("{file}", file).Replace("{new}", fresh));
        return [.. args];
    }

    string[] Listing() => [.. Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order()];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_is_one_line_exit_2_and_writes_nothing(string line)
    {
        var args = Args(line);
        var before = Listing();
        var clock = Stopwatch.StartNew();
        var (code, _, err) = CliErrorTests.Run(args);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{line}: took {clock.Elapsed.TotalSeconds:F1} s");
        AssertOneLineUserError(line, code, err);
        Assert.Equal(before, Listing());
    }

    /// <summary>The message itself for refusals whose wording was once wrong: an option a generated network ignores names
    /// itself and --model; a folder given as a file says it is a folder, not that it does not exist.</summary>
    [Theory]
    [InlineData("flow --batch-first", "--batch-first", "--model")]
    [InlineData("flow --h0 {file}", "--h0", "--model")]
    [InlineData("flow --c0 {file}", "--c0", "--model")]
    [InlineData("flow --module rnn", "--module", "--model")]
    [InlineData("inspect {dir}", "is a folder", "")]
    [InlineData("forward --model {dir} --inputs {file} --out {new}.npy", "is a folder", "")]
    [InlineData("flow --model {dir}", "is a folder", "")]
    [InlineData("export {file} --out {new}.safetensors", "is a file, not a run folder", "")]
    [InlineData("inspect {new}", "no such file", "")]
    [InlineData("forward --model {new} --inputs {file} --out {new}.npy", "no such file", "")]
    [InlineData("export {new} --out {new}.safetensors", "no such run folder", "")]
    [InlineData("export {dir} --out /proc/rnnlab.safetensors", "--out /proc/rnnlab.safetensors: cannot write there", "")]
    public void Refusal_names_the_problem(string line, string named, string alsoNamed)
    {
        var (code, _, err) = CliErrorTests.Run(Args(line));
        AssertOneLineUserError(line, code, err);
        Assert.Contains(named, err, StringComparison.Ordinal);
        Assert.Contains(alsoNamed, err, StringComparison.Ordinal);
    }

    internal static void AssertOneLineUserError(string line, int code, string err)
    {
        Assert.True(code == 2, $"{line}: exit {code}, stderr: {err}");
        var lines = err.TrimEnd().Split('\n');
        Assert.True(lines.Length == 1, $"{line}: {lines.Length} lines on stderr: {err}");
        Assert.StartsWith("rnnlab: ", err);
        foreach (var leak in new[] { "   at ", "System.", "Exception", "Int32", "UInt64", "Nullable", "Double", ".tmp", ".rnnlab-probe", "(Parameter" })
            Assert.False(err.Contains(leak, StringComparison.Ordinal), $"{line}: stderr leaks '{leak}': {err}");
    }

    /// <summary>
    /// The sizes that could take the machine's memory, run as real processes: each is refused before it allocates,
    /// in under 5 s, with a peak resident set under 1 GB measured on the child (python3's getrusage of its child).
    /// table --seq 10⁹ is a valid request (ρ^(T−1) is one number): it must answer just as cheaply.
    /// </summary>
    [Fact]
    public async Task HugeSizesAreRefusedFastWithLittleMemory()
    {
        string dll = typeof(RnnLab.Cli.Program).Assembly.Location;
        var cases = new (string Line, int Code)[]
        {
            ("spectrum --hidden 100000000", 2), ("spectrum --hidden 46341", 2), ("spectrum --hidden 2147483647", 2),
            ("flow --seq 1000000000", 2), ("flow --hidden 1000000000", 2), ("flow --input 1000000000", 2), ("flow --seq 100000000 --input 1", 2),
            ("depth --width 1000000000", 2), ("depth --depths 1000000000", 2), ("depth --width 20000 --depths 100", 2),
            ("train --hidden 1000000000", 2), ("train --seq 1000000000", 2), ("train --batch 1000000000", 2), ("train --hidden 100000", 2),
            ("bench --input 2147483647", 2), ("bench --batch 1000000000", 2), ("bench --seq 2147483647", 2), ("bench --hidden 1000000000", 2),
            ("table --seq 1000000000 --json", 0), ("table --seq 1000000000 --plot " + Path.Combine(root, "decay.png"), 0),
            ("spectrum --hidden 2000 --max-memory 50M", 2),
        };
        foreach (var (line, expected) in cases)
        {
            string rssFile = Path.Combine(root, "rss");
            string script = "import resource, subprocess, sys\n" +
                "r = subprocess.run(sys.argv[2:], capture_output=True, text=True)\n" +
                "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n" +
                "sys.stdout.write(r.stdout); sys.stderr.write(r.stderr); sys.exit(r.returncode)\n";
            var start = new ProcessStartInfo("python3") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in (string[])["-c", script, rssFile, "dotnet", dll, .. line.Split(' ')]) start.ArgumentList.Add(a);
            var clock = Stopwatch.StartNew();
            using var p = Process.Start(start)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(10_000))
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail($"{line}: still running after 10 s");
            }
            string err = await stderr;
            await stdout;
            double seconds = clock.Elapsed.TotalSeconds;
            long rssKb = long.Parse(File.ReadAllText(rssFile));
            Assert.True(seconds < 5, $"{line}: took {seconds:F1} s");
            Assert.True(rssKb < 1_000_000, $"{line}: peak RSS {rssKb / 1000} MB");
            if (expected == 2) AssertOneLineUserError(line, p.ExitCode, err);
            else Assert.True(p.ExitCode == 0, $"{line}: exit {p.ExitCode}: {err}");
        }
    }
}

/// <summary>Tests that time child processes run alone, so the rest of the suite's load does not stretch their clocks.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimedChildProcesses
{
    public const string Name = "timed child processes";
}
