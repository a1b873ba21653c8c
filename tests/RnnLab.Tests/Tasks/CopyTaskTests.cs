using RnnLab.Numerics;
using RnnLab.Tasks;

namespace RnnLab.Tests.Tasks;

public class CopyTaskTests
{
    [Theory]
    [InlineData(1, 10, 8)]
    [InlineData(20, 10, 8)]
    [InlineData(7, 3, 4)]
    public void Symbols_blanks_delimiter_then_recall(int delay, int symbols, int categories)
    {
        var task = new CopyTask(delay, symbols, categories);
        Assert.Equal(delay + 2 * symbols, task.Steps);
        var batch = task.Generate(50, new SeededRandom(9));
        for (int b = 0; b < batch.Size; b++)
        {
            var tokens = new int[task.Steps];
            for (int t = 0; t < task.Steps; t++)
            {
                var x = batch.Input(t, b);
                Assert.Equal(1f, x.ToArray().Sum());
                tokens[t] = x.IndexOf(1f);
            }
            for (int t = 0; t < symbols; t++) Assert.InRange(tokens[t], 1, categories);
            for (int t = symbols; t < symbols + delay - 1; t++) Assert.Equal(CopyTask.Blank, tokens[t]);
            Assert.Equal(task.Delimiter, tokens[symbols + delay - 1]);
            for (int t = symbols + delay; t < task.Steps; t++) Assert.Equal(CopyTask.Blank, tokens[t]);
            for (int t = 0; t < task.Steps; t++)
                Assert.Equal(t >= task.RecallStart ? tokens[t - task.RecallStart] : CopyTask.Blank, batch.Labels[t * batch.Size + b]);
        }
    }

    [Theory]
    [InlineData(100)]
    [InlineData(5)]
    public void Memoryless_strategy_scores_the_stated_chance_level(int delay)
    {
        var task = new CopyTask(delay);
        Assert.Equal(10 * Math.Log(8) / (delay + 20), task.ChanceLoss, 15);
        var batch = task.Generate(4000, new SeededRandom(3));
        var rng = new SeededRandom(4);
        // blank with probability 1 before the recall, then uniform over the 8 symbols (random tie-break for accuracy)
        var logits = new float[task.Steps * batch.Size * task.OutputSize];
        for (int t = 0; t < task.Steps; t++)
            for (int b = 0; b < batch.Size; b++)
            {
                var l = logits.AsSpan((t * batch.Size + b) * task.OutputSize, task.OutputSize);
                l.Fill(-1e30f);
                if (t < task.RecallStart) l[CopyTask.Blank] = 0;
                else
                {
                    for (int k = 1; k <= task.Categories; k++) l[k] = 0;
                    l[1 + rng.NextInt(task.Categories)] = 1e-6f;
                }
            }
        var score = task.Score(batch, logits);
        Assert.InRange(score.Loss, task.ChanceLoss - 1e-5, task.ChanceLoss + 1e-5);
        Assert.InRange(score.Metric, 1.0 / 8 - 0.007, 1.0 / 8 + 0.007); // ±4 standard errors over 40 000 recalls
    }

    [Fact]
    public void Bad_parameters_are_rejected_with_a_clear_message()
    {
        Assert.StartsWith("copy task needs a delay T >= 1 (T - 1 blanks before the delimiter), got 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => new CopyTask(0)).Message);
        Assert.StartsWith("copy task needs at least 1 symbol to copy, got 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => new CopyTask(5, 0)).Message);
        Assert.StartsWith("copy task needs at least 2 categories, got 1",
            Assert.Throws<ArgumentOutOfRangeException>(() => new CopyTask(5, 10, 1)).Message);
    }
}
