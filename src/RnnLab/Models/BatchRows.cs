using RnnLab.Numerics;

namespace RnnLab.Models;

/// <summary>
/// The point-wise part of a recurrent time step (gate non-linearities, the state update and their derivatives)
/// computes row b of the batch from row b alone, so the threads can take whole rows: <see cref="For"/> splits the
/// rows [0, B) into contiguous parts, one per thread. A cell's row body runs the same kernel calls on a row whichever
/// part takes it (one call per row, never one per part), so the result does not depend on the thread count.
/// </summary>
internal static unsafe class BatchRows
{
    /// <summary>Rows × width below which a step's point-wise part stays on one thread.</summary>
    internal static int MinWork = 2048;

    /// <summary>
    /// Threads for a step's point-wise part: one part per thread when a step has enough of it to pay for a fork
    /// (about a microsecond on a spinning worker, against roughly a nanosecond per hidden unit and row).
    /// </summary>
    internal static int Parts(int batch, int width) =>
        Parallelism.Threads > 1 && batch > 1 && (long)batch * width >= MinWork ? Math.Min(Parallelism.Threads, batch) : 1;

    /// <summary>
    /// Runs <paramref name="body"/>(first, end, state) over the rows [first, end) of every part of [0, batch), on
    /// the caller and the workers. <paramref name="width"/> is the hidden units a row computes (for the threshold);
    /// <paramref name="state"/> points at the cell's pointers into arrays the caller keeps pinned for the call.
    /// </summary>
    internal static void For(int batch, int width, delegate*<int, int, void*, void> body, void* state)
        => Parallelism.ForRanges(batch, Parts(batch, width), body, state);
}
