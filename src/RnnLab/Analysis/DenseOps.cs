using System.Numerics.Tensors;

namespace RnnLab.Analysis;

/// <summary>
/// Small float64 building blocks of the flow sweep: Gram–Schmidt on rows, and the norms of a matrix whose rows
/// live in a coordinate system that stays fixed from one step to the next (so power iteration can warm-start).
/// </summary>
internal static class DenseOps
{
    /// <summary>
    /// Orthonormalises the rows of y [r, n] in place by classical Gram–Schmidt applied twice ("twice is enough":
    /// Giraud, Langou, Rozložník, Comput. Math. Appl. 2005), giving y = Rᵀ·Q with Q's rows orthonormal.
    /// Row j of the input equals Σ_i R[i, j]·q_i. A row whose remainder after both passes is below
    /// <paramref name="dependence"/> times its original norm is numerically dependent on the earlier ones and gets
    /// no new direction. Returns the number of rows kept, r′ ≤ r; q_0..q_{r′−1} are rows 0..r′−1 of y and R is
    /// written to <paramref name="rt"/> [r′, r] (row-major, row length r; rows ≥ r′ untouched).
    /// </summary>
    public static int OrthonormalizeRows(Span<double> y, int r, int n, Span<double> rt, double dependence = 1e-13)
    {
        rt.Slice(0, r * r).Clear();
        int kept = 0;
        for (int j = 0; j < r; j++)
        {
            Span<double> yj = y.Slice(j * n, n);
            double original = Math.Sqrt(TensorPrimitives.Dot(yj, yj));
            for (int pass = 0; pass < 2; pass++)
                for (int i = 0; i < kept; i++)
                {
                    ReadOnlySpan<double> qi = y.Slice(i * n, n);
                    double coef = TensorPrimitives.Dot(qi, yj);
                    rt[i * r + j] += coef;
                    TensorPrimitives.MultiplyAdd(qi, -coef, yj, yj);   // y_j −= coef·q_i
                }
            double norm = Math.Sqrt(TensorPrimitives.Dot(yj, yj));
            if (norm == 0 || norm <= dependence * original) continue;
            rt[kept * r + j] = norm;
            Span<double> dst = y.Slice(kept * n, n);
            TensorPrimitives.Multiply(yj, 1.0 / norm, dst);
            kept++;
        }
        return kept;
    }

    /// <summary>
    /// Spectral and Frobenius norms of X [rows, cols] (row stride <paramref name="stride"/>), with the spectral
    /// norm by power iteration on X·Xᵀ from the warm start <paramref name="v"/> [rows], which is left holding the
    /// new top left singular vector. The Rayleigh quotient ‖Xᵀv‖² rises monotonically to σ₁²; the iteration stops
    /// when it changes by less than <paramref name="tolerance"/> relative, or after <paramref name="maxIterations"/>.
    /// </summary>
    public static (double Spectral, double Frobenius, bool Converged) Norms(ReadOnlySpan<double> x, int rows, int cols, int stride,
        Span<double> v, Span<double> w, double tolerance, int maxIterations)
    {
        // The iteration forms ‖X·Xᵀv‖², of the order of x⁴: entries below about 1e−77 would underflow it (a readout far
        // below the product it is read from) and ones above 1e77 overflow it. Outside 2^±200 the matrix is measured as
        // a copy scaled by a power of two, which is exact, and the norms are scaled back.
        double largest = 0;
        for (int j = 0; j < rows; j++) largest = Math.Max(largest, Math.Abs(TensorPrimitives.MaxMagnitude(x.Slice(j * stride, cols))));
        if (largest == 0) return (0, 0, true);
        int exponent = Math.ILogB(largest);
        if (Math.Abs(exponent) <= 200 || !double.IsFinite(largest)) return NormsInRange(x, rows, cols, stride, v, w, tolerance, maxIterations);
        var scaled = new double[rows * cols];
        for (int j = 0; j < rows; j++)
            for (int c = 0; c < cols; c++) scaled[j * cols + c] = Math.ScaleB(x[j * stride + c], -exponent);
        var (spectral, frobenius, converged) = NormsInRange(scaled, rows, cols, cols, v, w, tolerance, maxIterations);
        return (Math.ScaleB(spectral, exponent), Math.ScaleB(frobenius, exponent), converged);
    }

    static (double Spectral, double Frobenius, bool Converged) NormsInRange(ReadOnlySpan<double> x, int rows, int cols, int stride,
        Span<double> v, Span<double> w, double tolerance, int maxIterations)
    {
        double fro2 = 0;
        for (int j = 0; j < rows; j++) { var row = x.Slice(j * stride, cols); fro2 += TensorPrimitives.Dot(row, row); }
        if (fro2 == 0) return (0, 0, true);
        if (rows == 1) return (Math.Sqrt(fro2), Math.Sqrt(fro2), true);
        double vn = TensorPrimitives.Norm(v[..rows]);
        if (!(vn > 0) || !double.IsFinite(vn)) { v[..rows].Fill(1.0); vn = Math.Sqrt(rows); }
        TensorPrimitives.Multiply(v[..rows], 1.0 / vn, v[..rows]);
        double previous = 0;
        bool converged = false;
        Span<double> wc = w[..cols];
        for (int it = 0; it < maxIterations; it++)
        {
            // w = Xᵀ v
            wc.Clear();
            for (int j = 0; j < rows; j++) TensorPrimitives.MultiplyAdd(x.Slice(j * stride, cols), v[j], wc, wc);
            double rayleigh = TensorPrimitives.Dot(wc, wc);          // vᵀ X Xᵀ v with ‖v‖ = 1
            // v = X w / ‖X w‖
            double vv = 0;
            for (int j = 0; j < rows; j++) { v[j] = TensorPrimitives.Dot(x.Slice(j * stride, cols), wc); vv += v[j] * v[j]; }
            if (vv == 0) { previous = rayleigh; converged = true; break; }
            TensorPrimitives.Multiply(v[..rows], 1.0 / Math.Sqrt(vv), v[..rows]);
            if (rayleigh - previous <= tolerance * rayleigh) { previous = rayleigh; converged = true; break; }
            previous = rayleigh;
        }
        // Guard: the Rayleigh quotient never exceeds σ₁² ≤ ‖X‖_F², up to rounding.
        return (Math.Sqrt(Math.Min(previous, fro2)), Math.Sqrt(fro2), converged);
    }

    /// <summary>σ₁ of X [rows, cols] (row stride <paramref name="stride"/>) by a dense SVD: the exact fallback when power iteration stalls on close singular values.</summary>
    public static double SpectralNormBySvd(ReadOnlySpan<double> x, int rows, int cols, int stride)
    {
        var m = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(rows, cols);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) m[i, j] = x[i * stride + j];
        return m.Svd(computeVectors: false).S[0];
    }

    /// <summary>c[m, n] = a[m, k]·b[k, n], all contiguous; small products where a GEMM call would not pay.</summary>
    public static void MatMul(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int m, int k, int n)
    {
        c.Slice(0, m * n).Clear();
        for (int i = 0; i < m; i++)
        {
            Span<double> ci = c.Slice(i * n, n);
            for (int p = 0; p < k; p++)
            {
                double aip = a[i * k + p];
                if (aip != 0) TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), aip, ci, ci);
            }
        }
    }
}
