using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnLab.Models;

/// <summary>
/// SIMD lanes for the cells' point-wise gate arithmetic. Each formula is written once, on <see cref="Vector{T}"/>;
/// the ragged tail of a row runs the same formula on broadcast scalars, so the vector and scalar paths cannot
/// disagree.
/// </summary>
internal static class Lanes
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Load<T>(ReadOnlySpan<T> s, int i) => Vector.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(Vector<T> v, Span<T> s, int i) => v.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);

    /// <summary>Loads a full vector at i, or broadcasts s[i] when fewer than a vector's worth remain.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> At<T>(ReadOnlySpan<T> s, int i, bool full) => full ? Load(s, i) : new Vector<T>(s[i]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Put<T>(Vector<T> v, Span<T> s, int i, bool full)
    {
        if (full) Store(v, s, i); else s[i] = v[0];
    }

    /// <summary>Index step for position i in a row of n: a whole vector while one fits, then single elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Full<T>(int i, int n) => i + Vector<T>.Count <= n;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Advance<T>(bool full) => full ? Vector<T>.Count : 1;
}
