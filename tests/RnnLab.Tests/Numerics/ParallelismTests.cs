using RnnLab.Numerics;

namespace RnnLab.Tests.Numerics;

[Collection(GlobalStatics.Name)]
public unsafe class ParallelismTests
{
    private static void Count(int part, void* state) => Interlocked.Increment(ref ((int*)state)[part]);

    /// <summary>Runs <paramref name="body"/> with the back-off off, so every call forks to the workers.</summary>
    static void WithoutBackOff(Action body)
    {
        bool saved = Parallelism.BackOff;
        Parallelism.BackOff = false;
        try { body(); }
        finally { Parallelism.BackOff = saved; }
    }

    [Fact]
    public void For_RunsEveryPartExactlyOnce() => WithoutBackOff(() =>
    {
        int* counts = stackalloc int[5];
        foreach (int parts in new[] { 1, 2, 3, 5 })
            for (int call = 0; call < 2000; call++)
            {
                for (int p = 0; p < 5; p++) counts[p] = 0;
                Parallelism.For(parts, &Count, counts);
                for (int p = 0; p < 5; p++)
                    Assert.True(counts[p] == (p < parts ? 1 : 0), $"parts={parts} call {call}: part {p} ran {counts[p]} times");
            }
    });

    [Fact]
    public void For_FromManyThreadsAtOnce_RunsEveryPartOnce()
    {
        // Concurrent callers: one owns the workers, the others run their parts inline; none may lose or repeat a part.
        Parallel.For(0, 4, _ =>
        {
            int* counts = stackalloc int[2];
            for (int call = 0; call < 500; call++)
            {
                counts[0] = counts[1] = 0;
                Parallelism.For(2, &Count, counts);
                Assert.True(counts[0] == 1 && counts[1] == 1, $"call {call}: parts ran {counts[0]} and {counts[1]} times");
            }
        });
    }

    struct Ownership { public int Caller; public int Part0; public int Part1; }

    static void RecordThread(int part, void* state)
    {
        var o = (Ownership*)state;
        Thread.SpinWait(2000);   // a part long enough for a spinning worker to claim the other one
        if (part == 0) o->Part0 = Environment.CurrentManagedThreadId; else o->Part1 = Environment.CurrentManagedThreadId;
    }

    [Fact]
    public void A_worker_really_takes_parts() => WithoutBackOff(() =>
    {
        // Every part may legitimately run on the caller (a worker without a core), so count over many calls: a fork
        // whose workers never run anything would pass every other test here while buying nothing.
        var o = new Ownership { Caller = Environment.CurrentManagedThreadId };
        int byWorker = 0;
        for (int call = 0; call < 2000 && byWorker < 20; call++)
        {
            Parallelism.For(2, &RecordThread, &o);
            if (o.Part0 != o.Caller || o.Part1 != o.Caller) byWorker++;
        }
        Assert.True(byWorker >= 20, $"a worker ran a part in only {byWorker} of 2000 calls");
    });

    [Fact]
    public void A_fork_that_had_to_wake_its_worker_is_not_judged_late()
    {
        long ms = System.Diagnostics.Stopwatch.Frequency / 1000;
        // the caller ran both parts: late if the worker was awake (it had no core), unjudged if it had to be woken
        Assert.Equal(Parallelism.Fork.Late, Parallelism.Judge(false, 2, 2, 0, ms));
        Assert.Equal(Parallelism.Fork.Unjudged, Parallelism.Judge(true, 2, 2, 0, ms));
        // the caller waited 5 ms at the join after 1 ms of its own work
        Assert.Equal(Parallelism.Fork.Late, Parallelism.Judge(false, 1, 2, 5 * ms, ms));
        Assert.Equal(Parallelism.Fork.Unjudged, Parallelism.Judge(true, 1, 2, 5 * ms, ms));
        // a short wait, or one small beside the caller's share, is prompt
        Assert.Equal(Parallelism.Fork.Prompt, Parallelism.Judge(false, 1, 2, 0, ms));
        Assert.Equal(Parallelism.Fork.Prompt, Parallelism.Judge(false, 1, 2, ms / 4, ms));
    }

    [Fact]
    public void A_late_fork_makes_calls_serial_for_a_time_that_doubles_with_each_late_fork_in_a_row()
    {
        long unit = Parallelism.BackOffWindow.TicksPerPenalty, wakeAhead = Parallelism.BackOffWindow.PreWakeTicks;
        var w = new Parallelism.BackOffWindow();
        Assert.False(w.Serial(0, out _));
        w.Record(Parallelism.Fork.Late, 1000);                        // penalty 1: serial for one unit
        Assert.True(w.Serial(1000, out bool wake));
        Assert.False(wake);
        Assert.True(w.Serial(1000 + unit - 1, out wake));
        Assert.True(wake);                                            // within the pre-wake time of the end: wake once
        Assert.True(w.Serial(1000 + unit - 1, out wake));
        Assert.False(wake);
        Assert.False(w.Serial(1000 + unit, out _));                   // the window is time, however many calls ran in it
        w.Record(Parallelism.Fork.Late, 5000);                        // penalty 3
        Assert.Equal(3, w.Penalty);
        Assert.True(w.Serial(5000 + 3 * unit - wakeAhead - 1, out wake));
        Assert.False(wake);
        Assert.False(w.Serial(5000 + 3 * unit, out _));
        long later = 5000 + 3 * unit;
        w.Record(Parallelism.Fork.Unjudged, later);                   // a woken worker says nothing
        Assert.Equal(3, w.Penalty);
        Assert.False(w.Serial(later, out _));
        w.Record(Parallelism.Fork.Prompt, later);
        Assert.Equal(2, w.Penalty);
        for (int i = 0; i < 20; i++) w.Record(Parallelism.Fork.Late, 0);
        Assert.Equal(Parallelism.BackOffWindow.MaxPenalty, w.Penalty); // bounded: at most MaxPenalty units serial
    }

    struct Throwing { public int Caller; public int OtherStarted; public int OtherFinished; public int ThrowOnWorker; }

    static void ThrowInPartZero(int part, void* state)
    {
        var s = (Throwing*)state;
        if (part == 1)
        {
            Volatile.Write(ref s->OtherStarted, 1);
            Thread.Sleep(30);
            Volatile.Write(ref s->OtherFinished, 1);
            return;
        }
        // Give part 1 a chance to be running elsewhere, so unwinding early would leave it reading this frame.
        for (int i = 0; i < 200 && Volatile.Read(ref s->OtherStarted) == 0; i++) Thread.Sleep(1);
        throw new InvalidOperationException("part 0 failed");
    }

    [Fact]
    public void A_throwing_part_is_rethrown_on_the_caller_after_every_part_finished() => WithoutBackOff(() =>
    {
        for (int call = 0; call < 20; call++)
        {
            var s = new Throwing();
            string? message = null;
            try { Parallelism.For(2, &ThrowInPartZero, &s); }
            catch (InvalidOperationException e) { message = e.Message; }
            Assert.Equal("part 0 failed", message);
            Assert.True(Volatile.Read(ref s.OtherFinished) == 1, $"call {call}: For returned while part 1 was still running");
        }
        // The workers survived: the next call runs every part.
        int* counts = stackalloc int[2];
        Parallelism.For(2, &Count, counts);
        Assert.True(counts[0] == 1 && counts[1] == 1);
    });

    static void ThrowOffTheCaller(int part, void* state)
    {
        var s = (Throwing*)state;
        Thread.SpinWait(2000);
        if (Environment.CurrentManagedThreadId != s->Caller)
        {
            Interlocked.Increment(ref s->ThrowOnWorker);
            throw new ArithmeticException($"part {part} failed on a worker");
        }
    }

    [Fact]
    public void An_exception_on_a_worker_thread_reaches_the_caller() => WithoutBackOff(() =>
    {
        // Before, an exception on a worker ended the process; now it surfaces as the caller's exception.
        var s = new Throwing { Caller = Environment.CurrentManagedThreadId };
        int caught = 0;
        for (int call = 0; call < 2000 && caught < 5; call++)
        {
            int before = s.ThrowOnWorker;
            bool threw = false;
            try { Parallelism.For(2, &ThrowOffTheCaller, &s); }
            catch (ArithmeticException e) when (e.Message.EndsWith("failed on a worker", StringComparison.Ordinal)) { threw = true; }
            Assert.True(threw == (s.ThrowOnWorker > before), $"call {call}: a part threw on a worker {s.ThrowOnWorker - before} times, the caller saw {(threw ? "it" : "nothing")}");
            if (threw) caught++;
        }
        Assert.True(caught >= 5, $"only {caught} calls had a part on a worker");
    });
}
