using RnnLab.Numerics;

namespace RnnLab.Tasks;

/// <summary>
/// The copy memory problem (Arjovsky, Shah &amp; Bengio 2016, after Hochreiter &amp; Schmidhuber 1997): S symbols drawn
/// from K categories, then T − 1 blanks, a delimiter, then S blanks during which the network must reproduce the S
/// symbols in order. Length T + 2S (T + 20 for the paper's S = 10, K = 8). Input tokens one-hot: 0 blank,
/// 1..K symbols, K+1 delimiter. Output classes: 0 blank, 1..K symbols. The target is blank at every step except the
/// last S. Cross-entropy is averaged over all T + 2S steps, as in the paper.
/// Chance: output blank (probability 1) until the delimiter, then uniform over the K symbols: every step costs 0
/// except the last S, which cost ln K each, so the loss is S·ln K / (T + 2S) and recall accuracy is 1/K.
/// </summary>
public sealed class CopyTask : ISequenceTask
{
    public const int Blank = 0;

    /// <param name="delay">T, the paper's gap: T − 1 blanks then the delimiter separate the symbols from the recall.</param>
    public CopyTask(int delay, int symbols = 10, int categories = 8)
    {
        if (delay < 1) throw new ArgumentOutOfRangeException(nameof(delay), $"copy task needs a delay T >= 1 (T - 1 blanks before the delimiter), got {delay}");
        if (symbols < 1) throw new ArgumentOutOfRangeException(nameof(symbols), $"copy task needs at least 1 symbol to copy, got {symbols}");
        if (categories < 2) throw new ArgumentOutOfRangeException(nameof(categories), $"copy task needs at least 2 categories, got {categories}");
        Delay = delay;
        Symbols = symbols;
        Categories = categories;
    }

    public int Delay { get; }
    public int Symbols { get; }
    public int Categories { get; }
    public int Delimiter => Categories + 1;

    public string Name => "copy";
    public int InputSize => Categories + 2;
    public int OutputSize => Categories + 1;
    public int Steps => Delay + 2 * Symbols;
    public TargetKind TargetKind => TargetKind.ClassificationAtEveryStep;
    public string LossName => "cross-entropy";
    public string MetricName => "recall accuracy";
    public bool HigherMetricIsBetter => true;
    public double ChanceLoss => Symbols * Math.Log(Categories) / Steps;
    public double ChanceMetric => 1.0 / Categories;
    public string ChanceStrategy => "output blank until the delimiter, then a uniform guess over the symbols";

    /// <summary>The first step whose target is a symbol to recall; steps before it expect blank.</summary>
    public int RecallStart => Delay + Symbols;

    public SequenceBatch Generate(int batch, SeededRandom rng)
    {
        Scoring.CheckBatchSize(batch);
        var result = new SequenceBatch(TargetKind, Steps, batch, InputSize, OutputSize);
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < Steps; t++)
            {
                int token = t < Symbols ? 1 + rng.NextInt(Categories) : t == RecallStart - 1 ? Delimiter : Blank;
                result.Input(t, b)[token] = 1;
                int label = t >= RecallStart ? TokenAt(result, t - RecallStart, b) : Blank;
                result.Labels[t * batch + b] = label;
            }
        }
        return result;
    }

    static int TokenAt(SequenceBatch batch, int t, int b) => Scoring.ArgMax(batch.Input(t, b));

    public TaskScore Score(SequenceBatch batch, ReadOnlySpan<float> outputs)
    {
        Scoring.CheckOutputs(batch, outputs);
        int O = batch.OutputSize, B = batch.Size;
        double loss = 0;
        int hits = 0;
        for (int t = 0; t < batch.Steps; t++)
            for (int b = 0; b < B; b++)
            {
                ReadOnlySpan<float> logits = outputs.Slice((t * B + b) * O, O);
                int label = batch.Labels[t * B + b];
                loss += Scoring.CrossEntropy(logits, label);
                if (t >= RecallStart && Scoring.ArgMax(logits) == label) hits++;
            }
        return new TaskScore(loss / (batch.Steps * B), (double)hits / (Symbols * B));
    }
}
