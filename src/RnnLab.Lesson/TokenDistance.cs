using System.Text.RegularExpressions;

namespace RnnLab.Lesson;

/// <summary>The distances between a subject and its verb in a sentence read one token per step.</summary>
/// <param name="Tokens">the tokens, one per recurrent step (words and punctuation)</param>
/// <param name="SubjectIndex">position of the subject (0-based)</param>
/// <param name="VerbIndex">position of the verb that agrees with it</param>
/// <param name="PredicateIndex">position of the word after the verb (the word to predict in the lesson), or −1</param>
/// <param name="SubjectToVerb">positions from subject to verb = Jacobian factors in ∂h_verb/∂h_subject</param>
/// <param name="SubjectToPredicate">positions from subject to the predicate word</param>
/// <param name="BetweenSubjectAndVerb">tokens strictly between subject and verb</param>
/// <param name="BetweenSubjectAndPredicate">tokens strictly between subject and predicate</param>
public sealed record TokenDistanceResult(string[] Tokens, int SubjectIndex, int VerbIndex, int PredicateIndex,
    int SubjectToVerb, int SubjectToPredicate, int BetweenSubjectAndVerb, int BetweenSubjectAndPredicate)
{
    public string Subject => Tokens[SubjectIndex];
    public string Verb => Tokens[VerbIndex];
    public string? Predicate => PredicateIndex >= 0 ? Tokens[PredicateIndex] : null;
}

/// <summary>
/// Tokenises a sentence into words and punctuation (one token per RNN step) and counts the steps between a
/// subject and its verb. Subject and verb can be given; otherwise a small heuristic finds them: the subject is
/// the first word after a leading determiner, the verb the first finite auxiliary or copula (is, was, has, …)
/// after it, so that a relative clause in between ("that sat on the mat") is skipped. The heuristic is meant
/// for sentences shaped like the lesson's, not as a parser.
/// </summary>
public static partial class TokenDistance
{
    /// <summary>The lesson's sentence.</summary>
    public const string LessonSentence = "The cat that sat on the mat by the window in the old kitchen was hungry.";

    static readonly HashSet<string> Determiners = ["the", "a", "an", "this", "that", "these", "those", "my", "your", "his", "her", "its", "our", "their"];
    static readonly HashSet<string> FiniteVerbs = ["is", "was", "are", "were", "has", "had", "have", "does", "did", "do",
        "will", "would", "can", "could", "shall", "should", "may", "might", "must", "seems", "seemed", "looks", "looked"];

    [GeneratedRegex(@"[\p{L}\p{N}']+|[^\s\p{L}\p{N}]")]
    private static partial Regex TokenPattern();

    public static string[] Tokenize(string sentence) => TokenPattern().Matches(sentence).Select(m => m.Value).ToArray();

    public static TokenDistanceResult Measure(string sentence, string? subject = null, string? verb = null)
    {
        var tokens = Tokenize(sentence);
        int s = subject is null ? GuessSubject(tokens) : Find(tokens, subject, 0);
        if (s < 0) throw new InvalidInputException(subject is null ? "no subject found: give it explicitly" : $"subject '{subject}' not in the sentence");
        int v = verb is null ? GuessVerb(tokens, s) : Find(tokens, verb, s + 1);
        if (v < 0) throw new InvalidInputException(verb is null ? "no finite verb found after the subject: give it explicitly" : $"verb '{verb}' not found after the subject");
        int p = v + 1 < tokens.Length && IsWord(tokens[v + 1]) ? v + 1 : -1;
        return new TokenDistanceResult(tokens, s, v, p, v - s, p >= 0 ? p - s : -1, v - s - 1, p >= 0 ? p - s - 1 : -1);
    }

    static bool IsWord(string t) => char.IsLetterOrDigit(t[0]);

    static int Find(string[] tokens, string word, int from)
    {
        for (int i = from; i < tokens.Length; i++)
            if (string.Equals(tokens[i], word, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    static int GuessSubject(string[] tokens)
    {
        for (int i = 0; i < tokens.Length; i++)
        {
            if (!IsWord(tokens[i])) continue;
            if (Determiners.Contains(tokens[i].ToLowerInvariant())) continue;
            return i;
        }
        return -1;
    }

    static int GuessVerb(string[] tokens, int subject)
    {
        for (int i = subject + 1; i < tokens.Length; i++)
            if (FiniteVerbs.Contains(tokens[i].ToLowerInvariant())) return i;
        return -1;
    }
}
