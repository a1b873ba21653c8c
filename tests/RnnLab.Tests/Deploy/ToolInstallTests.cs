using System.Text.Json;
using System.Text.RegularExpressions;

namespace RnnLab.Tests.Deploy;

/// <summary>
/// The installed `rnnlab` tool, run from a folder outside the repository: it names its commit, writes the lesson
/// with its plots, serves the interactive lesson with its page and scripts, and runs the Kubernetes manifest's command.
/// </summary>
[Collection(InstalledToolCollection.Name)]
public sealed class ToolInstallTests(InstalledTool tool)
{
    [Fact]
    public void VersionNamesTheCommit()
    {
        string head = InstalledTool.Run("git", ["rev-parse", "HEAD"], InstalledTool.RepoRoot).Trim();
        var (code, output, err) = tool.Run(tool.NewFolder("version"), ["--version"]);
        Assert.True(code == 0, err);
        Assert.Matches(new Regex(@"^\d+\.\d+\.\d+\+[0-9a-f]{40}$"), output.Trim());
        Assert.EndsWith(head, output.Trim());
    }

    [Fact]
    public void LessonRunsOutsideTheRepository()
    {
        string dir = tool.NewFolder("lesson");
        var (code, output, err) = tool.Run(dir, ["lesson", "--preset", "test", "--out", "lesson", "--json"]);
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        Assert.NotEmpty(doc.RootElement.GetProperty("findings").EnumerateArray());
        string page = File.ReadAllText(Path.Combine(dir, "lesson", "index.html"));
        Assert.Contains("data:image/png;base64,", page);
        Assert.True(File.Exists(Path.Combine(dir, "lesson", "results.json")));
    }

    [Fact]
    public async Task ServeRunsOutsideTheRepository()
    {
        int port = FreePort();
        using var server = tool.Start(tool.NewFolder("serve"), ["serve", "--urls", $"http://127.0.0.1:{port}"]);
        try
        {
            string? ready = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains($"http://127.0.0.1:{port}", ready);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            string index = await http.GetStringAsync("/");
            Assert.Contains("<html", index);
            // every script and style sheet the page names comes out of the package, not from a folder beside it
            var assets = Regex.Matches(index, "(?:src|href)=\"(/assets/[^\"]+)\"").Select(m => m.Groups[1].Value).ToArray();
            Assert.NotEmpty(assets);
            foreach (string asset in assets)
                Assert.NotEmpty(await http.GetStringAsync(asset));
            using var decay = JsonDocument.Parse(await http.GetStringAsync("/api/decay"));
            Assert.NotEqual(JsonValueKind.Undefined, decay.RootElement.ValueKind);
        }
        finally
        {
            PosixSignals.Send(server.Id, PosixSignals.SIGTERM);
            if (!server.WaitForExit(TimeSpan.FromSeconds(20))) server.Kill();
        }
    }

    /// <summary>The indexed Job's command, run as Kubernetes would run it (one JOB_COMPLETION_INDEX per pod), then the merge Job's.</summary>
    [Fact]
    public void KubernetesManifestsCommandsShardAndMerge()
    {
        string dir = tool.NewFolder("k8s");
        string job = ContainerArgs(Path.Combine(InstalledTool.RepoRoot, "deploy", "k8s", "experiment-job.yaml"));
        string merge = ContainerArgs(Path.Combine(InstalledTool.RepoRoot, "deploy", "k8s", "merge-job.yaml"));
        for (int index = 0; index < 2; index++)
        {
            var env = new Dictionary<string, string>
            {
                ["EXPERIMENT"] = "copy", ["PRESET"] = "test", ["SHARDS"] = "2", ["RESULTS"] = dir, ["JOB_COMPLETION_INDEX"] = $"{index}",
            };
            var (code, output, err) = Shell(dir, job, env);
            Assert.True(code == 0, err);
            using var doc = JsonDocument.Parse(output);
            Assert.Equal($"{index}/2", doc.RootElement.GetProperty("shard").GetString());
        }
        var merged = Shell(dir, merge, new Dictionary<string, string> { ["EXPERIMENT"] = "copy", ["RESULTS"] = dir });
        Assert.True(merged.Code == 0, merged.Err);
        Assert.True(File.Exists(Path.Combine(dir, "copy", "report.html")));
    }

    (int Code, string Out, string Err) Shell(string dir, string script, Dictionary<string, string> env)
    {
        env["PATH"] = $"{tool.ToolPath}:{Environment.GetEnvironmentVariable("PATH")}";
        var start = new System.Diagnostics.ProcessStartInfo("sh", ["-c", script])
        {
            WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var (k, v) in env) start.Environment[k] = v;
        using var p = System.Diagnostics.Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The single-quoted shell command of a manifest's <c>args: ['...']</c> line.</summary>
    static string ContainerArgs(string manifest)
    {
        var m = Regex.Match(File.ReadAllText(manifest), @"^\s*args: \['(.+)'\]\s*$", RegexOptions.Multiline);
        Assert.True(m.Success, $"{manifest}: no args: ['...'] line");
        return m.Groups[1].Value;
    }

    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
