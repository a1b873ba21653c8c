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

    readonly SortedSet<long> queue = [];   // tickets of the runs waiting, oldest first
    long nextTicket;

    /// <summary>Runs waiting ahead of the given ticket.</summary>
    int Ahead(long ticket)
    {
        lock (queue) return queue.GetViewBetween(long.MinValue, ticket - 1).Count;
    }

    /// <summary>
    /// Waits for a slot. Returns null when the queue is full. <paramref name="onQueued"/> is called with the number of
    /// runs ahead when the request has to wait, and again whenever that number changes (checked twice a second).
    /// Throws <see cref="OperationCanceledException"/> if cancelled while waiting.
    /// </summary>
    public async Task<Slot?> EnterAsync(Func<int, Task> onQueued, CancellationToken ct)
    {
        if (slots.Wait(0, ct)) return Acquired();
        int waitingNow = Interlocked.Increment(ref waiting);
        long ticket = Interlocked.Increment(ref nextTicket);
        Task? wait = null;
        bool admitted = false;
        try
        {
            if (waitingNow > queueLength) return null;
            lock (queue) queue.Add(ticket);
            int ahead = Ahead(ticket);
            await onQueued(ahead).ConfigureAwait(false);
            wait = slots.WaitAsync(ct);
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                if (await Task.WhenAny(wait, Task.Delay(PositionCheck, ct)).ConfigureAwait(false) == wait) break;
                int now = Ahead(ticket);
                if (now != ahead) await onQueued(ahead = now).ConfigureAwait(false);
            }
            await wait.ConfigureAwait(false);
            admitted = true;
            return Acquired();
        }
        finally
        {
            // Left the line early (the client went away while its position was being sent): a slot granted to this
            // abandoned wait later must go back, or it would be lost for good.
            if (wait is not null && !admitted)
                _ = wait.ContinueWith(t => { if (t.Status == TaskStatus.RanToCompletion) slots.Release(); }, TaskScheduler.Default);
            lock (queue) queue.Remove(ticket);
            Interlocked.Decrement(ref waiting);
        }
    }

    static readonly TimeSpan PositionCheck = TimeSpan.FromMilliseconds(500);

    Slot Acquired()
    {
        Interlocked.Increment(ref running);
        return new Slot(this);
    }

    public void Dispose() => slots.Dispose();
}
