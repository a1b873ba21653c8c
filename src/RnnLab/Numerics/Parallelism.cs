using System.Diagnostics;

namespace RnnLab.Numerics;

/// <summary>
/// How many threads the numeric kernels may use (the <c>--threads</c> setting), and a tiny fork/join over persistent
/// workers. The hot GEMMs inside the recurrent loop take microseconds, so a fork must cost far less than that:
/// <c>Task.Run</c> or <c>Parallel.For</c> per call would eat the gain. Each worker spins briefly on a sequence number
/// after finishing a job (the next step's GEMM usually arrives within microseconds) and only then blocks on an event,
/// so an idle program does not burn a core.
/// </summary>
public static unsafe class Parallelism
{
    private static int threads = 1;

    /// <summary>Threads a single kernel call may use (1 = no forking). Clamped to at least 1.</summary>
    public static int Threads
    {
        get => threads;
        set => threads = Math.Max(1, value);
    }

    /// <summary>How long an idle worker spins before it blocks: long enough to bridge the gap between two
    /// time steps' GEMMs, short enough that a stopped loop releases the core almost at once.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs

    private static Worker[] workers = [];
    private static readonly object growLock = new();
    private static int busy; // 1 while some caller owns the workers; a concurrent caller then runs its parts inline

    /// <summary>
    /// Runs <paramref name="body"/>(part, state) for part = 0..parts-1, part 0 on the calling thread and the others on
    /// workers, and returns when all are done. If the workers are already in use (a call from another thread), all
    /// parts run on the caller, one after another. <paramref name="state"/> must stay valid until the call returns.
    /// </summary>
    internal static void For(int parts, delegate*<int, void*, void> body, void* state)
    {
        if (parts <= 1 || Interlocked.CompareExchange(ref busy, 1, 0) != 0)
        {
            for (int p = 0; p < parts; p++) body(p, state);
            return;
        }
        try
        {
            Worker[] ws = EnsureWorkers(parts - 1);
            for (int p = 1; p < parts; p++) ws[p - 1].Start(body, state, p);
            body(0, state);
            for (int p = 1; p < parts; p++) ws[p - 1].WaitDone();
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    private static Worker[] EnsureWorkers(int count)
    {
        Worker[] ws = workers;
        if (ws.Length >= count) return ws;
        lock (growLock)
        {
            ws = workers;
            if (ws.Length >= count) return ws;
            var grown = new Worker[count];
            Array.Copy(ws, grown, ws.Length);
            for (int i = ws.Length; i < count; i++) grown[i] = new Worker(i + 1);
            workers = grown;
            return grown;
        }
    }

    private sealed class Worker
    {
        private delegate*<int, void*, void> body;
        private void* state;
        private int part;
        private int posted;    // jobs posted by the caller
        private int finished;  // jobs the worker has finished
        private int sleeping;  // 1 while the worker is (about to be) blocked on wake
        private readonly AutoResetEvent wake = new(false);

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"RnnLab numerics worker {index}" };
            thread.Start();
        }

        public void Start(delegate*<int, void*, void> body, void* state, int part)
        {
            this.body = body;
            this.state = state;
            this.part = part;
            Interlocked.Increment(ref posted); // full fence: the fields above are visible before the new count
            if (Interlocked.Exchange(ref sleeping, 0) == 1) wake.Set();
        }

        public void WaitDone()
        {
            int target = Volatile.Read(ref posted);
            var spin = new SpinWait();
            while (Volatile.Read(ref finished) != target) spin.SpinOnce(sleep1Threshold: -1);
        }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                while (Volatile.Read(ref posted) == seen)
                {
                    if (Stopwatch.GetTimestamp() - start > SpinTicks)
                    {
                        Volatile.Write(ref sleeping, 1);
                        Interlocked.MemoryBarrier();
                        // Re-check after announcing sleep: a job posted in between has either seen sleeping = 1
                        // (and will Set) or we see it here.
                        if (Volatile.Read(ref posted) == seen) wake.WaitOne();
                        Volatile.Write(ref sleeping, 0);
                        start = Stopwatch.GetTimestamp();
                    }
                    else Thread.SpinWait(8);
                }
                seen++;
                body(part, state);
                Volatile.Write(ref finished, seen);
            }
        }
    }
}
