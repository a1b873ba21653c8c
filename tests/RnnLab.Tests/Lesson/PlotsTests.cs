using RnnLab.Tests.Analysis;
using RnnLab.Numerics;
using RnnLab.Lesson;
using RnnLab.Analysis;

namespace RnnLab.Tests.Lesson;

public class PlotsTests
{
    [Fact]
    public void FiguresRenderAsPngAndSvg()
    {
        string dir = Path.Combine(Path.GetTempPath(), "rnnlab-plots-" + Guid.NewGuid().ToString("N"));
        try
        {
            var cell = CellWeights.Random(RnnLab.Models.CellKind.Lstm, 3, 8, seed: 1);
            var flow = FlowProfile.Compute(cell, AnalysisTestData.Input(100, 3, 2), 100);
            var figures = new[]
            {
                ("flow", Plots.FlowProfile(flow)),
                ("eigen", Plots.Eigenvalues(Spectra.Eigenvalues(cell.WeightHH.AsSpan(0, 64), 8))),
                ("decay", Plots.DecayCurves([0.9, 0.8, 0.7], 100)),
                ("depth", Plots.DepthComparison(DepthComparison.Run(new DepthOptions { Width = 8, Depths = [10] }))),
            };
            foreach (var (name, plot) in figures)
            {
                var (png, svg) = Plots.Save(plot, Path.Combine(dir, name));
                AssertDrawn(name, File.ReadAllBytes(png));
                Assert.Contains("<svg", File.ReadAllText(svg));
            }
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    /// <summary>A PNG of the documented size with a picture on it: decodes, and has more than a background and a frame.</summary>
    static void AssertDrawn(string name, byte[] png)
    {
        using var bitmap = SkiaSharp.SKBitmap.Decode(png);
        Assert.True(bitmap is not null, $"{name}: not a PNG");
        Assert.Equal((Plots.Width, Plots.Height), (bitmap.Width, bitmap.Height));
        var colours = new HashSet<uint>();
        for (int y = 0; y < bitmap.Height; y += 4)
            for (int x = 0; x < bitmap.Width; x += 4) colours.Add((uint)bitmap.GetPixel(x, y));
        Assert.True(colours.Count > 20, $"{name}: only {colours.Count} colours, nearly blank");
    }

    static double[] Line(ScottPlot.Plot plot, string legendStart) =>
        [.. plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Single(s => s.LegendText.StartsWith(legendStart, StringComparison.Ordinal))
            .Data.GetScatterPoints().Select(p => p.Y)];

    [Fact]
    public void The_flow_figure_plots_the_library_numbers()
    {
        // What the lines hold, not only that an image came out: the measured profile and both ρ^k reference curves.
        var cell = CellWeights.Random(RnnLab.Models.CellKind.Rnn, 3, 8, seed: 1);
        var flow = FlowProfile.Compute(cell, AnalysisTestData.Input(40, 3, 2), 40);
        var plot = Plots.FlowProfile(flow);
        Assert.Equal(flow.Log10SpectralNorm, Line(plot, "‖∂h_T/∂h_{T−k}‖₂"));
        Assert.Equal(flow.Log10FrobeniusNorm, Line(plot, "‖∂h_T/∂h_{T−k}‖_F"));
        Assert.Equal(flow.Log10EffectiveRhoPower, Line(plot, "ρ_eff^k"));
        Assert.Equal(flow.Log10RhoPower, Line(plot, "ρ(W_hh)^k"));
        var decay = Plots.DecayCurves([0.9], 50);
        Assert.Equal(RhoPowers.Log10(0.9, 50), Line(decay, "ρ = 0.9"));
    }
}
