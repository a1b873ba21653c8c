using RnnLab.Numerics;

namespace RnnLab.Tasks;

/// <summary>
/// Agreement as language modelling (the LM condition of Linzen, Dupoux &amp; Goldberg 2016; the lesson's "to predict
/// 'hungry' correctly, the network must remember 'cat'"): the network reads a whole sentence of
/// <see cref="AgreementGrammar"/> one word at a time and predicts the next word at every step, trained with the mean
/// cross-entropy over all steps and nothing told about number. A sentence at distance d has d + 4 words
/// (determiner, subject, d − 1 distractor words, verb, complement, period), so T = d + 3 steps; step d reads the
/// word before the verb and is scored by whether P(was) &gt; P(were) for a singular subject (and the reverse for a
/// plural one). Inputs and outputs are one-hot over <see cref="AgreementVocabulary.Words"/>.
/// Chance, for the metric: without memory of the subject, was and were are equally likely (the numbers are drawn
/// with equal probability), so 50%. For the loss: the best model that sees only the current word (a bigram model),
/// whose cross-entropy is estimated on <see cref="ChanceSample"/> sentences of a fixed seed.
/// </summary>
public sealed class AgreementLanguageModelTask : ISequenceTask
{
    public AgreementLanguageModelTask(int distance, double attractorRate = 0.5)
    {
        AgreementGrammar.CheckParameters(distance, attractorRate);
        Distance = distance;
        AttractorRate = attractorRate;
        chanceLoss = new Lazy<double>(BigramCrossEntropy);
    }

    public int Distance { get; }
    public double AttractorRate { get; }

    public string Name => "agreement-lm";
    public int InputSize => AgreementVocabulary.Count;
    public int OutputSize => AgreementVocabulary.Count;
    public int Steps => Distance + 3;
    public TargetKind TargetKind => TargetKind.ClassificationAtEveryStep;
    public string LossName => "cross-entropy";
    public string MetricName => "agreement accuracy (P(was) vs P(were) at the verb)";
    public bool HigherMetricIsBetter => true;
    public double ChanceLoss => chanceLoss.Value;
    public double ChanceMetric => 0.5;
    public string ChanceStrategy => "predict the next word from the current word alone (a bigram model); was and were equally likely at the verb";

    /// <summary>The step whose target is the verb: it reads word d, the last distractor word.</summary>
    public int VerbStep => Distance;

    /// <summary>Sentences the bigram chance loss is estimated on.</summary>
    public const int ChanceSample = 20000;
    const ulong ChanceSeed = 0xB16A;
    readonly Lazy<double> chanceLoss;

    static readonly int Was = AgreementVocabulary.Index(AgreementVocabulary.SingularVerb);
    static readonly int Were = AgreementVocabulary.Index(AgreementVocabulary.PluralVerb);

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
            for (int t = 0; t < Steps; t++)
            {
                result.Input(t, b)[AgreementVocabulary.Index(s.Words[t])] = 1;
                result.Labels[t * batch + b] = AgreementVocabulary.Index(s.Words[t + 1]);   // the next word
            }
            sentences?.Add(s);
        }
        return result;
    }

    public TaskScore Score(SequenceBatch batch, ReadOnlySpan<float> outputs)
    {
        Scoring.CheckOutputs(batch, outputs);
        int B = batch.Size, O = OutputSize;
        double loss = 0;
        for (int t = 0; t < batch.Steps; t++)
            for (int b = 0; b < B; b++)
                loss += Scoring.CrossEntropy(outputs.Slice((t * B + b) * O, O), batch.Labels[t * B + b]);
        int agreed = 0;
        for (int b = 0; b < B; b++) if (Agrees(batch, outputs, b)) agreed++;
        return new TaskScore(loss / (batch.Steps * B), (double)agreed / B);
    }

    /// <summary>True when sequence b's logits at the verb rank the correct verb form above the other.</summary>
    bool Agrees(SequenceBatch batch, ReadOnlySpan<float> outputs, int b)
    {
        ReadOnlySpan<float> logits = outputs.Slice((VerbStep * batch.Size + b) * OutputSize, OutputSize);
        bool singular = batch.Labels[VerbStep * batch.Size + b] == Was;
        return singular ? logits[Was] > logits[Were] : logits[Were] > logits[Was];
    }

    /// <summary>Agreement accuracy split by the number of attractors (distractor nouns of the other number) in the sentence.</summary>
    public IReadOnlyList<(int Attractors, int Sentences, double Accuracy)> AccuracyByAttractors(SequenceBatch batch, ReadOnlySpan<float> outputs)
    {
        Scoring.CheckOutputs(batch, outputs);
        var counts = new SortedDictionary<int, (int Sentences, int Agreed)>();
        for (int b = 0; b < batch.Size; b++)
        {
            int n = Attractors(batch, b);
            var (s, a) = counts.GetValueOrDefault(n);
            counts[n] = (s + 1, a + (Agrees(batch, outputs, b) ? 1 : 0));
        }
        return [.. counts.Select(kv => (kv.Key, kv.Value.Sentences, (double)kv.Value.Agreed / kv.Value.Sentences))];
    }

    /// <summary>Attractors of sequence b, read back from its one-hot words 2..d.</summary>
    int Attractors(SequenceBatch batch, int b)
    {
        var subject = AgreementVocabulary.NumberOf(AgreementVocabulary.Words[Scoring.ArgMax(batch.Input(1, b))]);
        int n = 0;
        for (int t = 2; t <= Distance; t++)
        {
            var number = AgreementVocabulary.NumberOf(AgreementVocabulary.Words[Scoring.ArgMax(batch.Input(t, b))]);
            if (number is not null && number != subject) n++;
        }
        return n;
    }

    /// <summary>
    /// Cross-entropy of the maximum-likelihood bigram model P(next | current) on <see cref="ChanceSample"/> sentences,
    /// scored on the same sentences: the conditional entropy H(next | current) of the grammar at this distance, up to
    /// the sampling error of the estimate.
    /// </summary>
    double BigramCrossEntropy()
    {
        int V = AgreementVocabulary.Count;
        var pairs = new long[V * V];
        var choices = new RandomChoices(new SeededRandom(ChanceSeed));
        for (int s = 0; s < ChanceSample; s++)
        {
            var sentence = AgreementGrammar.Generate(Distance, AttractorRate, choices);
            int[] ids = [.. sentence.Words.Select(AgreementVocabulary.Index)];
            for (int t = 0; t < Steps; t++) pairs[ids[t] * V + ids[t + 1]]++;
        }
        double loss = 0;
        long total = 0;
        for (int a = 0; a < V; a++)
        {
            long row = 0;
            for (int c = 0; c < V; c++) row += pairs[a * V + c];
            for (int c = 0; c < V; c++)
                if (pairs[a * V + c] > 0) loss -= pairs[a * V + c] * Math.Log((double)pairs[a * V + c] / row);
            total += row;
        }
        return loss / total;
    }
}
