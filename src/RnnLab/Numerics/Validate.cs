using System.Numerics;

namespace RnnLab.Numerics;

/// <summary>Checks on data coming from outside (files, the command line) before it reaches a model.</summary>
public static class Validate
{
    /// <summary>
    /// Throws <see cref="InvalidDataException"/> naming the first NaN or infinite value, e.g.
    /// "inputs.npy: value at [2, 1, 0] is NaN". <paramref name="shape"/>, when given, turns the flat index
    /// into a multi-index.
    /// </summary>
    public static void Finite<T>(ReadOnlySpan<T> values, string what, ReadOnlySpan<int> shape = default) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
        {
            T v = values[i];
            if (T.IsFinite(v)) continue;
            string kind = T.IsNaN(v) ? "NaN" : T.IsPositiveInfinity(v) ? "+infinity" : "-infinity";
            throw new InvalidDataException($"{what}: value at {Index(i, shape)} is {kind}");
        }
    }

    static string Index(int flat, ReadOnlySpan<int> shape)
    {
        if (shape.IsEmpty) return $"[{flat}]";
        var parts = new int[shape.Length];
        int rest = flat;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            int n = Math.Max(shape[d], 1);
            parts[d] = rest % n;
            rest /= n;
        }
        return "[" + string.Join(", ", parts) + "]";
    }
}
