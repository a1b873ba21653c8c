using MathNet.Numerics.LinearAlgebra;

namespace RnnLab.Numerics;

/// <summary>
/// The matrix exponential exp(A) of a dense n×n matrix (row-major, float64) and the adjoint of its differential.
/// <para>
/// exp(A) by scaling and squaring with the [13/13] Padé approximant (Higham 2005, "The scaling and squaring method for
/// the matrix exponential revisited", Algorithm 2.3 with m = 13): A is scaled by 2^−s so that ‖A/2^s‖₁ ≤ θ₁₃ = 5.37,
/// where r₁₃ is accurate to double precision, r₁₃ = (V − U)⁻¹(V + U) is evaluated with six matrix products and one
/// solve, and the result is squared s times.
/// </para>
/// <para>
/// The differential L(A, E) = d/dε exp(A + εE) at ε = 0 satisfies the block identity (Najfeld &amp; Havel 1995;
/// Higham, "Functions of Matrices", Thm 3.6)
/// <code>
///   exp([[A, E], [0, A]]) = [[exp(A), L(A, E)], [0, exp(A)]]
/// </code>
/// and its adjoint under ⟨X, Y⟩ = Σ X_ij·Y_ij is L(Aᵀ, ·): ⟨G, L(A, E)⟩ = ⟨L(Aᵀ, G), E⟩. So a loss gradient
/// G = ∂L/∂exp(A) becomes ∂L/∂A = L(Aᵀ, G), the upper-right block of one 2n×2n exponential (Lezcano-Casado &amp;
/// Martínez-Rubio 2019, §4, use this adjoint to train expRNN).
/// </para>
/// </summary>
public static class MatrixExponential
{
    /// <summary>θ₁₃ of Higham 2005, Table 2.3: the largest ‖A‖₁ for which the [13/13] Padé approximant has backward error ≤ 2⁻⁵³.</summary>
    public const double Theta13 = 5.371920351148152;

    // Coefficients b₀..b₁₃ of the [13/13] Padé approximant to exp (Higham 2005, eq. 2.11 for m = 13).
    static readonly double[] B =
    [
        64764752532480000, 32382376266240000, 7771770303897600, 1187353796428800, 129060195264000,
        10559470521600, 670442572800, 33522128640, 1323241920, 40840800, 960960, 16380, 182, 1,
    ];

    /// <summary>exp(A) for A [n, n], row-major.</summary>
    public static double[] Exp(ReadOnlySpan<double> a, int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), $"matrix size must be positive, got {n}");
        if (a.Length != n * n) throw new ArgumentException($"matrix has {a.Length} values, expected [{n}, {n}]");
        double norm = OneNorm(a, n);
        if (!double.IsFinite(norm)) throw new ArgumentException($"matrix has a non-finite entry (1-norm {norm})");
        int s = norm > Theta13 ? (int)Math.Ceiling(Math.Log2(norm / Theta13)) : 0;
        double scale = Math.Pow(2, -s);
        var x = new double[n * n];
        for (int i = 0; i < x.Length; i++) x[i] = a[i] * scale;

        var a2 = Product(x, x, n);
        var a4 = Product(a2, a2, n);
        var a6 = Product(a4, a2, n);
        // U = A·[A6·(b13·A6 + b11·A4 + b9·A2) + b7·A6 + b5·A4 + b3·A2 + b1·I]
        // V =    A6·(b12·A6 + b10·A4 + b8·A2) + b6·A6 + b4·A4 + b2·A2 + b0·I
        var inner = Combine(n, a6, B[13], a4, B[11], a2, B[9], 0);
        var u = Product(a6, inner, n);
        Add(u, Combine(n, a6, B[7], a4, B[5], a2, B[3], B[1]));
        u = Product(x, u, n);
        inner = Combine(n, a6, B[12], a4, B[10], a2, B[8], 0);
        var v = Product(a6, inner, n);
        Add(v, Combine(n, a6, B[6], a4, B[4], a2, B[2], B[0]));

        // r13 = (V − U)⁻¹·(V + U)
        var left = Matrix<double>.Build.Dense(n, n, (i, j) => v[i * n + j] - u[i * n + j]);
        var right = Matrix<double>.Build.Dense(n, n, (i, j) => v[i * n + j] + u[i * n + j]);
        var r = left.LU().Solve(right);
        var e = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) e[i * n + j] = r[i, j];
        for (int k = 0; k < s; k++) e = Product(e, e, n);   // exp(A) = r13(A/2^s)^(2^s)
        return e;
    }

    /// <summary>
    /// The adjoint of the differential of exp at A applied to G: ∂L/∂A = L(Aᵀ, G) for G = ∂L/∂exp(A), both [n, n].
    /// </summary>
    public static double[] AdjointDifferential(ReadOnlySpan<double> a, ReadOnlySpan<double> g, int n)
    {
        if (a.Length != n * n || g.Length != n * n) throw new ArgumentException($"A has {a.Length} and G {g.Length} values, expected [{n}, {n}] each");
        // L is linear in its second argument: scale G to unit size so that the block's norm, and with it the number
        // of squarings, is set by A and not by how large the gradient happens to be.
        double gamma = 0;
        foreach (double v in g) gamma = Math.Max(gamma, Math.Abs(v));
        var d = new double[n * n];
        if (gamma == 0) return d;
        if (!double.IsFinite(gamma)) throw new ArgumentException($"G has a non-finite entry");
        int m = 2 * n;
        var block = new double[m * m];   // [[Aᵀ, G], [0, Aᵀ]]
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                block[i * m + j] = a[j * n + i];
                block[(n + i) * m + n + j] = a[j * n + i];
                block[i * m + n + j] = g[i * n + j] / gamma;
            }
        var e = Exp(block, m);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) d[i * n + j] = gamma * e[i * m + n + j];
        return d;
    }

    static double[] Product(double[] x, double[] y, int n)
    {
        var c = new double[n * n];
        Gemm.Multiply(Op.N, Op.N, n, n, n, x, y, c, accumulate: false);
        return c;
    }

    /// <summary>c6·A6 + c4·A4 + c2·A2 + c0·I.</summary>
    static double[] Combine(int n, double[] a6, double c6, double[] a4, double c4, double[] a2, double c2, double c0)
    {
        var r = new double[n * n];
        for (int i = 0; i < r.Length; i++) r[i] = c6 * a6[i] + c4 * a4[i] + c2 * a2[i];
        for (int i = 0; i < n; i++) r[i * n + i] += c0;
        return r;
    }

    static void Add(double[] x, double[] y)
    {
        for (int i = 0; i < x.Length; i++) x[i] += y[i];
    }

    /// <summary>‖A‖₁, the largest column sum of |a_ij|.</summary>
    static double OneNorm(ReadOnlySpan<double> a, int n)
    {
        double best = 0;
        for (int j = 0; j < n; j++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += Math.Abs(a[i * n + j]);
            best = Math.Max(best, sum);
        }
        return best;
    }
}
