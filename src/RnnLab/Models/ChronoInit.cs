using System.Numerics;
using RnnLab.Numerics;

namespace RnnLab.Models;

/// <summary>
/// Chrono initialisation (Tallec &amp; Ollivier 2018, "Can recurrent neural networks warp time?", §4): a gate that keeps
/// the old state with probability σ(b) forgets on a time scale of about 1/(1 − σ(b)) ≈ e^b steps, so drawing
/// b ~ log U[1, T_max − 1] spreads the units' memory time scales over 1..T_max − 1 steps.
/// <list type="bullet">
/// <item>LSTM (gates i, f, g, o): b_f ~ log U[1, T_max − 1] and b_i = −b_f, so a unit that remembers long also writes little.</item>
/// <item>GRU (gates r, z, n, PyTorch's h' = (1 − z)⊙n + z⊙h, which keeps h when z is high): b_z ~ log U[1, T_max − 1].</item>
/// </list>
/// PyTorch's layout has two biases whose sum is the gate's bias; the drawn value goes into <c>bias_ih</c> and the
/// gate's block of <c>bias_hh</c> is set to 0, so the sum is exactly the chrono value. Other gates keep their biases.
/// </summary>
public static class ChronoInit
{
    /// <summary>Sets the keep-gate biases of <paramref name="layer"/> (LSTM or GRU) for memories up to <paramref name="maxSteps"/> = T_max.</summary>
    public static void Apply<T>(RecurrentLayer<T> layer, int maxSteps, SeededRandom rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(rng);
        if (layer.Kind is not (CellKind.Lstm or CellKind.Gru))
            throw new ArgumentException($"chrono initialisation applies to lstm and gru, not {layer.Kind.Name()}", nameof(layer));
        if (maxSteps < 2) throw new ArgumentOutOfRangeException(nameof(maxSteps), $"chrono T_max must be at least 2 (U[1, T_max − 1] must not be empty), got {maxSteps}");
        int H = layer.HiddenSize;
        // Gate block 1 is f in (i, f, g, o) and z in (r, z, n).
        Span<T> keepIH = layer.BiasIH.Value.AsSpan(H, H), keepHH = layer.BiasHH.Value.AsSpan(H, H);
        Span<T> inputIH = layer.BiasIH.Value.AsSpan(0, H), inputHH = layer.BiasHH.Value.AsSpan(0, H);
        for (int j = 0; j < H; j++)
        {
            double b = Math.Log(rng.Uniform(1, maxSteps - 1));
            keepIH[j] = T.CreateTruncating(b);
            keepHH[j] = T.Zero;
            if (layer.Kind == CellKind.Lstm)
            {
                inputIH[j] = T.CreateTruncating(-b);                      // b_i = −b_f
                inputHH[j] = T.Zero;
            }
        }
    }
}
