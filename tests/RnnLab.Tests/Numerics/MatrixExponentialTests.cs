using RnnLab.Numerics;

namespace RnnLab.Tests.Numerics;

/// <summary>exp(A) against closed forms and a Taylor series computed another way; its adjoint differential against central differences.</summary>
public class MatrixExponentialTests
{
    /// <summary>exp(A) by a 40-term Taylor series of A/2^k, squared k times: a different algorithm from Padé.</summary>
    static double[] TaylorExp(double[] a, int n)
    {
        double norm = a.Max(Math.Abs) * n;
        int k = norm > 0.5 ? (int)Math.Ceiling(Math.Log2(norm / 0.5)) : 0;
        double s = Math.Pow(2, -k);
        var x = a.Select(v => v * s).ToArray();
        var sum = new double[n * n];
        var term = new double[n * n];
        for (int i = 0; i < n; i++) sum[i * n + i] = term[i * n + i] = 1;
        for (int m = 1; m <= 40; m++)
        {
            var next = new double[n * n];
            Gemm.Reference(Op.N, Op.N, n, n, n, term, x, next, accumulate: false);
            for (int i = 0; i < next.Length; i++) { term[i] = next[i] / m; sum[i] += term[i]; }
        }
        for (int r = 0; r < k; r++)
        {
            var sq = new double[n * n];
            Gemm.Reference(Op.N, Op.N, n, n, n, sum, sum, sq, accumulate: false);
            sum = sq;
        }
        return sum;
    }

    [Theory]
    [InlineData(1, 0.3), InlineData(2, 1.0), InlineData(5, 2.0), InlineData(10, 0.5), InlineData(50, 0.1), InlineData(10, 4.0)]
    public void Matches_a_Taylor_series_of_the_scaled_matrix(int n, double scale)
    {
        var rng = new SeededRandom((ulong)(n * 100 + (int)(scale * 10)));
        var a = new double[n * n];
        rng.FillGaussian<double>(a, 0, scale);
        var e = MatrixExponential.Exp(a, n);
        var reference = TaylorExp(a, n);
        double size = reference.Max(Math.Abs);
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - reference[i]) <= 1e-11 * size, $"n={n}: entry {i}: {e[i]:R} vs {reference[i]:R}");
    }

    [Theory]
    [InlineData(0.0), InlineData(0.7), InlineData(3.0), InlineData(40.0)]
    public void A_rotation_generator_gives_the_rotation(double theta)
    {
        var e = MatrixExponential.Exp([0, theta, -theta, 0], 2);
        double c = Math.Cos(theta), s = Math.Sin(theta);
        double[] expected = [c, s, -s, c];
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], e[i], 12);
    }

    [Theory]
    [InlineData(3), InlineData(16), InlineData(64)]
    public void The_exponential_of_a_skew_symmetric_matrix_is_orthogonal(int n)
    {
        var rng = new SeededRandom((ulong)n);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) { a[i * n + j] = rng.NextGaussian(); a[j * n + i] = -a[i * n + j]; }
        var q = MatrixExponential.Exp(a, n);
        var qtq = new double[n * n];
        Gemm.Reference(Op.T, Op.N, n, n, n, q, q, qtq, accumulate: false);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) Assert.True(Math.Abs(qtq[i * n + j] - (i == j ? 1 : 0)) < 1e-12, $"(QᵀQ)[{i},{j}] = {qtq[i * n + j]}");
    }

    [Theory]
    [InlineData(1, 1.0), InlineData(3, 0.5), InlineData(6, 2.0), InlineData(8, 6.0)]
    public void The_adjoint_differential_is_the_gradient_of_a_linear_functional_of_exp(int n, double scale)
    {
        // f(A) = ⟨G, exp(A)⟩ = Σ G_ij·exp(A)_ij has gradient L(Aᵀ, G), for any A (not only skew) and G.
        var rng = new SeededRandom((ulong)(n * 7 + (int)scale));
        var a = new double[n * n];
        var g = new double[n * n];
        rng.FillGaussian<double>(a, 0, scale / Math.Sqrt(n));
        rng.FillGaussian<double>(g, 0, 1);
        double F()
        {
            var e = MatrixExponential.Exp(a, n);
            double s = 0;
            for (int i = 0; i < e.Length; i++) s += g[i] * e[i];
            return s;
        }
        var grad = MatrixExponential.AdjointDifferential(a, g, n);
        GradientCheck.Check($"exp adjoint n={n}", [n, n], a, grad, F, tol: 1e-6);
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => MatrixExponential.Exp([1, 2, 3], 2));
        Assert.Throws<ArgumentException>(() => MatrixExponential.Exp([double.NaN], 1));
        Assert.Equal([0.0], MatrixExponential.AdjointDifferential([1.0], [0.0], 1));
    }
}
