using System.Diagnostics;

namespace RnnLab.Bench;

internal static class Timing
{
    /// <summary>
    /// Seconds per call of <paramref name="body"/>: warms up (tiered JIT, packing buffers), then times batches for
    /// about <paramref name="seconds"/> and keeps the fastest batch, since on a shared machine noise only adds time.
    /// </summary>
    public static double SecondsPerCall(Action body, double seconds)
    {
        var sw = Stopwatch.StartNew();
        int reps = 0;
        while (sw.Elapsed.TotalSeconds < Math.Min(0.05, seconds / 4) || reps < 3) { body(); reps++; }
        double perCall = sw.Elapsed.TotalSeconds / reps;
        int batch = Math.Max(1, (int)(0.01 / perCall));
        double best = double.MaxValue;
        sw.Restart();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < batch; i++) body();
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds / batch);
        }
        return best;
    }
}
