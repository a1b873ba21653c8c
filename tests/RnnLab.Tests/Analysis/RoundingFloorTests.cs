using MathNet.Numerics.LinearAlgebra;
using RnnLab.Analysis;
using RnnLab.Lesson;
using RnnLab.Models;

namespace RnnLab.Tests.Analysis;

/// <summary>
/// An LSTM layer whose cells saturate (|c| up to 180, forget bias +7) and whose other paths forget: ‖∂h_T/∂c_{T−k}‖
/// falls 15 decades and levels off where the only path left runs through a saturated cell, tanh′(c_T) = 4.4e−16,
/// and through rounding in the other steps' 1 − tanh²c. There the deflated sweep and the exact one differed by
/// 0.206 decades at k = 516 (−15.759 against −15.553), and the exact one differed from the same product with
/// tanh′ = sech² by 0.0075. Flow reports a block only where it is determined, in both modes.
/// </summary>
public class RoundingFloorTests
{
    const int I = 4, H = 8, T = 800;

    static CellTrajectory SaturatedLayer() => SaturatedStack().Cell(1, 0);

    /// <summary>Layer 0 forgets (W_hh × 0.05, forget bias −6); layer 1, the one measured, remembers (forget bias +7).</summary>
    static ModuleTrajectory SaturatedStack()
    {
        var below = CellWeights.Random(CellKind.Lstm, I, H, 10);
        for (int i = 0; i < below.WeightHH.Length; i++) below.WeightHH[i] *= 0.05;
        for (int j = H; j < 2 * H; j++) below.BiasIH[j] = -6;          // gate block 1: f
        var layer = CellWeights.Random(CellKind.Lstm, H, H, 11);
        for (int j = H; j < 2 * H; j++) layer.BiasIH[j] = 7;
        var w = new ModuleWeights(new RecurrentModule("", CellKind.Lstm, I, H, 2, 1, true, 0, "F64", false, null), Nonlinearity.Tanh, [below, layer]);
        return ModuleTrajectory.Run(w, AnalysisNetwork.RandomInputs(T, I, seed: 3), T);
    }

    [Fact]
    public void The_module_report_keeps_each_layers_note_beside_its_nulls()
    {
        var tr = SaturatedStack();
        var report = ModuleFlowReport.Build(tr.Weights, [ModuleFlow.Compute(tr)]);
        var layer1 = ((IEnumerable<Dictionary<string, object?>>)report["layers"]!).Single(l => (int)l["layer"]! == 1);
        Assert.True(double.IsNaN(((double[])layer1["log10_hidden_from_cell_spectral_norm"]!)[516]));
        Assert.Contains("rounding", (string)layer1["log10_hidden_from_cell_spectral_norm_note"]!);
        Assert.Contains("rounding", (string)report["log10_hidden_from_cell_spectral_norm_note"]!);   // layer 1 is the top layer
    }

    [Fact]
    public void Every_reported_block_matches_the_product_with_sech2_and_the_floor_is_refused()
    {
        var tr = SaturatedLayer();
        var (hh, hc, cc) = SechProduct(tr);
        foreach (var (mode, options) in new[] { ("default", new FlowOptions()), ("exact", new FlowOptions { TruncationTolerance = 0 }) })
        {
            var flow = FlowProfile.Compute(tr, options);
            Assert.True(double.IsNaN(flow.Log10HiddenFromCellSpectralNorm![516]), $"{mode}: k = 516 reported as {flow.Log10HiddenFromCellSpectralNorm[516]:F3}");
            Assert.Contains("rounding", flow.Log10HiddenFromCellSpectralNormNote);
            Assert.True(double.IsNaN(flow.HiddenFromCellSpectralNorm![516]));
            foreach (var (name, got, want, note) in new[]
            {
                ("h_T/h", flow.Log10SpectralNorm, hh, flow.Log10SpectralNormNote),
                ("h_T/c", flow.Log10HiddenFromCellSpectralNorm, hc, flow.Log10HiddenFromCellSpectralNormNote),
                ("c_T/c", flow.Log10CellSpectralNorm!, cc, flow.Log10CellSpectralNormNote),
            })
            {
                int reported = 0;
                for (int k = 1; k < T; k++)
                {
                    if (double.IsNaN(got[k])) continue;
                    reported++;
                    Assert.True(Math.Abs(got[k] - want[k]) < 5e-4, $"{mode}, {name}, k = {k}: {got[k]:R} vs {want[k]:R} with sech²");
                }
                Assert.Equal(reported < T - 1, note is not null);
            }
            Assert.True(flow.Log10FrobeniusNorm.Select((v, k) => double.IsNaN(v) == double.IsNaN(flow.Log10SpectralNorm[k])).All(b => b));
            Assert.True(double.IsNegativeInfinity(flow.Log10HiddenFromCellSpectralNorm[0]));   // ∂h_T/∂c_T = 0 exactly stays an exact zero
        }
        Assert.Equal(0, new[] { 100, 200, 300 }.Count(k => double.IsNaN(FlowProfile.Compute(tr).Log10HiddenFromCellSpectralNorm![k])));
        PlotImages.Png(Plots.FlowProfile(FlowProfile.Compute(tr)), 400, 300);   // a refused entry is a gap in the plot
    }

    /// <summary>
    /// log10 of ‖∂h_T/∂h_{T−k}‖₂, ‖∂h_T/∂c_{T−k}‖₂ and ‖∂c_T/∂c_{T−k}‖₂ from the dense product of the step
    /// Jacobians, scaled every step, with tanh′(c) = sech²(c) = 4/(e^c + e^−c)² in place of 1 − tanh²c.
    /// </summary>
    static (double[] Hh, double[] Hc, double[] Cc) SechProduct(CellTrajectory tr)
    {
        int S = tr.Cell.StateSize;
        var p = Matrix<double>.Build.DenseIdentity(S);
        double scale = 0;
        var (hh, hc, cc) = (new double[T], new double[T], new double[T]);
        for (int k = 0; k < T; k++)
        {
            if (k > 0) p *= SechStep(tr, T - k + 1);
            double big = p.Enumerate().Max(Math.Abs);
            p /= big; scale += Math.Log(big);
            double L(int r, int c) => (Math.Log(p.SubMatrix(r, H, c, H).L2Norm()) + scale) / Math.Log(10);
            (hh[k], hc[k], cc[k]) = (L(0, 0), L(0, H), L(H, H));
        }
        return (hh, hc, cc);
    }

    /// <summary>The step Jacobian J_t with its h rows built with sech²(c_t) (the c rows do not involve tanh′(c)).</summary>
    static Matrix<double> SechStep(CellTrajectory tr, int t)
    {
        int S = tr.Cell.StateSize;
        var j = new double[S * S];
        StepJacobian.Dense(tr, t, j);
        var J = Matrix<double>.Build.DenseOfRowMajor(S, S, j);
        var w = tr.Cell.WeightHH;                                          // [4H, H], blocks i, f, g, o
        var g = tr.GatesAt(t);
        ReadOnlySpan<double> cPrev = tr.CellAt(t - 1), c = tr.CellAt(t);
        for (int r = 0; r < H; r++)
        {
            double i = g[r], f = g[H + r], gg = g[2 * H + r], o = g[3 * H + r];
            double e = Math.Exp(c[r]) + Math.Exp(-c[r]);
            double dc = o * 4 / (e * e), ao = Math.Tanh(c[r]) * o * (1 - o);
            double ai = gg * i * (1 - i), af = cPrev[r] * f * (1 - f), ag = i * (1 - gg * gg);
            for (int q = 0; q < H; q++)
                J[r, q] = ao * w[(3 * H + r) * H + q] + dc * (af * w[(H + r) * H + q] + ai * w[r * H + q] + ag * w[(2 * H + r) * H + q]);
            J[r, H + r] = dc * f;
        }
        return J;
    }
}
