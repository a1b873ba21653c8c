using RnnLab.Numerics;

namespace RnnLab.Analysis;

/// <summary>
/// Lyapunov exponents of a product of matrices A_T···A_2·A_1 by the QR iteration of Benettin, Galgani, Giorgilli
/// &amp; Strelcyn (Meccanica 15, 1980) and Shimada &amp; Nagashima (Prog. Theor. Phys. 61, 1979): carry p orthonormal
/// vectors Q, and at every step factor A_t·Q = Q′·R; then λ_i = (1/T)·Σ_t ln R_ii. The exponents are the
/// per-step log growth rates of the product's singular values (Oseledets), so exp(λ₁) is the measured version of
/// the lesson's "effective spectral radius" ρ. A product and its transpose taken in reverse order have the same
/// singular values, so the exponents do not depend on the Jacobian convention.
/// </summary>
public static class Lyapunov
{
    /// <summary>
    /// The first <paramref name="count"/> exponents of the product of <paramref name="steps"/> matrices [n, n]
    /// supplied by <paramref name="matrix"/>(t, destination) for t = 1..steps, decreasing. A direction that
    /// collapses to zero (an exactly singular step) contributes ln(1e−300) for that step.
    /// </summary>
    public static double[] Exponents(Action<int, double[]> matrix, int steps, int n, int count, ulong seed = 1)
    {
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), $"need at least one step, got {steps}");
        int p = Math.Clamp(count, 1, n);
        // Q is kept as rows [p, n]: (A·q)ᵀ = qᵀ·Aᵀ, one GEMM with B transposed.
        var qt = new double[p * n];
        var yt = new double[p * n];
        var r = new double[p * p];
        var a = new double[n * n];
        new SeededRandom(seed).FillGaussian<double>(qt, 0, 1);
        DenseOps.OrthonormalizeRows(qt, p, n, r, dependence: 0);
        var sum = new double[p];
        for (int t = 1; t <= steps; t++)
        {
            matrix(t, a);
            Gemm.Multiply<double>(Op.N, Op.T, p, n, n, qt, a, yt, accumulate: false);
            int kept = DenseOps.OrthonormalizeRows(yt, p, n, r, dependence: 0);
            for (int i = 0; i < p; i++) sum[i] += Math.Log(Math.Max(i < kept ? r[i * p + i] : 0, 1e-300));
            if (kept < p) ReplaceCollapsed(yt, kept, p, n, seed + (ulong)t);
            (qt, yt) = (yt, qt);
        }
        var lambda = new double[p];
        for (int i = 0; i < p; i++) lambda[i] = sum[i] / steps;
        Array.Sort(lambda, (x, y) => y.CompareTo(x));
        return lambda;
    }

    /// <summary>Refills rows kept..p−1 with random directions orthonormal to the rest, so the iteration can go on.</summary>
    static void ReplaceCollapsed(double[] yt, int kept, int p, int n, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var tmp = new double[p * p];
        rng.FillGaussian<double>(yt.AsSpan(kept * n, (p - kept) * n), 0, 1);
        DenseOps.OrthonormalizeRows(yt, p, n, tmp, dependence: 0);
    }
}
