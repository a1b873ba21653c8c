namespace RnnLab.Tasks;

/// <summary>
/// The phrases the agreement grammar puts between subject and verb, with their lengths in words
/// (k = adjectives in the noun phrase, 0..<see cref="AgreementGrammar.MaxAdjectives"/>).
/// </summary>
public enum DistractorKind
{
    /// <summary>"nearby": 1 word.</summary>
    Adverb,
    /// <summary>"that slept": 2 words.</summary>
    RelativeIntransitive,
    /// <summary>"by the (old) window": 3 + k words.</summary>
    Prepositional,
    /// <summary>"that sat on the (old) mat": 5 + k words.</summary>
    RelativeWithPlace,
    /// <summary>"that the (old) dog chased": 4 + k words.</summary>
    RelativeObject,
}
