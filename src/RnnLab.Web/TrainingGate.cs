namespace RnnLab.Web;

/// <summary>
/// Admission for training runs: at most <c>concurrent</c> run at once, at most <c>queueLength</c> wait in line,
/// and any further request is told the server is busy. Waiting respects the request's cancellation, so a visitor
/// who leaves while queued gives up their place. Holds no per-run state: each run's data lives in its request.
/// </summary>
public sealed class TrainingGate(int concurrent, int queueLength) : IDisposable
{
    readonly SemaphoreSlim slots = new(concurrent, concurrent);
    int waiting;
    int running;

    public int Running => Volatile.Read(ref running);
    public int Waiting => Volatile.Read(ref waiting);

    /// <summary>A held slot; dispose to release it.</summary>
    public sealed class Slot(TrainingGate gate) : IDisposable
    {
        int released;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) != 0) return;
            Interlocked.Decrement(ref gate.running);
            gate.slots.Release();
        }
    }

    /// <summary>
    /// Waits for a slot. Returns null when the queue is full. <paramref name="onQueued"/> is called with the number of
    /// runs ahead when the request has to wait. Throws <see cref="OperationCanceledException"/> if cancelled while waiting.
    /// </summary>
    public async Task<Slot?> EnterAsync(Func<int, Task> onQueued, CancellationToken ct)
    {
        if (slots.Wait(0, ct)) return Acquired();
        int ahead = Interlocked.Increment(ref waiting);
        try
        {
            if (ahead > queueLength) return null;
            await onQueued(ahead).ConfigureAwait(false);
            await slots.WaitAsync(ct).ConfigureAwait(false);
            return Acquired();
        }
        finally
        {
            Interlocked.Decrement(ref waiting);
        }
    }

    Slot Acquired()
    {
        Interlocked.Increment(ref running);
        return new Slot(this);
    }

    public void Dispose() => slots.Dispose();
}
