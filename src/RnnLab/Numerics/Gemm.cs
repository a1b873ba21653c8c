using System.Numerics;

namespace RnnLab.Numerics;

/// <summary>Whether a GEMM operand is read as stored or transposed.</summary>
public enum Op { N, T }

/// <summary>
/// General matrix multiply on dense row-major buffers: C = op(A)·op(B), or C += op(A)·op(B).
/// op(A) is [m, k], op(B) is [k, n], C is [m, n]. Stored A is [m, k] for Op.N and [k, m] for Op.T;
/// stored B is [k, n] for Op.N and [n, k] for Op.T. Buffers are contiguous (leading dimension = row length).
/// </summary>
public static class Gemm
{
    public static void Multiply<T>(Op opA, Op opB, int m, int n, int k,
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Reference(opA, opB, m, n, k, a, b, c, accumulate);
    }

    /// <summary>The obvious triple loop: the definition the fast kernels are tested against.</summary>
    public static void Reference<T>(Op opA, Op opB, int m, int n, int k,
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Length < m * k || b.Length < k * n || c.Length < m * n) throw new ArgumentException("GEMM buffer too small");
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T s = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    T av = opA == Op.N ? a[i * k + p] : a[p * m + i];
                    T bv = opB == Op.N ? b[p * n + j] : b[j * k + p];
                    s += av * bv;
                }
                c[i * n + j] = accumulate ? c[i * n + j] + s : s;
            }
    }
}
