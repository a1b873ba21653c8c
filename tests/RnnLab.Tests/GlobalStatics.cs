namespace RnnLab.Tests;

/// <summary>
/// Tests that change process-wide numeric settings (<c>Gemm.MinWorkToSplit</c>, <c>Parallelism.BackOff</c>) run in
/// this collection, which xunit runs alone: any other test running meanwhile would see the changed setting.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalStatics
{
    public const string Name = "process-wide numeric settings";
}
