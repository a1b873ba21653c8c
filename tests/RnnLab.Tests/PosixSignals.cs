using System.Runtime.InteropServices;

namespace RnnLab.Tests;

/// <summary>Real POSIX signals, as a terminal (SIGINT) or a scheduler (SIGTERM, and SIGSTOP to suspend) sends them.</summary>
public static class PosixSignals
{
    public const int SIGINT = 2, SIGTERM = 15, SIGCONT = 18, SIGSTOP = 19;

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    public static void Send(int pid, int signal)
    {
        if (kill(pid, signal) != 0) throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }
}
