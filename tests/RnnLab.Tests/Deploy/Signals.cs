using System.Runtime.InteropServices;

namespace RnnLab.Tests.Deploy;

/// <summary>Real POSIX signals, as a scheduler or a terminal sends them.</summary>
public static class Signals
{
    public const int SIGINT = 2, SIGTERM = 15;

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    public static void Send(int pid, int signal)
    {
        if (kill(pid, signal) != 0) throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }
}
