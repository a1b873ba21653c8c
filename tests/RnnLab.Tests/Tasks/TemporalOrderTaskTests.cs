using RnnLab.Numerics;
using RnnLab.Tasks;

namespace RnnLab.Tests.Tasks;

public class TemporalOrderTaskTests
{
    [Theory]
    [InlineData(10), InlineData(37), InlineData(200)]
    public void Two_relevant_symbols_in_their_windows_and_the_label_is_their_order(int length)
    {
        var task = new TemporalOrderTask(length);
        var batch = task.Generate(200, new SeededRandom(5));
        int w = length / 10;
        for (int b = 0; b < batch.Size; b++)
        {
            var relevant = new List<(int T, int Symbol)>();
            for (int t = 0; t < length; t++)
            {
                var x = batch.Input(t, b);
                Assert.Equal(1f, x.ToArray().Sum());
                int symbol = x.IndexOf(1f);
                if (symbol < TemporalOrderTask.Relevant) relevant.Add((t, symbol));
            }
            Assert.Equal(2, relevant.Count);
            Assert.InRange(relevant[0].T, w, 2 * w - 1);
            Assert.InRange(relevant[1].T, length / 2, length / 2 + w - 1);
            Assert.Equal(relevant[0].Symbol + 2 * relevant[1].Symbol, batch.Labels[b]);
        }
    }

    [Fact]
    public void Chance_level_by_simulation_matches_the_formula()
    {
        var task = new TemporalOrderTask(50);
        var batch = task.Generate(40000, new SeededRandom(8));
        // The best memoryless predictor outputs the label frequencies: its loss is their entropy, its accuracy the largest.
        var freq = new double[4];
        foreach (int l in batch.Labels) freq[l] += 1.0 / batch.Size;
        double entropy = -freq.Sum(p => p * Math.Log(p));
        Assert.InRange(entropy, task.ChanceLoss - 1e-3, task.ChanceLoss);            // ln 4, from below by sampling
        Assert.InRange(freq.Max(), task.ChanceMetric, task.ChanceMetric + 0.01);     // 25% (+4 standard errors)
        // Scoring the memoryless prediction reproduces both numbers.
        var logits = new float[batch.Size * 4];
        for (int b = 0; b < batch.Size; b++)
            for (int k = 0; k < 4; k++) logits[b * 4 + k] = (float)Math.Log(freq[k]);
        var score = task.Score(batch, logits);
        Assert.Equal(entropy, score.Loss, 5);
        Assert.Equal(Math.Log(4), task.ChanceLoss, 15);
    }

    [Fact]
    public void Too_short_a_sequence_is_rejected()
        => Assert.StartsWith("temporal order needs L >= 10", Assert.Throws<ArgumentOutOfRangeException>(() => new TemporalOrderTask(9)).Message);
}
