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
                var bytes = File.ReadAllBytes(png);
                Assert.True(bytes.Length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', $"{name}: not a PNG");
                Assert.Contains("<svg", File.ReadAllText(svg));
            }
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
