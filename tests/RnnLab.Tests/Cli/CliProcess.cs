using System.Diagnostics;

namespace RnnLab.Tests.Cli;

/// <summary>The CLI as its own process (the RnnLab.Cli.dll built beside the tests), for what only a process has: signals, exit codes.</summary>
public static class CliProcess
{
    static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "RnnLab.Cli.dll");

    public static Process Start(string workDir, params string[] args) => Start(workDir, new Dictionary<string, string?>(), args);

    /// <summary>With <paramref name="environment"/> set (a null value removes the variable).</summary>
    public static Process Start(string workDir, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Dll, .. args])
        {
            WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
            if (value is null) start.Environment.Remove(name); else start.Environment[name] = value;
        return Process.Start(start)!;
    }

    /// <summary>Waits for the process to end: exit code, stdout, stderr.</summary>
    public static (int Code, string Out, string Err) Finish(Process p)
    {
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2))) { p.Kill(); throw new TimeoutException("rnnlab did not finish within 2 minutes"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public static (int Code, string Out, string Err) Run(string workDir, params string[] args)
    {
        using var p = Start(workDir, args);
        return Finish(p);
    }

    /// <summary>Runs the CLI with its standard output sent to <paramref name="stdoutPath"/> by the shell (e.g. /dev/full).</summary>
    public static (int Code, string Err) RunInto(string stdoutPath, string workDir, params string[] args)
    {
        var start = new ProcessStartInfo("bash", ["-c", "exec dotnet \"$0\" \"$@\" > \"$RNNLAB_STDOUT\"", Dll, .. args])
        {
            WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["RNNLAB_STDOUT"] = stdoutPath;
        using var p = Process.Start(start)!;
        var (code, _, err) = Finish(p);
        return (code, err);
    }

    /// <summary>
    /// Runs the CLI with a .NET startup hook (DOTNET_STARTUP_HOOKS): code from <paramref name="hookAssembly"/> runs
    /// before Main, which no user of rnnlab does, so a test can plant a defect the CLI must report as one.
    /// </summary>
    public static (int Code, string Out, string Err) RunWithStartupHook(string hookAssembly, string workDir, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Dll, .. args])
        {
            WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["DOTNET_STARTUP_HOOKS"] = hookAssembly;
        using var p = Process.Start(start)!;
        return Finish(p);
    }

    /// <summary>
    /// Starts rnnlab, waits until <paramref name="ready"/> holds, sends the signal, and returns how it ended. The
    /// process is frozen (SIGSTOP) once this test sees it ready, so the signal finds it exactly there, and continued
    /// (SIGCONT) once the signal is pending. On a loaded machine the test may see it late: <paramref name="whileFrozen"/>
    /// runs between SIGSTOP and the signal, to record how far the work had got when the signal came.
    /// </summary>
    public static (int Code, string Out, string Err) Interrupt(string workDir, int signal, Func<bool> ready, Action whileFrozen, params string[] args)
    {
        using var p = Start(workDir, args);
        var clock = Stopwatch.StartNew();
        while (!ready())
        {
            if (p.HasExited) Assert.Fail($"rnnlab {string.Join(' ', args)} ended (exit {p.ExitCode}) before it could be interrupted: {p.StandardError.ReadToEnd()}");
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), "rnnlab never got ready to be interrupted");
            Thread.Sleep(5);
        }
        PosixSignals.Send(p.Id, PosixSignals.SIGSTOP);
        whileFrozen();
        PosixSignals.Send(p.Id, signal);
        PosixSignals.Send(p.Id, PosixSignals.SIGCONT);
        return Finish(p);
    }

    /// <summary>The same with nothing recorded while frozen.</summary>
    public static (int Code, string Out, string Err) Interrupt(string workDir, int signal, Func<bool> ready, params string[] args) =>
        Interrupt(workDir, signal, ready, () => { }, args);

    public static (int Code, string Out, string Err) Run(string workDir, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        using var p = Start(workDir, environment, args);
        return Finish(p);
    }
}
