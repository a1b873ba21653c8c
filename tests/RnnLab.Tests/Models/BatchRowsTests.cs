using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Tests.Models;

/// <summary>
/// A walk through time split by batch rows between threads: every row is walked exactly once, and every cell's
/// forward outputs and every gradient of its backward pass are the same bits at 1, 2 and 3 threads.
/// </summary>
[Collection(GlobalStatics.Name)]
public sealed class BatchRowsTests
{
    [Fact]
    public void Every_row_is_computed_exactly_once() => GlobalStatics.WithEverySplitForced(() =>
    {
        int[] counts = new int[9];
        foreach (int threads in new[] { 1, 2, 3 })
            foreach (int batch in new[] { 1, 2, 5, 9 })
                using (Parallelism.Use(threads))
                {
                    Assert.Equal(Math.Min(threads, batch), BatchRows.Parts(batch, 4));
                    for (int call = 0; call < 200; call++)
                    {
                        Array.Clear(counts);
                        BatchRows.For(batch, 4, (first, end) =>
                        {
                            for (int b = first; b < end; b++) Interlocked.Increment(ref counts[b]);
                        });
                        for (int b = 0; b < 9; b++)
                            Assert.True(counts[b] == (b < batch ? 1 : 0), $"{threads} threads, batch {batch}: row {b} computed {counts[b]} times");
                    }
                }
    });

    [Fact]
    public void A_small_step_stays_on_the_caller()
    {
        using (Parallelism.Use(2))
        {
            Assert.Equal(1, BatchRows.Parts(4, BatchRows.MinWork - 1));
            Assert.Equal(2, BatchRows.Parts(4, BatchRows.MinWork));
            Assert.Equal(1, BatchRows.Parts(1, BatchRows.MinWork));   // one row: nothing to split
        }
    }

    public static TheoryData<string> Cells() => ["tanh", "relu", "gru", "lstm"];

    [Theory]
    [MemberData(nameof(Cells))]
    public void Float32_forward_and_every_gradient_are_the_same_bits_at_1_2_and_3_threads(string cell) => GlobalStatics.WithEverySplitForced(() =>
        AssertSameBitsAcrossThreads<float>(cell));

    [Theory]
    [MemberData(nameof(Cells))]
    public void Float64_forward_and_every_gradient_are_the_same_bits_at_1_2_and_3_threads(string cell) => GlobalStatics.WithEverySplitForced(() =>
        AssertSameBitsAcrossThreads<double>(cell));

    /// <summary>Odd sizes (B = 7 splits unevenly, H = 19 leaves vector tails), initial states and a loss term at every step.</summary>
    static void AssertSameBitsAcrossThreads<T>(string cell) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        const int I = 3, H = 19, Steps = 6, B = 7;
        var (kind, act) = CellKinds.Parse(cell);
        var rng = new SeededRandom(17);
        T[] x = new T[Steps * B * I], h0 = new T[B * H], c0 = new T[kind.HasCellState() ? B * H : 0], r = new T[Steps * B * H];
        rng.FillUniform<T>(x, -1, 1);
        rng.FillUniform<T>(h0, -0.5, 0.5);
        rng.FillUniform<T>(c0, -0.5, 0.5);
        rng.FillUniform<T>(r, -1, 1);

        Dictionary<string, T[]> Run(int threads)
        {
            var layer = RecurrentLayer<T>.Create(kind, I, H, act);
            var init = new SeededRandom(5);
            foreach (var p in layer.Parameters) init.FillUniform<T>(p.Value, -0.6, 0.6);
            T[] dx = new T[x.Length], dh0 = new T[h0.Length], dc0 = new T[c0.Length];
            using (Parallelism.Use(threads))
            {
                layer.Forward(x, Steps, B, h0, c0);
                layer.ZeroGrad();
                layer.Backward(r, dx, dh0, dc0);
            }
            var result = layer.Parameters.ToDictionary(p => p.Name, p => (T[])p.Grad.Clone());
            result["output"] = layer.HiddenStates.ToArray();
            if (layer is LstmLayer<T> lstm) result["cells"] = lstm.CellStates.ToArray();
            result["dx"] = dx;
            result["dh0"] = dh0;
            result["dc0"] = dc0;
            return result;
        }

        var one = Run(1);
        foreach (int threads in new[] { 2, 3 })
            foreach (var (name, values) in Run(threads))
                Assert.True(one[name].AsSpan().SequenceEqual(values), $"{cell}.{name} differs between 1 and {threads} threads");
    }
}
