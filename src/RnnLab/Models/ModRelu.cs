using System.Numerics;

namespace RnnLab.Models;

/// <summary>
/// modReLU for real z (Arjovsky, Shah &amp; Bengio 2016, eq. 8): σ(z) = sign(z)·relu(|z| + b), b a learned bias per
/// unit. The one definition the expRNN layer trains with and the analysis differentiates.
/// </summary>
public static class ModRelu
{
    /// <summary>
    /// σ(z) = sign(z)·relu(|z| + b). sign(±0) is the sign bit, so at z = +0 with b &gt; 0 the unit outputs +b:
    /// the function jumps there, and the derivative below is 1 on both sides of the jump.
    /// </summary>
    public static T Apply<T>(T z, T b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T m = T.Abs(z) + b;
        return m > T.Zero ? T.CopySign(m, z) : T.Zero;
    }

    /// <summary>
    /// dσ/dz written in terms of the output h = σ(z): 1 where h ≠ 0 (there |z| + b &gt; 0 and σ(z) = z + sign(z)·b),
    /// 0 where h = 0 (|z| + b ≤ 0, the boundary included), as the backward pass uses it.
    /// </summary>
    public static T Derivative<T>(T h) where T : unmanaged, IFloatingPointIeee754<T> => h != T.Zero ? T.One : T.Zero;
}
