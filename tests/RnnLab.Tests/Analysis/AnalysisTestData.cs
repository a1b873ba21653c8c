using RnnLab.Analysis;
using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Tests.Analysis;

/// <summary>Random cells and inputs shared by the analysis tests.</summary>
static class AnalysisTestData
{
    public static CellWeights Cell(CellKind kind, int input, int hidden, ulong seed, double scale = 1.0, Nonlinearity nl = Nonlinearity.Tanh)
    {
        var w = CellWeights.Random(kind, input, hidden, seed, nonlinearity: nl);
        // Larger than PyTorch's default range so the gates are not all near 0.5 and every term of the Jacobian matters.
        for (int i = 0; i < w.WeightHH.Length; i++) w.WeightHH[i] *= scale;
        for (int i = 0; i < w.WeightIH.Length; i++) w.WeightIH[i] *= scale;
        return w;
    }

    public static double[] Input(int steps, int input, ulong seed)
    {
        var x = new double[steps * input];
        new SeededRandom(seed).FillGaussian<double>(x, 0, 1);
        return x;
    }

    /// <summary>∂h_T/∂h_{T−k} by explicit products of dense step Jacobians, h-block for the LSTM. Returns [H, H].</summary>
    public static double[] ExplicitProduct(CellTrajectory tr, int k)
    {
        int S = tr.Cell.StateSize, H = tr.Cell.HiddenSize, T = tr.Steps;
        var p = new double[S * S];
        for (int i = 0; i < S; i++) p[i * S + i] = 1;
        var j = new double[S * S];
        var q = new double[S * S];
        for (int m = 1; m <= k; m++)
        {
            StepJacobian.Dense(tr, T - m + 1, j);
            Gemm.Reference<double>(Op.N, Op.N, S, S, S, p, j, q, accumulate: false);
            (p, q) = (q, p);
        }
        var h = new double[H * H];
        for (int a = 0; a < H; a++)
            for (int b = 0; b < H; b++) h[a * H + b] = p[a * S + b];
        return h;
    }

    /// <summary>
    /// σ_max of a [n, n] by MathNet's SVD of the matrix scaled to unit Frobenius norm: MathNet's SVD loses the
    /// answer for matrices whose entries are ~1e−16 (its convergence test is not scale-free), so scale first.
    /// </summary>
    public static double SpectralNorm(double[] a, int n)
    {
        double fro = Math.Sqrt(a.Sum(v => v * v));
        if (fro == 0) return 0;
        return Spectra.SingularValues(a.Select(v => v / fro).ToArray(), n, n)[0] * fro;
    }
}
