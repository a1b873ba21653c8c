using RnnLab.Numerics;

namespace RnnLab.Tests.Numerics;

public unsafe class ParallelismTests
{
    private static void Count(int part, void* state) => Interlocked.Increment(ref ((int*)state)[part]);

    [Fact]
    public void For_RunsEveryPartExactlyOnce()
    {
        bool saved = Parallelism.BackOff;
        Parallelism.BackOff = false;
        try
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
        }
        finally
        {
            Parallelism.BackOff = saved;
        }
    }

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
}
