using System.Diagnostics;
using System.Runtime.ExceptionServices;

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

    /// <summary>
    /// The default of every verb's <c>--threads</c>: the cores this process may run on, as PyTorch's default
    /// <c>torch.get_num_threads()</c>. .NET's <see cref="Environment.ProcessorCount"/> on Linux already counts only
    /// the CPUs in the process's affinity mask (taskset, cpusets) and rounds a cgroup CPU quota (a container's
    /// <c>--cpus</c>, Kubernetes' limits) up to whole cores; <c>DOTNET_PROCESSOR_COUNT</c> overrides both.
    /// </summary>
    public static int DefaultThreads => Math.Max(1, Environment.ProcessorCount);

    /// <summary>Sets <see cref="Threads"/> until the returned scope is disposed, then restores the previous value.</summary>
    public static ThreadScope Use(int threads)
    {
        var scope = new ThreadScope(Threads);
        Threads = threads;
        return scope;
    }

    /// <summary>Restores the thread setting <see cref="Use"/> replaced.</summary>
    public readonly struct ThreadScope(int previous) : IDisposable
    {
        public void Dispose() => Threads = previous;
    }

    /// <summary>Threads a single kernel call may use (1 = no forking). Clamped to at least 1.</summary>
    public static int Threads
    {
        get => threads;
        set => threads = Math.Max(1, value);
    }

    /// <summary>How long an idle worker spins before it blocks: long enough to bridge the serial stretches of a
    /// training step between two forks (the probe after a walk, the bias column sums: hundreds of microseconds each),
    /// since a fork that must wake a sleeping worker waits out the wake-up of an idle vCPU (a millisecond or more)
    /// and runs mostly on the caller; short enough that a stopped loop releases the core almost at once.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 500; // 2 ms

    /// <summary>
    /// The same budget counted in spin rounds, which only advance while the worker is on a core. The worker blocks
    /// only when both are used up: on a loaded machine a worker descheduled for milliseconds would otherwise find
    /// its wall-clock budget spent the moment it runs again and go to sleep just as the next job arrives.
    /// </summary>
    private static readonly int SpinRounds = CalibrateSpinRounds();

    private const int SpinPerRound = 8;

    private static int CalibrateSpinRounds()
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < 1000; i++) Thread.SpinWait(SpinPerRound);
        double perRound = Math.Max(1, Stopwatch.GetTimestamp() - start) / 1000.0;
        return (int)Math.Clamp(SpinTicks / perRound, 1000, 1_000_000);
    }

    // One job slot, owned by whoever holds `busy`. Parts are claimed through `claim` = (generation << 32) | next
    // part, so the caller claims any part no worker has picked up yet: when a worker is descheduled (two cores shared
    // with other processes) the call degrades to the caller doing the work itself instead of waiting for a time slice.
    private static delegate*<int, void*, void> jobBody;
    private static void* jobState;
    private static int jobParts;
    private static int jobGeneration;
    private static long claim;
    private static int completed;
    private static ExceptionDispatchInfo? jobError; // the first part that threw, rethrown on the caller after the join

    private static Thread[] workers = [];
    private static readonly object growLock = new();
    private const int MaxWorkers = 64; // one bit each in `sleepers`
    private static readonly AutoResetEvent[] wakes = new AutoResetEvent[MaxWorkers];
    private static long sleepers; // bit i set while worker i is (about to be) blocked on wakes[i]: one bit per wake slot
    private static int busy;     // 1 while some caller owns the job slot; a concurrent caller runs its parts inline

    // Back-off state, touched only by the owner of `busy`.
    private static BackOffWindow backOff;
    /// <summary>Whether late forks make the next calls serial (tests switch it off to keep the workers in play).</summary>
    internal static bool BackOff = true;
    internal enum Fork { Prompt, Late, Unjudged }

    /// <summary>
    /// What one fork says about the workers getting cores. Late: no worker took a part, or the caller waited for one
    /// longer than <see cref="LateTicks"/> and longer than half its own share. Unjudged: the fork had to wake a worker
    /// that was asleep or only starting, whose wake-up (milliseconds for an idle vCPU of a virtual machine) says
    /// nothing about contention; counting it as late made every retry after a serial stretch late again (the worker
    /// sleeps through a stretch of big GEMMs), so on idle cores --threads 2 stayed serial. The next call finds the
    /// worker spinning and is judged.
    /// </summary>
    internal static Fork Judge(bool wokeWorker, int byCaller, int parts, long joinWaitTicks, long callerTicks) =>
        wokeWorker ? Fork.Unjudged
        : byCaller == parts || (joinWaitTicks > LateTicks && 2 * joinWaitTicks > callerTicks) ? Fork.Late
        : Fork.Prompt;

    /// <summary>
    /// The back-off in time: after a late fork every call runs on the caller alone for penalty × <see cref="TicksPerPenalty"/>,
    /// the penalty doubling (+1) with each late fork in a row and shrinking by one with each prompt one. Counted in time,
    /// not in calls, because calls differ by four orders of magnitude: a small GEMM takes microseconds, a whole walk
    /// through time split by batch rows milliseconds, so a window of a fixed number of calls would be a few hundred
    /// microseconds in one place and several whole training steps in another.
    /// </summary>
    internal struct BackOffWindow
    {
        /// <summary>Serial time per unit of penalty.</summary>
        public static readonly long TicksPerPenalty = Stopwatch.Frequency / 5000; // 200 µs
        /// <summary>Sleeping workers are woken this long before the window ends, so the retry meets a spinning worker.</summary>
        public static readonly long PreWakeTicks = Stopwatch.Frequency / 10_000; // 100 µs
        public const int MaxPenalty = 1024;                                     // at most about 0.2 s serial

        public int Penalty { get; private set; }
        long serialUntil;
        bool woken;

        /// <summary>Whether a call at <paramref name="now"/> runs serially; <paramref name="wake"/> asks, once per window, for the sleepers to be woken.</summary>
        public bool Serial(long now, out bool wake)
        {
            wake = false;
            if (now >= serialUntil) return false;
            if (!woken && serialUntil - now <= PreWakeTicks) wake = woken = true;
            return true;
        }

        /// <summary>Takes one fork's verdict, made at <paramref name="now"/>.</summary>
        public void Record(Fork fork, long now)
        {
            switch (fork)
            {
                case Fork.Late:
                    Penalty = Math.Min(2 * Penalty + 1, MaxPenalty);
                    serialUntil = now + Penalty * TicksPerPenalty;
                    woken = false;
                    break;
                case Fork.Prompt:
                    if (Penalty > 0) Penalty--;
                    break;
            }
        }
    }
    /// <summary>A join wait longer than this means a worker lost its core mid-part (an idle join takes ~1 µs).</summary>
    private static readonly long LateTicks = Stopwatch.Frequency / 50_000; // 20 µs

    /// <summary>
    /// Runs <paramref name="body"/>(part, state) for part = 0..parts-1 on the calling thread and up to parts-1
    /// workers, and returns when all are done. If the workers are already in use (a call from another thread), all
    /// parts run on the caller, one after another. <paramref name="state"/> must stay valid until the call returns.
    /// A part that throws does not stop the others: every part runs, the call returns only after all have finished
    /// (so no worker still reads <paramref name="state"/> from an unwound frame), and then the first exception is
    /// rethrown on the caller with its original stack trace, wherever it was thrown. <paramref name="threads"/> caps the
    /// threads that take parts (the caller included) when there are more parts than threads.
    /// </summary>
    internal static void For(int parts, delegate*<int, void*, void> body, void* state, int threads = int.MaxValue)
    {
        if (parts <= 1 || Interlocked.CompareExchange(ref busy, 1, 0) != 0)
        {
            for (int p = 0; p < parts; p++) body(p, state);
            return;
        }
        if (BackOff && backOff.Serial(Stopwatch.GetTimestamp(), out bool wake))
        {
            // Wake sleeping workers shortly before forking is tried again, so the retry measures a worker that is
            // spinning, not the latency of waking one.
            if (wake) WakeSleepers(workers.Length);
            Volatile.Write(ref busy, 0);
            for (int p = 0; p < parts; p++) body(p, state);
            return;
        }
        try
        {
            int started = workers.Length;
            int helpers = EnsureWorkers(Math.Min(Math.Min(parts, threads) - 1, wakes.Length));
            int generation = jobGeneration + 1;
            jobBody = body;
            jobState = state;
            jobParts = parts;
            completed = 0;
            jobError = null;
            Volatile.Write(ref claim, (long)generation << 32);
            Volatile.Write(ref jobGeneration, generation); // publishes the fields above
            bool woke = WakeSleepers(helpers) || workers.Length > started;
            long start = Stopwatch.GetTimestamp();
            int byCaller = Participate(generation, body, state, parts);
            long joinStart = Stopwatch.GetTimestamp();
            var spin = new SpinWait();
            while (Volatile.Read(ref completed) != parts) spin.SpinOnce(sleep1Threshold: -1);
            if (Interlocked.Exchange(ref jobError, null) is { } error) error.Throw();
            // Back off when forking did not pay: no worker took a part (it was asleep or had no core, and waking it
            // cost a system call and possibly a context switch on the caller's core), or the caller waited for a
            // worker that lost its core in the middle of a part (longer than LateTicks, and longer than half the
            // caller's own share, so a big GEMM's normal jitter does not count). On a machine busy with other
            // processes this turns --threads 2 into single-threaded runs with brief retries, instead of every
            // small GEMM waiting for a time slice.
            long end = Stopwatch.GetTimestamp();
            backOff.Record(Judge(woke, byCaller, parts, end - joinStart, joinStart - start), end);
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/>(first, end, state) over <paramref name="parts"/> contiguous ranges [first, end)
    /// that together cover [0, <paramref name="count"/>) once, through <see cref="For"/>. A body that computes each
    /// index the same way whichever range holds it gives results that do not depend on <paramref name="parts"/>.
    /// </summary>
    internal static void ForRanges(int count, int parts, delegate*<int, int, void*, void> body, void* state)
    {
        var job = new RangeJob { Body = body, State = state, Count = count, Parts = Math.Max(1, parts) };
        For(job.Parts, &RunRange, &job);
    }

    private struct RangeJob
    {
        public delegate*<int, int, void*, void> Body;
        public void* State;
        public int Count, Parts;
    }

    private static void RunRange(int part, void* state)
    {
        ref readonly RangeJob job = ref *(RangeJob*)state;
        job.Body((int)((long)job.Count * part / job.Parts), (int)((long)job.Count * (part + 1) / job.Parts), job.State);
    }

    /// <summary>
    /// The fork/join of the kernels for coarse work such as the two directions of a
    /// bidirectional layer: <paramref name="body"/>(part) for part = 0..parts-1, on the caller and up to
    /// <see cref="Threads"/> − 1 workers, each thread claiming the next part not yet taken when it is free (so parts are
    /// best listed longest first), else one after another. Kernels a part calls find the workers taken and run on that
    /// part's own thread. An exception in a part is rethrown on the caller.
    /// </summary>
    public static void ForEach(int parts, Action<int> body)
    {
        if (Threads <= 1 || parts <= 1)
        {
            for (int p = 0; p < parts; p++) body(p);
            return;
        }
        var job = new CoarseJob(body);
        var handle = System.Runtime.InteropServices.GCHandle.Alloc(job);
        try { For(parts, &RunCoarse, (void*)System.Runtime.InteropServices.GCHandle.ToIntPtr(handle), Threads); }
        finally { handle.Free(); }
        if (job.Failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(job.Failure).Throw();
    }

    private sealed class CoarseJob(Action<int> body)
    {
        public readonly Action<int> Body = body;
        public Exception? Failure;
    }

    private static void RunCoarse(int part, void* state)
    {
        var job = (CoarseJob)System.Runtime.InteropServices.GCHandle.FromIntPtr((nint)state).Target!;
        try { job.Body(part); }
        catch (Exception e) { Interlocked.CompareExchange(ref job.Failure, e, null); }
    }

    /// <summary>Claims and runs parts of job <paramref name="generation"/> until none is left; returns how many it ran.</summary>
    private static int Participate(int generation, delegate*<int, void*, void> body, void* state, int parts)
    {
        int ran = 0;
        while (true)
        {
            long current = Volatile.Read(ref claim);
            // A claim of a later job fails here, so a late worker never runs a stale body on a new job's part.
            if ((int)(current >> 32) != generation || (int)current >= parts) return ran;
            if (Interlocked.CompareExchange(ref claim, current + 1, current) != current) continue;
            try { body((int)current, state); }
            catch (Exception e) { Interlocked.CompareExchange(ref jobError, ExceptionDispatchInfo.Capture(e), null); }
            Interlocked.Increment(ref completed);
            ran++;
        }
    }

    /// <summary>Wakes those of the first <paramref name="count"/> workers that are asleep; true when there was one.</summary>
    private static bool WakeSleepers(int count)
    {
        // Take only these workers' bits: a sleeper whose bit were cleared without its Set would never be woken again.
        long mask = count >= MaxWorkers ? -1L : (1L << count) - 1;
        long asleep = Interlocked.And(ref sleepers, ~mask) & mask;
        bool woke = false;
        for (int i = 0; i < count; i++)
            if ((asleep & (1L << i)) != 0) { wakes[i].Set(); woke = true; }
        return woke;
    }

    private static int EnsureWorkers(int count)
    {
        if (workers.Length >= count) return count;
        lock (growLock)
        {
            Thread[] ws = workers;
            if (ws.Length >= count) return count;
            var grown = new Thread[count];
            Array.Copy(ws, grown, ws.Length);
            for (int i = ws.Length; i < count; i++)
            {
                wakes[i] = new AutoResetEvent(false);
                int index = i;
                grown[i] = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"RnnLab numerics worker {i + 1}" };
                grown[i].Start();
            }
            workers = grown;
            return count;
        }
    }

    private static void WorkerLoop(int index)
    {
        int seen = Volatile.Read(ref jobGeneration);
        long bit = 1L << index;
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            int rounds = 0, generation;
            while ((generation = Volatile.Read(ref jobGeneration)) == seen)
            {
                if (++rounds > SpinRounds && Stopwatch.GetTimestamp() - start > SpinTicks)
                {
                    Interlocked.Or(ref sleepers, bit);
                    // Re-check after announcing sleep: a job posted in between either saw our bit (and Sets the
                    // event) or is visible here. A stale Set only causes one spurious wake-up.
                    if (Volatile.Read(ref jobGeneration) == seen) wakes[index].WaitOne();
                    Interlocked.And(ref sleepers, ~bit);
                    start = Stopwatch.GetTimestamp();
                    rounds = 0;
                }
                else Thread.SpinWait(SpinPerRound);
            }
            seen = generation;
            Participate(generation, jobBody, jobState, jobParts);
        }
    }
}
