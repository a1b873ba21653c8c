using System.Numerics;
using System.Numerics.Tensors;
using RnnLab.Numerics;

namespace RnnLab.Models;

/// <summary>
/// Gradient clipping over a list of parameters, acting on <see cref="Parameter{T}.Grad"/> in place.
/// Norms are accumulated in double whatever T is, and a NaN or infinite gradient shows as a NaN or infinite
/// norm: clipping never hides it (so a training loop can see the blow-up and skip or stop).
/// </summary>
public static class Clipping
{
    /// <summary>
    /// The term PyTorch adds to the norm before dividing (<c>clip_grad_norm_</c>'s <c>total_norm + 1e-6</c>),
    /// kept so clipped gradients match PyTorch's.
    /// </summary>
    public const double NormEpsilon = 1e-6;

    /// <summary>‖g‖₂ over all gradients of all parameters taken together, as one long vector.</summary>
    public static double GlobalNorm<T>(IReadOnlyList<Parameter<T>> parameters) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sumOfSquares = 0;
        foreach (var p in parameters) sumOfSquares += Kernels.SumOfSquares<T>(p.Grad);
        if (!double.IsPositiveInfinity(sumOfSquares)) return Math.Sqrt(sumOfSquares);   // finite, or NaN from a NaN gradient
        // The squares overflowed. That is either a real infinity in a gradient, or finite values beyond ~1e154
        // (double T only); tell them apart by scaling by the largest magnitude, as LAPACK's dnrm2 does.
        double max = 0;
        foreach (var p in parameters)
            foreach (T g in p.Grad) max = Math.Max(max, Math.Abs(double.CreateTruncating(g)));
        if (double.IsInfinity(max)) return double.PositiveInfinity;
        double scaled = 0;
        foreach (var p in parameters)
            foreach (T g in p.Grad) { double s = double.CreateTruncating(g) / max; scaled += s * s; }
        return max * Math.Sqrt(scaled);
    }

    /// <summary>
    /// Norm clipping (Pascanu, Mikolov &amp; Bengio 2013, "On the difficulty of training recurrent neural
    /// networks", Algorithm 1), as <c>torch.nn.utils.clip_grad_norm_(parameters, maxNorm)</c>: with
    /// n = <see cref="GlobalNorm{T}"/>, every gradient is multiplied by maxNorm / (n + 1e-6) when that factor
    /// is below 1, and left alone otherwise. Returns n, the norm BEFORE clipping.
    /// When n is NaN or infinite the gradients are left untouched (scaling by 0 or NaN would turn an infinity
    /// into NaN and finite entries into 0, hiding what happened) and n is returned for the caller to act on.
    /// </summary>
    public static double ClipByGlobalNorm<T>(IReadOnlyList<Parameter<T>> parameters, double maxNorm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(maxNorm > 0) || double.IsInfinity(maxNorm)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"max norm must be finite and positive, got {Numbers.Exact(maxNorm)}");
        double norm = GlobalNorm(parameters);
        if (!double.IsFinite(norm)) return norm;
        double factor = maxNorm / (norm + NormEpsilon);
        if (factor < 1)
        {
            T f = T.CreateTruncating(factor);
            foreach (var p in parameters) TensorPrimitives.Multiply(p.Grad, f, p.Grad);
        }
        return norm;
    }

    /// <summary>
    /// Clamps every gradient element to [−clipValue, clipValue], as <c>torch.nn.utils.clip_grad_value_</c>.
    /// NaN elements stay NaN. Returns how many elements were clamped (for "fraction clipped" diagnostics).
    /// </summary>
    public static long ClipByValue<T>(IReadOnlyList<Parameter<T>> parameters, double clipValue) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(clipValue > 0) || double.IsInfinity(clipValue)) throw new ArgumentOutOfRangeException(nameof(clipValue), $"clip value must be finite and positive, got {Numbers.Exact(clipValue)}");
        T hi = T.CreateTruncating(clipValue), lo = -hi;
        long clamped = 0;
        foreach (var p in parameters)
        {
            T[] g = p.Grad;
            for (int i = 0; i < g.Length; i++)
            {
                // Written as two comparisons, not Math.Clamp, so a NaN falls through both and survives.
                if (g[i] > hi) { g[i] = hi; clamped++; }
                else if (g[i] < lo) { g[i] = lo; clamped++; }
            }
        }
        return clamped;
    }
}
