using RnnLab.Numerics;

namespace RnnLab.Tests.Numerics;

public class SeededRandomTests
{
    [Fact]
    public void Same_seed_gives_the_same_stream_and_different_seeds_differ()
    {
        var a = new SeededRandom(123);
        var b = new SeededRandom(123);
        var c = new SeededRandom(124);
        ulong[] sa = [.. Enumerable.Range(0, 100).Select(_ => a.NextUInt64())];
        ulong[] sb = [.. Enumerable.Range(0, 100).Select(_ => b.NextUInt64())];
        ulong[] sc = [.. Enumerable.Range(0, 100).Select(_ => c.NextUInt64())];
        Assert.Equal(sa, sb);
        Assert.NotEqual(sa, sc);
    }

    [Fact]
    public void Stream_is_pinned_so_results_stay_reproducible_across_versions()
    {
        // xoshiro256** seeded by SplitMix64(0): a change to either algorithm changes every experiment's numbers.
        var r = new SeededRandom(0);
        Assert.Equal(0x99EC5F36CB75F2B4UL, r.NextUInt64());
    }

    [Fact]
    public void State_round_trip_continues_the_stream_exactly()
    {
        var r = new SeededRandom(9);
        r.NextGaussian(); // leaves a spare Gaussian in the state
        var copy = new SeededRandom(1) { State = r.State };
        for (int i = 0; i < 10; i++) Assert.Equal(r.NextGaussian(), copy.NextGaussian());
    }

    [Fact]
    public void Moments_of_uniform_integers_and_gaussians_are_right()
    {
        var r = new SeededRandom(5);
        const int n = 200_000;
        var counts = new int[7];
        double sum = 0, sumSq = 0, usum = 0;
        for (int i = 0; i < n; i++)
        {
            counts[r.NextInt(7)]++;
            double g = r.NextGaussian();
            sum += g; sumSq += g * g;
            usum += r.NextDouble();
        }
        foreach (int k in counts) Assert.InRange(k, n / 7 * 0.97, n / 7 * 1.03);
        Assert.InRange(sum / n, -0.01, 0.01);
        Assert.InRange(sumSq / n, 0.98, 1.02);
        Assert.InRange(usum / n, 0.497, 0.503);
    }
}
