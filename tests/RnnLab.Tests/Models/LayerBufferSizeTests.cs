using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Tests.Models;

/// <summary>
/// The memory estimates' per-row-step count of a layer's buffers against what a forward pass really allocates: a
/// fresh layer, one forward pass over T·B = 2,400 row-steps, the bytes the calling thread allocated in it. An
/// undercount here lets a request through that the machine then cannot hold.
/// </summary>
public class LayerBufferSizeTests
{
    [Theory]
    [InlineData("tanh", 0), InlineData("gru", 0), InlineData("lstm", 0), InlineData("lstm", 5), InlineData("exprnn", 0)]
    public void A_forward_pass_allocates_what_the_estimate_counts(string cell, int proj)
    {
        const int I = 3, H = 8, T = 60, B = 40;
        var (kind, act) = CellKinds.Parse(cell);
        var x = new float[T * B * I];
        using var scope = Parallelism.Use(1);
        // A first pass on a throwaway layer grows this thread's GEMM packing workspace, allocated once per thread.
        RecurrentLayer<float>.Create(kind, I, H, act, projectionSize: proj).Forward(x, T, B);
        var layer = RecurrentLayer<float>.Create(kind, I, H, act, projectionSize: proj);
        long before = GC.GetAllocatedBytesForCurrentThread();
        layer.Forward(x, T, B);
        double allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        double counted = RecurrentLayer<float>.BufferValuesPerRowStep(kind, I, H, proj) * T * B * sizeof(float);
        // What the count leaves out: one extra row of states (h_0, c_0), per-row carries, W_hh packed, array headers.
        Assert.InRange(allocated, counted, counted * 1.05 + 16_384);
    }
}
