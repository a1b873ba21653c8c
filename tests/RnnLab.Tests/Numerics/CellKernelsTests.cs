using RnnLab.Numerics;

namespace RnnLab.Tests.Numerics;

public class CellKernelsTests
{
    // Whole vectors (16, 128), a ragged tail (33, 40) and no full vector at all (7).
    private static readonly int[] Hiddens = [7, 16, 33, 40, 128];

    private static float[] Random(SeededRandom rng, int n, double scale)
    {
        var x = new float[n];
        rng.FillUniform<float>(x, -scale, scale);
        return x;
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static void Close(double expected, float actual, string what)
        => Assert.True(Math.Abs(actual - expected) <= 2e-6 * (1 + Math.Abs(expected)), $"{what}: {actual:R}, definition {expected:R}");

    [Fact]
    public void LstmBackward_MatchesRowWiseDefinition()
    {
        var rng = new SeededRandom(22);
        foreach (int H in Hiddens)
        {
            const int B = 3;
            float[] gates = Random(rng, B * 4 * H, 1), cPrev = Random(rng, B * H, 2), tc = Random(rng, B * H, 1), dh = Random(rng, B * H, 1);
            float[] dc0 = Random(rng, B * H, 1);
            float[] dcFast = (float[])dc0.Clone(), dcRef = (float[])dc0.Clone();
            float[] dgFast = new float[B * 4 * H], dgRef = new float[B * 4 * H];
            CellKernels.LstmBackward<float>(gates, cPrev, tc, dh, dcFast, dgFast, H);
            CellKernels.LstmBackwardRows<float>(gates, cPrev, tc, dh, dcRef, dgRef, H, 0);
            for (int k = 0; k < dgRef.Length; k++) Close(dgRef[k], dgFast[k], $"dGates H={H} [{k}]");
            for (int k = 0; k < dcRef.Length; k++) Close(dcRef[k], dcFast[k], $"dc H={H} [{k}]");
        }
    }

    [Fact]
    public void GruForward_MatchesDefinition()
    {
        var rng = new SeededRandom(23);
        foreach (int H in Hiddens)
            foreach (int B in new[] { 1, 3 })
            {
                float[] xSide = Random(rng, B * 3 * H, 3), hh = Random(rng, B * 3 * H, 3), hPrev = Random(rng, B * H, 1);
                float[] gates = (float[])xSide.Clone(), h = new float[B * H];
                CellKernels.GruForward<float>(gates, hh, hPrev, h, H);
                for (int b = 0; b < B; b++)
                    for (int j = 0; j < H; j++)
                    {
                        int g = b * 3 * H + j, s = b * H + j;
                        double r = Sigmoid((double)xSide[g] + hh[g]), z = Sigmoid((double)xSide[g + H] + hh[g + H]);
                        double n = Math.Tanh(xSide[g + 2 * H] + r * hh[g + 2 * H]);
                        string at = $"H={H} B={B} [{b},{j}]";
                        Close(r, gates[g], "r " + at); Close(z, gates[g + H], "z " + at); Close(n, gates[g + 2 * H], "n " + at);
                        Close((1 - z) * n + z * hPrev[s], h[s], "h " + at);
                    }
            }
    }

    [Fact]
    public void Double_TakesTheDefinition()
    {
        var rng = new SeededRandom(24);
        const int H = 33, B = 2;
        double[] xSide = new double[B * 3 * H], hh = new double[B * 3 * H], hPrev = new double[B * H];
        rng.FillUniform<double>(xSide, -3, 3);
        rng.FillUniform<double>(hh, -3, 3);
        rng.FillUniform<double>(hPrev, -1, 1);
        double[] gates = (double[])xSide.Clone(), h = new double[B * H];
        CellKernels.GruForward<double>(gates, hh, hPrev, h, H);
        for (int k = 0; k < B * H; k++)
        {
            int b = k / H, j = k % H, g = b * 3 * H + j;
            double r = Sigmoid(xSide[g] + hh[g]), z = Sigmoid(xSide[g + H] + hh[g + H]), n = Math.Tanh(xSide[g + 2 * H] + r * hh[g + 2 * H]);
            double expected = (1 - z) * n + z * hPrev[k];
            Assert.True(Math.Abs(h[k] - expected) < 1e-14, $"h[{k}] = {h[k]:R}, definition {expected:R}");
        }
    }

    [Fact]
    public void WrongShapes_Throw()
    {
        Assert.Throws<ArgumentException>(() => CellKernels.LstmBackward<float>(new float[4 * 8], new float[8], new float[8], new float[8], new float[7], new float[4 * 8], 8));
        Assert.Throws<ArgumentException>(() => CellKernels.GruForward<float>(new float[3 * 8], new float[3 * 8], new float[8], new float[8], 5));
    }
}
