using System.Diagnostics;

namespace RnnLab.Tests.Deploy;

/// <summary>
/// The `rnnlab` .NET tool as a user gets it: the CLI project packed (from the build the tests run on) and installed
/// with `dotnet tool install --tool-path` from that package alone, into a temporary folder outside the repository.
/// </summary>
public sealed class InstalledTool : IDisposable
{
#if DEBUG
    const string Configuration = "Debug";
#else
    const string Configuration = "Release";
#endif

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"rnnlab-tool-{Guid.NewGuid():N}");
    public string ToolPath => Path.Combine(Root, "tools");
    public string Command => Path.Combine(ToolPath, "rnnlab");
    public static string RepoRoot { get; } = FindRepoRoot();

    public InstalledTool()
    {
        string packages = Path.Combine(Root, "packages");
        Directory.CreateDirectory(packages);
        Run("dotnet", ["pack", Path.Combine(RepoRoot, "src", "RnnLab.Cli"), "-c", Configuration, "--no-build", "-o", packages], RepoRoot);
        // Only the package just made is a source: the install must not need anything else.
        string config = Path.Combine(Root, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="rnnlab" value="{packages}" /></packageSources></configuration>
            """);
        Run("dotnet", ["tool", "install", "rnnlab", "--tool-path", ToolPath, "--configfile", config], Root);
    }

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }

    /// <summary>A folder outside the repository to run the tool in.</summary>
    public string NewFolder(string name)
    {
        string dir = Path.Combine(Root, $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Starts the installed command in <paramref name="workDir"/>, with the tool folder first on the PATH.</summary>
    public Process Start(string workDir, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null)
    {
        var start = new ProcessStartInfo(Command, args)
        {
            WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["PATH"] = $"{ToolPath}:{Environment.GetEnvironmentVariable("PATH")}";
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) start.Environment[k] = v;
        return Process.Start(start)!;
    }

    /// <summary>Runs the installed command to its end: exit code, stdout, stderr.</summary>
    public (int Code, string Out, string Err) Run(string workDir, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null)
    {
        using var p = Start(workDir, args, env);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2))) { p.Kill(); throw new TimeoutException($"rnnlab {string.Join(' ', args)} did not finish in 2 minutes"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs a program to its end and fails with its output unless it exits 0.</summary>
    public static string Run(string program, IEnumerable<string> args, string workDir, IReadOnlyDictionary<string, string>? env = null)
    {
        var start = new ProcessStartInfo(program, args)
        {
            WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(entireProcessTree: true); throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {p.ExitCode}: {stdout.Result}{stderr.Result}");
        return stdout.Result;
    }

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RnnLab.slnx"))) return dir.FullName;
        throw new InvalidOperationException("RnnLab.slnx not found above the test assembly");
    }
}

/// <summary>The tests that share one installed tool run one after another (they also share the two cores).</summary>
[CollectionDefinition(Name)]
public sealed class InstalledToolCollection : ICollectionFixture<InstalledTool>
{
    public const string Name = "installed rnnlab tool";
}
