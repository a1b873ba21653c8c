namespace RnnLab.Tasks;

/// <summary>The plain loss and metric loops the tasks share, in float64.</summary>
static class Scoring
{
    /// <summary>−log softmax(logits)[label], computed with the max subtracted so large logits do not overflow.</summary>
    public static double CrossEntropy(ReadOnlySpan<float> logits, int label)
    {
        double max = double.NegativeInfinity;
        foreach (float v in logits) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in logits) sum += Math.Exp(v - max);
        return Math.Log(sum) + max - logits[label];
    }

    /// <summary>Index of the largest logit (the first on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int k = 1; k < logits.Length; k++) if (logits[k] > logits[best]) best = k;
        return best;
    }

    /// <summary>Mean cross-entropy and accuracy of one class per sequence, logits [B, O] against <see cref="SequenceBatch.Labels"/> [B].</summary>
    public static TaskScore LastStepClassification(SequenceBatch batch, ReadOnlySpan<float> outputs)
    {
        CheckOutputs(batch, outputs);
        int O = batch.OutputSize;
        double loss = 0;
        int hits = 0;
        for (int b = 0; b < batch.Size; b++)
        {
            ReadOnlySpan<float> logits = outputs.Slice(b * O, O);
            loss += CrossEntropy(logits, batch.Labels[b]);
            if (ArgMax(logits) == batch.Labels[b]) hits++;
        }
        return new TaskScore(loss / batch.Size, (double)hits / batch.Size);
    }

    public static void CheckOutputs(SequenceBatch batch, ReadOnlySpan<float> outputs)
    {
        int expected = batch.OutputSteps * batch.Size * batch.OutputSize;
        if (outputs.Length != expected)
            throw new ArgumentException($"outputs have {outputs.Length} values, expected [S={batch.OutputSteps}, B={batch.Size}, O={batch.OutputSize}] = {expected}");
    }

    public static void CheckBatchSize(int batch)
    {
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), $"batch size must be positive, got {batch}");
    }
}
