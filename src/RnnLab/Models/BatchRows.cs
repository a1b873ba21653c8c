using System.Runtime.InteropServices;
using RnnLab.Numerics;

namespace RnnLab.Models;

/// <summary>
/// A recurrent layer computes row b of the batch at step t from row b at step t−1 alone: the row of the recurrent
/// GEMM, the gate non-linearities, the state update, and in the backward walk their derivatives. So a whole walk
/// through time splits by batch rows: <see cref="For"/> cuts [0, B) into contiguous blocks, one per thread, and
/// each thread walks its block through all T steps with no join between steps. Splitting every step instead (each
/// step's GEMM by columns, its gates by rows) costs two forks and joins per step, which at B = 32, H = 128 is as
/// long as the step's arithmetic. A row's numbers come from the same kernel calls whichever block holds it (a GEMM
/// computes each row of C the same way for any number of rows), so the result does not depend on the thread count.
/// </summary>
internal static unsafe class BatchRows
{
    /// <summary>Rows × width × steps below which a walk stays on one thread.</summary>
    internal static long MinWork = 2048;

    /// <summary>
    /// Blocks for a walk: one per thread when it has enough work to pay for a fork (about a microsecond on a spinning
    /// worker, against roughly a nanosecond per hidden unit, row and step), and never more than the rows.
    /// </summary>
    internal static int Parts(int batch, long work) =>
        Parallelism.Threads > 1 && batch > 1 && work >= MinWork ? Math.Min(Parallelism.Threads, batch) : 1;

    /// <summary>
    /// Runs <paramref name="block"/>(first, end) over the blocks of <see cref="Parts"/>(<paramref name="batch"/>,
    /// <paramref name="work"/>) on the caller and the workers; with one block, on the caller alone.
    /// An exception in a block is rethrown on the caller once every block has ended. Allocates nothing: a training
    /// step makes no garbage.
    /// </summary>
    internal static void For(int batch, long work, Action<int, int> block)
    {
        int parts = Parts(batch, work);
        if (parts == 1) { block(0, batch); return; }
        GCHandle handle = GCHandle.Alloc(block);
        try
        {
            var job = new Job { Block = GCHandle.ToIntPtr(handle), Batch = batch, Parts = parts };
            Parallelism.For(parts, &RunBlock, &job);
        }
        finally { handle.Free(); }
    }

    struct Job
    {
        public nint Block;   // a GCHandle to the Action<int, int>
        public int Batch, Parts;
    }

    static void RunBlock(int part, void* state)
    {
        ref readonly Job job = ref *(Job*)state;
        var block = (Action<int, int>)GCHandle.FromIntPtr(job.Block).Target!;
        block((int)((long)job.Batch * part / job.Parts), (int)((long)job.Batch * (part + 1) / job.Parts));
    }

    /// <summary>
    /// The threads a GEMM inside a block may use: its own thread when the walk is split between threads, else all of
    /// them (a single row, or a walk too small to split, still splits a GEMM big enough by columns).
    /// </summary>
    internal static int GemmThreads(int batch, int first, int end) => end - first < batch ? 1 : Parallelism.Threads;
}
