using RnnLab.Numerics;

namespace RnnLab.Tasks;

/// <summary>
/// Subject–verb number agreement across distractors (Linzen, Dupoux &amp; Goldberg 2016), the lesson's long-range
/// dependency: "The cat that sat on the mat by the window in the old kitchen was hungry."
/// Each sequence is a sentence of <see cref="AgreementGrammar"/> up to the word before the verb, one-hot over
/// <see cref="AgreementVocabulary.Words"/>; at the last step the network predicts the verb's number, as a language
/// model would predict "was" or "were" next. The subject is the second word, so with distance d
/// (verb index − subject index) the sequence has T = d + 1 steps and the subject enters d − 1 steps before the
/// prediction. Label 0 singular, 1 plural, drawn with equal probability.
/// Chance: 50% accuracy and cross-entropy ln 2, by guessing without memory of the subject.
/// </summary>
public sealed class AgreementTask : ISequenceTask
{
    public AgreementTask(int distance, double attractorRate = 0.5)
    {
        AgreementGrammar.CheckParameters(distance, attractorRate);
        Distance = distance;
        AttractorRate = attractorRate;
    }

    public int Distance { get; }
    public double AttractorRate { get; }

    public string Name => "agreement";
    public int InputSize => AgreementVocabulary.Count;
    public int OutputSize => 2;
    public int Steps => Distance + 1;
    public TargetKind TargetKind => TargetKind.ClassificationAtLastStep;
    public string LossName => "cross-entropy";
    public string MetricName => "accuracy";
    public bool HigherMetricIsBetter => true;
    public double ChanceLoss => Math.Log(2);
    public double ChanceMetric => 0.5;
    public string ChanceStrategy => "guess singular or plural with equal probability";

    public SequenceBatch Generate(int batch, SeededRandom rng) => Generate(batch, rng, null);

    /// <summary>As <see cref="Generate(int, SeededRandom)"/>, also collecting the sentences in batch order.</summary>
    public SequenceBatch Generate(int batch, SeededRandom rng, List<AgreementSentence>? sentences)
    {
        Scoring.CheckBatchSize(batch);
        var result = new SequenceBatch(TargetKind, Steps, batch, InputSize, OutputSize);
        var choices = new RandomChoices(rng);
        for (int b = 0; b < batch; b++)
        {
            var s = AgreementGrammar.Generate(Distance, AttractorRate, choices);
            Encode(s, result, b);
            sentences?.Add(s);
        }
        return result;
    }

    /// <summary>Writes the words before the verb one-hot into sequence <paramref name="b"/>, and the label.</summary>
    public void Encode(AgreementSentence sentence, SequenceBatch batch, int b)
    {
        if (sentence.VerbIndex != Steps)
            throw new ArgumentException($"sentence has its verb at word {sentence.VerbIndex + 1}, this task needs {Steps + 1} (distance {Distance}): \"{sentence.Render()}\"");
        for (int t = 0; t < Steps; t++)
        {
            var x = batch.Input(t, b);
            x.Clear();
            x[AgreementVocabulary.Index(sentence.Words[t])] = 1;
        }
        batch.Labels[b] = (int)sentence.Number;
    }

    public TaskScore Score(SequenceBatch batch, ReadOnlySpan<float> outputs) => Scoring.LastStepClassification(batch, outputs);
}
