using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Tests;

/// <summary>
/// Tests that change process-wide numeric settings (<c>Gemm.MinWorkToSplit</c>, <c>Parallelism.BackOff</c>, ...) run in
/// this collection, which xunit runs alone: any other test running meanwhile would see the changed setting.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalStatics
{
    public const string Name = "process-wide numeric settings";

    /// <summary>
    /// Runs <paramref name="body"/> with every thread split forced on, however small the work: the GEMMs, the
    /// point-wise rows of a step, the whole-sequence element-wise passes, and no back-off to one thread.
    /// </summary>
    public static void WithEverySplitForced(Action body)
    {
        long savedGemm = Gemm.MinWorkToSplit;
        long savedRows = BatchRows.MinWork; int savedElements = Kernels.MinElementsToSplit;
        bool savedBackOff = Parallelism.BackOff;
        try
        {
            Gemm.MinWorkToSplit = 1;
            BatchRows.MinWork = 1;
            Kernels.MinElementsToSplit = 1;
            Parallelism.BackOff = false;
            body();
        }
        finally
        {
            Gemm.MinWorkToSplit = savedGemm;
            BatchRows.MinWork = savedRows;
            Kernels.MinElementsToSplit = savedElements;
            Parallelism.BackOff = savedBackOff;
        }
    }
}
