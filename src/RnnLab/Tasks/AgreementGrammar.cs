using static RnnLab.Tasks.AgreementVocabulary;

namespace RnnLab.Tasks;

/// <summary>
/// The grammar of the agreement task (after Linzen, Dupoux &amp; Goldberg 2016, "Assessing the ability of LSTMs to
/// learn syntax-sensitive dependencies"):
/// <code>
/// S   → Det Noun D* Verb Complement "."      Verb is "was" for a singular subject, "were" for a plural one
/// D   → Adverb | "that" Vi [PP] | "that" NP Vt | PP
/// PP  → Prep NP                              NP → Det Adj^k Noun, k ≤ 2
/// </code>
/// The nouns inside D are distractors; those of the other number than the subject are attractors. The lesson's
/// "The cat that sat on the mat by the window in the old kitchen was hungry." is S with D = "that sat on the mat",
/// "by the window", "in the old kitchen", and distance 13 from "cat" to "was".
/// <see cref="Generate"/> meets a requested distance exactly: it draws phrases of 3 or more words while they fit
/// and pads the last 1 or 2 words with an adverb or "that" + Vi. <see cref="Parse"/> accepts the whole grammar.
/// </summary>
public static class AgreementGrammar
{
    public const int MaxAdjectives = 2;

    static readonly GrammaticalNumber[] Numbers = [GrammaticalNumber.Singular, GrammaticalNumber.Plural];
    static readonly int[][] AdjectiveCounts = Enumerable.Range(0, MaxAdjectives + 1).Select(m => Enumerable.Range(0, m + 1).ToArray()).ToArray();

    /// <summary>
    /// A sentence whose verb comes exactly <paramref name="distance"/> steps after the subject noun. Each distractor
    /// noun takes the number opposite to the subject's with probability <paramref name="attractorRate"/>
    /// (0.5: nouns carry no information about the label; 1: every distractor noun is an attractor).
    /// </summary>
    public static AgreementSentence Generate(int distance, double attractorRate, IChoices choices)
    {
        CheckParameters(distance, attractorRate);
        var words = new List<string>();
        var attractors = new List<int>();
        var number = choices.Pick(Numbers);
        words.Add(choices.Pick(Determiners));
        words.Add(choices.Pick(Forms(Animates, number)));
        int remaining = distance - 1;
        while (remaining > 0)
        {
            var kind = choices.Pick(Available(remaining));
            int before = words.Count;
            int spare = remaining - MinLength(kind);
            switch (kind)
            {
                case DistractorKind.Adverb:
                    words.Add(choices.Pick(Adverbs));
                    break;
                case DistractorKind.RelativeIntransitive:
                    words.Add(RelativePronoun);
                    words.Add(choices.Pick(IntransitiveVerbs));
                    break;
                case DistractorKind.Prepositional:
                    words.Add(choices.Pick(Prepositions));
                    NounPhrase(Places, spare);
                    break;
                case DistractorKind.RelativeWithPlace:
                    words.Add(RelativePronoun);
                    words.Add(choices.Pick(IntransitiveVerbs));
                    words.Add(choices.Pick(Prepositions));
                    NounPhrase(Places, spare);
                    break;
                case DistractorKind.RelativeObject:
                    words.Add(RelativePronoun);
                    NounPhrase(Animates, spare);
                    words.Add(choices.Pick(TransitiveVerbs));
                    break;
            }
            remaining -= words.Count - before;
        }
        int verbIndex = words.Count;
        words.Add(Verb(number));
        words.Add(choices.Pick(Complements));
        words.Add(Period);
        return new AgreementSentence([.. words], 1, verbIndex, number, [.. attractors]);

        void NounPhrase((string Singular, string Plural)[] nouns, int spare)
        {
            int k = choices.Pick(AdjectiveCounts[Math.Min(MaxAdjectives, spare)]);
            words.Add(choices.Pick(Determiners));
            for (int i = 0; i < k; i++) words.Add(choices.Pick(Adjectives));
            bool attractor = choices.Flip(attractorRate);
            var nounNumber = attractor ? Other(number) : number;
            if (attractor) attractors.Add(words.Count);
            words.Add(choices.Pick(Forms(nouns, nounNumber)));
        }
    }

    public static void CheckParameters(int distance, double attractorRate)
    {
        if (distance < 1) throw new ArgumentOutOfRangeException(nameof(distance), $"agreement distance (steps from subject to verb) must be at least 1, got {distance}");
        if (!(attractorRate >= 0 && attractorRate <= 1)) throw new ArgumentOutOfRangeException(nameof(attractorRate), $"attractor rate must be a probability in [0, 1], got {RnnLab.Numbers.Exact(attractorRate)}");
    }

    /// <summary>Phrases of 3+ words while at least 3 words remain; exactly-fitting short phrases for the last 1 or 2.</summary>
    static DistractorKind[] Available(int remaining) => remaining switch
    {
        1 => [DistractorKind.Adverb],
        2 => [DistractorKind.RelativeIntransitive],
        3 => [DistractorKind.Prepositional],
        4 => [DistractorKind.Prepositional, DistractorKind.RelativeObject],
        _ => [DistractorKind.Prepositional, DistractorKind.RelativeObject, DistractorKind.RelativeWithPlace],
    };

    public static int MinLength(DistractorKind kind) => kind switch
    {
        DistractorKind.Adverb => 1,
        DistractorKind.RelativeIntransitive => 2,
        DistractorKind.Prepositional => 3,
        DistractorKind.RelativeObject => 4,
        DistractorKind.RelativeWithPlace => 5,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    static GrammaticalNumber Other(GrammaticalNumber n) => n == GrammaticalNumber.Singular ? GrammaticalNumber.Plural : GrammaticalNumber.Singular;

    /// <summary>
    /// Parses a sentence of the grammar (case-insensitive, period required) and finds subject, verb and attractors
    /// from the words alone. <see cref="FormatException"/> names the first word that does not fit, or a verb that
    /// does not agree with its subject.
    /// </summary>
    public static AgreementSentence Parse(string sentence)
    {
        string text = sentence.Trim();
        if (!text.EndsWith('.')) throw new FormatException($"sentence must end with a period: \"{sentence}\"");
        string[] w = [.. text[..^1].ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries), Period];
        int pos = 0;
        var attractors = new List<int>();

        Expect(Determiners, "a determiner");
        int subject = pos;
        Expect(Forms(Animates, GrammaticalNumber.Singular).Concat(Forms(Animates, GrammaticalNumber.Plural)), "a subject noun");
        var number = NumberOf(w[subject])!.Value;
        while (pos < w.Length && w[pos] is not (SingularVerb or PluralVerb))
        {
            if (Adverbs.Contains(w[pos])) pos++;
            else if (Prepositions.Contains(w[pos])) { pos++; NounPhrase(Places); }
            else if (w[pos] == RelativePronoun)
            {
                pos++;
                if (pos < w.Length && IntransitiveVerbs.Contains(w[pos]))
                {
                    pos++;
                    if (pos < w.Length && Prepositions.Contains(w[pos])) { pos++; NounPhrase(Places); }
                }
                else
                {
                    NounPhrase(Animates);
                    Expect(TransitiveVerbs, "a transitive verb");
                }
            }
            else throw Unexpected("a distractor phrase or the verb");
        }
        int verb = pos;
        Expect([SingularVerb, PluralVerb], "the verb");
        if (w[verb] != Verb(number)) throw new FormatException($"verb '{w[verb]}' does not agree with the {number.ToString().ToLowerInvariant()} subject '{w[subject]}'");
        Expect(Complements, "a complement");
        Expect([Period], "the end of the sentence");
        if (pos != w.Length) throw Unexpected("the end of the sentence");
        return new AgreementSentence(w, subject, verb, number, [.. attractors]);

        void NounPhrase((string Singular, string Plural)[] nouns)
        {
            Expect(Determiners, "a determiner");
            int k = 0;
            while (pos < w.Length && Adjectives.Contains(w[pos]))
            {
                if (++k > MaxAdjectives) throw Unexpected($"a noun (at most {MaxAdjectives} adjectives)");
                pos++;
            }
            int at = pos;
            Expect(Forms(nouns, GrammaticalNumber.Singular).Concat(Forms(nouns, GrammaticalNumber.Plural)), "a noun");
            if (NumberOf(w[at]) != number) attractors.Add(at);
        }

        void Expect(IEnumerable<string> options, string what)
        {
            if (pos >= w.Length || !options.Contains(w[pos])) throw Unexpected(what);
            pos++;
        }

        FormatException Unexpected(string what) => pos < w.Length
            ? new FormatException($"expected {what} at word {pos + 1}, found '{w[pos]}' in \"{sentence}\"")
            : new FormatException($"expected {what} after the last word of \"{sentence}\"");
    }
}
