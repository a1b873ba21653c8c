namespace RnnLab.Tasks;

/// <summary>
/// One sentence of the agreement grammar, lower-case words with the period as the last word.
/// <see cref="SubjectIndex"/> is the head noun of the subject, <see cref="VerbIndex"/> the verb (was/were), and
/// <see cref="AttractorIndices"/> the nouns between them whose number differs from the subject's.
/// </summary>
public sealed record AgreementSentence(string[] Words, int SubjectIndex, int VerbIndex, GrammaticalNumber Number, int[] AttractorIndices)
{
    /// <summary>Steps from the subject to the verb: 13 for the lesson's "cat ... was".</summary>
    public int Distance => VerbIndex - SubjectIndex;
    public string Subject => Words[SubjectIndex];
    public string Verb => Words[VerbIndex];

    /// <summary>The sentence as text: first word capitalised, the period attached.</summary>
    public string Render()
    {
        string text = string.Join(' ', Words[..^1]) + Words[^1];
        return char.ToUpperInvariant(text[0]) + text[1..];
    }

    public override string ToString() => Render();
}
