using System.Runtime.InteropServices;

namespace RnnLab.Cli;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM (what scancel, a Slurm time limit, preemption and Kubernetes send) ask long work to
/// stop: the token fires, training stops at its next step, a sweep after its finished points are saved, and the verb
/// exits 128 + the signal's number (130, 143). A second signal is not intercepted and ends the process at once.
/// Installed by <see cref="Program.Main"/> only, so a process that runs verbs in-process (the tests) keeps its own handling.
/// </summary>
public static class Signals
{
    const int SigInt = 2, SigTerm = 15;
    static readonly CancellationTokenSource interrupt = new();
    static PosixSignalRegistration[]? handlers;
    static volatile int received;

    public static CancellationToken Interrupted => interrupt.Token;

    /// <summary>The signal that stopped the work, by name.</summary>
    public static string Name => received == SigInt ? "SIGINT" : "SIGTERM";

    /// <summary>The exit code of work stopped by that signal, as a shell reports a process killed by it.</summary>
    public static int ExitCode => 128 + (received == 0 ? SigTerm : received);

    public static void Install() => handlers ??=
    [
        PosixSignalRegistration.Create(PosixSignal.SIGINT, c => Stop(c, SigInt)),
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => Stop(c, SigTerm)),
    ];

    static void Stop(PosixSignalContext context, int signal)
    {
        if (interrupt.IsCancellationRequested) return; // the second one: let it end the process
        received = signal;
        context.Cancel = true;
        interrupt.Cancel();
    }
}
