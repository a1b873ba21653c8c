using RnnLab.Numerics;

namespace RnnLab.Tasks;

/// <summary>Uniform picks and Bernoulli flips from a seeded generator.</summary>
public sealed class RandomChoices(SeededRandom rng) : IChoices
{
    public T Pick<T>(IReadOnlyList<T> options) => options[rng.NextInt(options.Count)];
    public bool Flip(double probability) => rng.NextDouble() < probability;
}
