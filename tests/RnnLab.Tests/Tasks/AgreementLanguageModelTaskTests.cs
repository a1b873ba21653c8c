using RnnLab.Numerics;
using RnnLab.Tasks;

namespace RnnLab.Tests.Tasks;

public class AgreementLanguageModelTaskTests
{
    static readonly int Was = AgreementVocabulary.Index("was"), Were = AgreementVocabulary.Index("were");

    [Theory]
    [InlineData(1), InlineData(13), InlineData(64)]
    public void Labels_are_the_next_words_and_the_verb_step_holds_the_verb(int distance)
    {
        var task = new AgreementLanguageModelTask(distance);
        var sentences = new List<AgreementSentence>();
        var batch = task.Generate(50, new SeededRandom(3), sentences);
        Assert.Equal(distance + 3, batch.Steps);
        for (int b = 0; b < batch.Size; b++)
        {
            var s = sentences[b];
            Assert.Equal(distance + 4, s.Words.Length);
            for (int t = 0; t < batch.Steps; t++)
            {
                Assert.Equal(AgreementVocabulary.Index(s.Words[t]), batch.Input(t, b).IndexOf(1f));
                Assert.Equal(AgreementVocabulary.Index(s.Words[t + 1]), batch.Labels[t * batch.Size + b]);
            }
            Assert.Equal(s.Number == GrammaticalNumber.Singular ? Was : Were, batch.Labels[task.VerbStep * batch.Size + b]);
        }
    }

    /// <summary>Logits log P(next | current) of the bigram model counted on <paramref name="fit"/>; unseen pairs get −30.</summary>
    static float[] BigramLogits(SequenceBatch fit, SequenceBatch score)
    {
        int V = AgreementVocabulary.Count;
        var counts = new double[V * V];
        for (int t = 0; t < fit.Steps; t++)
            for (int b = 0; b < fit.Size; b++) counts[fit.Input(t, b).IndexOf(1f) * V + fit.Labels[t * fit.Size + b]]++;
        var logits = new float[score.Steps * score.Size * V];
        for (int t = 0; t < score.Steps; t++)
            for (int b = 0; b < score.Size; b++)
            {
                int a = score.Input(t, b).IndexOf(1f);
                double row = 0;
                for (int c = 0; c < V; c++) row += counts[a * V + c];
                for (int c = 0; c < V; c++)
                    logits[(t * score.Size + b) * V + c] = counts[a * V + c] > 0 ? (float)Math.Log(counts[a * V + c] / row) : -30f;
            }
        return logits;
    }

    [Theory]
    [InlineData(8), InlineData(32)]
    public void Chance_level_by_simulation_matches_the_formula(int distance)
    {
        var task = new AgreementLanguageModelTask(distance);
        var fit = task.Generate(20000, new SeededRandom(11));
        var held = task.Generate(8000, new SeededRandom(12));
        var score = task.Score(held, BigramLogits(fit, held));
        // A model that sees only the current word ranks was/were no better than a coin: 50% ± 4 standard errors.
        Assert.InRange(score.Metric, task.ChanceMetric - 0.023, task.ChanceMetric + 0.023);
        // Its held-out cross-entropy is the task's bigram chance loss, up to the sampling error of both estimates.
        Assert.InRange(score.Loss, task.ChanceLoss - 0.02, task.ChanceLoss + 0.02);
        Assert.InRange(task.ChanceLoss, 0.5, Math.Log(AgreementVocabulary.Count));
    }

    [Fact]
    public void A_model_that_remembers_the_subject_agrees_and_attractors_are_counted()
    {
        var task = new AgreementLanguageModelTask(16, attractorRate: 1.0);
        var sentences = new List<AgreementSentence>();
        var batch = task.Generate(300, new SeededRandom(4), sentences);
        var logits = new float[batch.Steps * batch.Size * task.OutputSize];
        for (int b = 0; b < batch.Size; b++)
            logits[(task.VerbStep * batch.Size + b) * task.OutputSize + (sentences[b].Number == GrammaticalNumber.Singular ? Was : Were)] = 1;
        Assert.Equal(1.0, task.Score(batch, logits).Metric);
        var split = task.AccuracyByAttractors(batch, logits);
        Assert.Equal(batch.Size, split.Sum(s => s.Sentences));
        foreach (var (n, count, accuracy) in split)
        {
            Assert.Equal(sentences.Count(s => s.AttractorIndices.Length == n), count);
            Assert.Equal(1.0, accuracy);
        }
        Assert.All(sentences, s => Assert.True(s.AttractorIndices.Length > 0));
    }
}
