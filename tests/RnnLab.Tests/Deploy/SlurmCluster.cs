using System.Diagnostics;

namespace RnnLab.Tests.Deploy;

/// <summary>
/// A real single-node Slurm cluster (Debian's slurm-wlm and munge), started for the tests by the repository's
/// <c>deploy/slurm/single-node.sh</c> in a temporary folder on free ports, and stopped by the process ids in its pid
/// files. Needs root, as CI has (`.ci/run` installs the packages).
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"rnnlab-slurm-{Guid.NewGuid():N}");
    public string Config => Path.Combine(Root, "slurm.conf");
    static readonly string Script = Path.Combine(InstalledTool.RepoRoot, "deploy", "slurm", "single-node.sh");
    static readonly string[] PidFiles = ["slurmd.pid", "slurmctld.pid", Path.Combine("munge", "munged.pid")];

    public SlurmCluster()
    {
        foreach (string daemon in new[] { "munged", "slurmctld", "slurmd", "sbatch" })
            if (!File.Exists($"/usr/sbin/{daemon}") && !File.Exists($"/usr/bin/{daemon}"))
                throw new InvalidOperationException($"{daemon} is not installed: run `bash .ci/run` (it installs slurm-wlm and munge)");
        try
        {
            InstalledTool.Run("bash", [Script, "start", Root, $"{ToolInstallTests.FreePort()}", $"{ToolInstallTests.FreePort()}"], InstalledTool.RepoRoot);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Runs a Slurm client command (sbatch, squeue, scancel, scontrol) against this cluster; its stdout.</summary>
    public string Client(string program, IEnumerable<string> args, string workDir, string? path = null)
    {
        var env = new Dictionary<string, string> { ["SLURM_CONF"] = Config };
        if (path is not null) env["PATH"] = path;
        return InstalledTool.Run(program, args, workDir, env);
    }

    /// <summary>A job's state as scontrol reports it (PENDING, RUNNING, COMPLETED, CANCELLED, ...), and its exit code.</summary>
    public (string State, string ExitCode) Job(string id) => (JobField(id, "JobState"), JobField(id, "ExitCode"));

    string JobField(string id, string name) => Client("scontrol", ["show", "job", id], Root)
        .Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries)
        .First(f => f.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];

    /// <summary>
    /// The processes of a running job (an array task is named JOB_TASK): those whose environment holds its
    /// SLURM_JOB_ID and this cluster's SLURM_CONF (`scontrol listpids` needs a process-tracking plugin this set-up lacks).
    /// </summary>
    public int[] Pids(string id)
    {
        string job = $"SLURM_JOB_ID={JobField(id, "JobId")}", conf = $"SLURM_CONF={Config}";
        var pids = new List<int>();
        foreach (string dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            string[] env;
            try { env = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0'); }
            catch (IOException) { continue; }               // ended meanwhile
            catch (UnauthorizedAccessException) { continue; }
            if (env.Contains(job) && env.Contains(conf)) pids.Add(pid);
        }
        return [.. pids];
    }

    /// <summary>Waits until <paramref name="done"/> holds, polling every <paramref name="poll"/> (100 ms by default).</summary>
    public static void WaitFor(Func<bool> done, TimeSpan limit, string what, TimeSpan? poll = null)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed > limit) throw new TimeoutException($"{what}: not within {limit.TotalSeconds:F0} s");
            Thread.Sleep(poll ?? TimeSpan.FromMilliseconds(100));
        }
    }

    public void Dispose()
    {
        // jobs first, so no task outlives the daemons that track it
        if (File.Exists(Config)) try { Client("scancel", ["--user=root"], Root); } catch (InvalidOperationException) { }
        var daemons = new List<Process>();
        foreach (string file in PidFiles.Select(f => Path.Combine(Root, f)).Where(File.Exists))
        {
            if (!int.TryParse(File.ReadAllText(file).Trim(), out int pid)) continue;
            try { daemons.Add(Process.GetProcessById(pid)); } catch (ArgumentException) { continue; } // already gone
            PosixSignals.Send(pid, PosixSignals.SIGTERM);
        }
        foreach (var d in daemons)
        {
            if (!d.WaitForExit(TimeSpan.FromSeconds(10))) d.Kill();
            d.Dispose();
        }
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
