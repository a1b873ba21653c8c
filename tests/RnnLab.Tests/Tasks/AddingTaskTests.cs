using RnnLab.Numerics;
using RnnLab.Tasks;

namespace RnnLab.Tests.Tasks;

public class AddingTaskTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(50)]
    [InlineData(101)]
    public void Two_markers_one_in_each_half_and_the_target_is_their_sum(int steps)
    {
        var task = new AddingTask(steps);
        var batch = task.Generate(200, new SeededRandom((ulong)steps));
        for (int b = 0; b < batch.Size; b++)
        {
            var marked = new List<int>();
            for (int t = 0; t < steps; t++)
            {
                var x = batch.Input(t, b);
                Assert.InRange(x[0], 0f, 1f);
                Assert.True(x[1] is 0f or 1f);
                if (x[1] == 1f) marked.Add(t);
            }
            Assert.Equal(2, marked.Count);
            Assert.InRange(marked[0], 0, steps / 2 - 1);
            Assert.InRange(marked[1], steps / 2, steps - 1);
            Assert.Equal(batch.Input(marked[0], b)[0] + batch.Input(marked[1], b)[0], batch.Targets[b]);
        }
    }

    [Fact]
    public void Predicting_one_scores_the_stated_chance_level()
    {
        var task = new AddingTask(40);
        var batch = task.Generate(20_000, new SeededRandom(5));
        var score = task.Score(batch, Enumerable.Repeat(1f, batch.Size).ToArray());
        Assert.Equal(1.0 / 6.0, task.ChanceLoss);
        Assert.InRange(score.Loss, 1.0 / 6 - 0.006, 1.0 / 6 + 0.006);           // ±4 standard errors
        Assert.InRange(score.Metric, task.ChanceMetric - 0.008, task.ChanceMetric + 0.008);
        // 1 is the best constant: any other constant c adds (c − 1)².
        var shifted = task.Score(batch, Enumerable.Repeat(1.2f, batch.Size).ToArray());
        Assert.InRange(shifted.Loss - score.Loss, 0.04 - 0.005, 0.04 + 0.005);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-5)]
    public void Too_short_sequences_are_rejected(int steps)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AddingTask(steps));
        Assert.StartsWith($"adding problem needs T >= 2 (one marker in each half), got {steps}", e.Message);
    }
}
