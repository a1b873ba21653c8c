namespace RnnLab.Tasks;

/// <summary>
/// The source of every choice a generator makes. Routing the choices through one interface lets a test replay a
/// chosen derivation (for instance the lesson's sentence) and so prove the generator can produce it.
/// </summary>
public interface IChoices
{
    /// <summary>One of <paramref name="options"/>.</summary>
    T Pick<T>(IReadOnlyList<T> options);
    /// <summary>True with the given probability.</summary>
    bool Flip(double probability);
}
