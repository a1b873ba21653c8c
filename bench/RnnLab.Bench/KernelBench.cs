namespace RnnLab.Bench;

internal static class KernelBench
{
    public static void Run(double seconds) { }
}
