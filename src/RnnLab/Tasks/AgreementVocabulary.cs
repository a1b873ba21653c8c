namespace RnnLab.Tasks;

/// <summary>
/// The words of the agreement grammar, each in exactly one class so a sentence parses without ambiguity.
/// Nouns come in singular/plural pairs; determiners and past-tense verbs are chosen so that nothing but the nouns
/// and the verb was/were marks number (no "a", "this", "these", no present tense).
/// </summary>
public static class AgreementVocabulary
{
    public static readonly string[] Determiners = ["the", "my", "our", "their", "his", "her"];
    /// <summary>Subjects and objects of relative clauses: (singular, plural).</summary>
    public static readonly (string Singular, string Plural)[] Animates =
    [
        ("cat", "cats"), ("dog", "dogs"), ("bird", "birds"), ("child", "children"), ("man", "men"),
        ("woman", "women"), ("teacher", "teachers"), ("farmer", "farmers"), ("horse", "horses"), ("mouse", "mice"),
    ];
    /// <summary>Objects of prepositions: (singular, plural).</summary>
    public static readonly (string Singular, string Plural)[] Places =
    [
        ("mat", "mats"), ("window", "windows"), ("kitchen", "kitchens"), ("table", "tables"), ("door", "doors"),
        ("garden", "gardens"), ("box", "boxes"), ("tree", "trees"), ("house", "houses"), ("chair", "chairs"),
    ];
    public static readonly string[] Adjectives = ["old", "small", "big", "red", "quiet", "warm", "dark", "new"];
    public static readonly string[] Prepositions = ["on", "by", "in", "near", "under", "behind", "beside"];
    /// <summary>Verbs that take no object (and may take a place): "that sat (on the mat)".</summary>
    public static readonly string[] IntransitiveVerbs = ["sat", "slept", "waited", "played", "stood", "lived"];
    /// <summary>Verbs that take the relative pronoun as object: "that the dog chased".</summary>
    public static readonly string[] TransitiveVerbs = ["chased", "saw", "watched", "liked", "found", "fed"];
    public static readonly string[] Adverbs = ["nearby", "outside", "upstairs", "downstairs", "inside"];
    public const string RelativePronoun = "that";
    public const string SingularVerb = "was", PluralVerb = "were";
    public static readonly string[] Complements = ["hungry", "tired", "happy", "asleep"];
    public const string Period = ".";

    /// <summary>Every word, in a fixed order; a word's one-hot index is its position here.</summary>
    public static readonly string[] Words =
    [
        .. Determiners,
        .. Animates.SelectMany(p => new[] { p.Singular, p.Plural }),
        .. Places.SelectMany(p => new[] { p.Singular, p.Plural }),
        .. Adjectives, .. Prepositions, .. IntransitiveVerbs, .. TransitiveVerbs, .. Adverbs,
        RelativePronoun, SingularVerb, PluralVerb, .. Complements, Period,
    ];

    static readonly Dictionary<string, int> IndexOf = Words.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i, StringComparer.Ordinal);

    public static int Count => Words.Length;

    /// <summary>The one-hot index of a word; <see cref="ArgumentException"/> for a word outside the vocabulary.</summary>
    public static int Index(string word) =>
        IndexOf.TryGetValue(word, out int i) ? i : throw new ArgumentException($"'{word}' is not in the agreement vocabulary");

    public static bool Contains(string word) => IndexOf.ContainsKey(word);

    /// <summary>The number a noun marks, or null when the word is not a noun.</summary>
    public static GrammaticalNumber? NumberOf(string word)
    {
        foreach (var (s, p) in Animates.Concat(Places))
        {
            if (word == s) return GrammaticalNumber.Singular;
            if (word == p) return GrammaticalNumber.Plural;
        }
        return null;
    }

    public static string[] Forms((string Singular, string Plural)[] nouns, GrammaticalNumber number) =>
        nouns.Select(n => number == GrammaticalNumber.Singular ? n.Singular : n.Plural).ToArray();

    public static string Verb(GrammaticalNumber number) => number == GrammaticalNumber.Singular ? SingularVerb : PluralVerb;
}
