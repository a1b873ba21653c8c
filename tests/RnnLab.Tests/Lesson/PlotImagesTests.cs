using System.Numerics;
using System.Xml.Linq;
using RnnLab.Analysis;
using RnnLab.Lesson;
using RnnLab.Tests.Analysis;
using ScottPlot;

namespace RnnLab.Tests.Lesson;

/// <summary>Every line series is told apart by colour and dash, and the dashes are drawn in the SVG and the PNG alike.</summary>
public class PlotImagesTests
{
    /// <summary>(stroke colour, stroke-dasharray or "") of every stroked element of an SVG, in document order.</summary>
    static List<(string Element, string Stroke, string Dash)> Strokes(string svg) =>
        [.. XDocument.Parse(svg).Descendants().Where(e => e.Attribute("stroke") is not null)
            .Select(e => (e.Name.LocalName, Long((string)e.Attribute("stroke")!), (string?)e.Attribute("stroke-dasharray") ?? ""))];

    /// <summary>Skia writes #332288 as #328: the long form.</summary>
    static string Long(string colour) => colour is ['#', var r, var g, var b] ? $"#{r}{r}{g}{g}{b}{b}" : colour;

    static string Hex(Color c) => $"#{c.Red:X2}{c.Green:X2}{c.Blue:X2}";

    static string Dash(LinePattern p) => string.Join(' ', p.Intervals.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The series of a figure: every plottable with a line and a legend entry.</summary>
    static List<(string Legend, string Stroke, string Dash)> Series(Plot plot) =>
        [.. plot.GetPlottables().OfType<IHasLine>().Where(l => l is IPlottable p && p.LegendItems.Any(i => !string.IsNullOrEmpty(i.LabelText)))
            .Select(l => (((IPlottable)l).LegendItems.First().LabelText, Hex(l.LineColor), Dash(l.LinePattern)))];

    public static TheoryData<string> Figures => ["flow-lstm", "eigenvalues", "decay", "depth", "against-grid", "traces"];

    static Plot Figure(string name)
    {
        switch (name)
        {
            case "flow-lstm":
                var cell = CellWeights.Random(RnnLab.Models.CellKind.Lstm, 3, 8, seed: 1);
                return Plots.FlowProfile(FlowProfile.Compute(cell, AnalysisTestData.Input(60, 3, 2), 60));
            case "eigenvalues":
                return Plots.Eigenvalues([new Complex(0.5, 0.2), new Complex(0.5, -0.2), new Complex(-0.3, 0)]);
            case "decay":
                return Plots.DecayCurves([0.7, 0.8, 0.9, 1.0, 1.1, 1.2], 100);
            case "depth":
                return Plots.DepthComparison(DepthComparison.Run(new DepthOptions { Width = 8, Depths = [5, 10, 20] }));
            case "against-grid":
                SeriesStats[] stats = [.. new[] { "rnn", "lstm", "gru" }.SelectMany(s => new[] { 10.0, 20, 40 }.Select(x => new SeriesStats(s, x, x / 100, x / 120, x / 80, 2)))];
                return Charts.AgainstGrid("t", "x", "y", stats, _ => 0.5, "chance");
            default:
                double[] steps = [1, 2, 3, 4];
                return Charts.Traces("t", "y", [("a", steps, [1, 0.5, 0.2, 0.1], null), ("b", steps, [1, 2, 4, 8], 4), ("c", steps, [2, 1, 1, 1], null)]);
        }
    }

    [Theory]
    [MemberData(nameof(Figures))]
    public void Every_series_has_its_own_colour_and_dash_pattern_in_the_svg(string name)
    {
        var plot = Figure(name);
        var series = Series(plot);
        Assert.True(series.Count >= 2, $"{name}: {series.Count} series");
        Assert.Equal(series.Count, series.Select(s => s.Stroke).Distinct().Count());
        Assert.Equal(series.Count, series.Select(s => s.Dash).Distinct().Count());
        Assert.All(series, s => Assert.Contains(s.Stroke, SeriesStyles.Palette.Select(Hex)));

        var strokes = Strokes(PlotImages.Svg(plot, Plots.Width, Plots.Height));
        foreach (var (legend, stroke, dash) in series)
        {
            // the line itself and its legend sample: two strokes with the series' colour and dashes
            int drawn = strokes.Count(s => s.Stroke == stroke && s.Dash == dash);
            Assert.True(drawn >= 2, $"{name}: '{legend}' ({stroke}, dashes '{dash}') drawn {drawn} times; strokes: {string.Join("; ", strokes.Distinct())}");
        }
        Assert.DoesNotContain(strokes, s => s.Stroke.StartsWith("#FE01", StringComparison.Ordinal));   // every stand-in colour replaced
    }

    [Fact]
    public void The_flow_figure_across_radii_pairs_each_measurement_with_its_reference_in_one_colour()
    {
        var x = AnalysisNetwork.RandomInputs(30, AnalysisNetwork.DefaultInputSize, 1);
        var runs = new[] { 0.8, 0.9, 1.0 }.Select(rho => (rho, FlowProfile.Compute(
            AnalysisNetwork.Generate(RnnLab.Models.CellKind.Rnn, AnalysisNetwork.DefaultInputSize, 6, RnnLab.Models.InitKind.PyTorch, rho, seed: 1), x, 30))).ToList();
        var series = Series(Plots.FlowAcrossSpectralRadii(runs));
        Assert.Equal(6, series.Count);
        Assert.Equal(6, series.Select(s => (s.Stroke, s.Dash)).Distinct().Count());
        Assert.Equal(3, series.Select(s => s.Stroke).Distinct().Count());
        Assert.Equal(2, series.Select(s => s.Dash).Distinct().Count());
    }

    [Fact]
    public void The_unit_circle_is_dashed_in_the_svg()
    {
        var plot = Plots.Eigenvalues([new Complex(0.5, 0.1), new Complex(0.5, -0.1)]);
        var circles = Strokes(PlotImages.Svg(plot, Plots.Width, Plots.Height)).Where(s => s.Element == "ellipse").ToList();
        Assert.Equal(2, circles.Count);   // the unit circle and the circle of radius ρ
        Assert.All(circles, c => Assert.NotEqual("", c.Dash));
        Assert.Equal(Dash(SeriesStyles.Dash(1)), circles.Single(c => c.Stroke == Hex(SeriesStyles.Colour(1))).Dash);
    }

    [Fact]
    public void The_unit_circle_is_dashed_in_the_png()
    {
        // Walk around the unit circle in the picture: a dashed circle is inked along part of its length, a solid one along all of it.
        var plot = Plots.Eigenvalues([Complex.Zero]);
        byte[] png = PlotImages.Png(plot, Plots.Width, Plots.Height);
        using var bitmap = SkiaSharp.SKBitmap.Decode(png);
        Pixel centre = plot.GetPixel(new Coordinates(0, 0)), east = plot.GetPixel(new Coordinates(1, 0)), north = plot.GetPixel(new Coordinates(0, 1));
        double rx = east.X - centre.X, ry = centre.Y - north.Y;
        int inked = 0, samples = 720;
        for (int i = 0; i < samples; i++)
        {
            double a = 2 * Math.PI * i / samples;
            bool ink = false;
            for (double r = 0.97; r <= 1.03 && !ink; r += 0.01)
            {
                var c = bitmap.GetPixel((int)Math.Round(centre.X + r * rx * Math.Cos(a)), (int)Math.Round(centre.Y - r * ry * Math.Sin(a)));
                ink = c.Red - c.Green > 25;   // the circle's rose, not the grey grid or the white background
            }
            if (ink) inked++;
        }
        double fraction = inked / (double)samples;
        Assert.True(fraction is > 0.3 and < 0.9, $"the unit circle is inked along {fraction:P0} of its length");
    }

    /// <summary>
    /// flow --compare-rho's figure for a saturated LSTM (identity W_hh at ρ = 3), whose ‖∂h_T/∂h_{T−k}‖₂ is refused
    /// (NaN) from k = 136 on: the axis reaches down to the reported norms, not to NaN, and the title names the cell.
    /// </summary>
    [Fact]
    public void The_spectral_radius_figure_scales_to_the_reported_norms_and_names_its_cell()
    {
        var x = AnalysisNetwork.RandomInputs(200, 8, 1);
        var runs = new[] { 2.0, 3.0 }.Select(rho => (rho, FlowProfile.Compute(
            AnalysisNetwork.Generate(RnnLab.Models.CellKind.Lstm, 8, 16, RnnLab.Models.InitKind.Identity, rho, 1), x, 200))).ToList();
        double[] refused = runs[1].Item2.Log10SpectralNorm;
        Assert.True(double.IsNaN(refused[199]), $"k = 199 reported as {refused[199]}");
        double lowest = refused.Where(double.IsFinite).Min();
        Assert.True(lowest < runs[0].Item2.Log10SpectralNorm.Min(), "the ρ = 3 network sets the lower end");

        var plot = Plots.FlowAcrossSpectralRadii(runs);
        Assert.Equal(Math.Max(-20, lowest - 0.5), plot.Axes.GetLimits().Bottom, 12);
        Assert.Contains("of lstm networks (H = 16)", plot.Axes.Title.Label.Text);
    }
}
