using System.Globalization;
using System.Numerics;
using RnnLab.Analysis;
using RnnLab.Models;
using ScottPlot;

namespace RnnLab.Lesson;

/// <summary>
/// The analysis figures, drawn with ScottPlot 5: flow profile (measured against ρ^k), eigenvalues in the complex
/// plane with the unit circle, decay curves, depth comparison. Quantities that span decades are plotted as log10
/// with ticks labelled as powers of ten (ScottPlot's recipe for log axes: plot the log, relabel the ticks).
/// Each method builds a <see cref="Plot"/>; <see cref="Save"/> writes it as PNG and SVG.
/// </summary>
public static class Plots
{
    public const int Width = 800;
    public const int Height = 500;

    /// <summary>Writes <paramref name="basePath"/>.png and .svg; returns both paths.</summary>
    public static (string Png, string Svg) Save(Plot plot, string basePath, int width = Width, int height = Height)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(basePath));
        if (dir is not null) Directory.CreateDirectory(dir);
        string png = basePath + ".png", svg = basePath + ".svg";
        File.WriteAllBytes(png, PlotImages.Png(plot, width, height));
        File.WriteAllText(svg, PlotImages.Svg(plot, width, height));
        return (png, svg);
    }

    /// <summary>Left axis shows log10 values labelled 10^n, with logarithmic minor ticks.</summary>
    static void LogY(Plot plot)
    {
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => "1e" + y.ToString("0", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>
    /// Depth × time: log10 ‖∂h^(L−1)_T/∂h^(l)_{T−k}‖₂ as colour over steps back k (x) and layer l (y, the top layer
    /// at the top), how the gradient from the top output reaches every layer through depth and time.
    /// </summary>
    public static Plot DepthTime(IReadOnlyList<double[]> log10ByLayer)
    {
        int layers = log10ByLayer.Count, steps = log10ByLayer[0].Length;
        var z = new double[layers, steps];
        for (int r = 0; r < layers; r++)
            for (int k = 0; k < steps; k++)
            {
                double v = log10ByLayer[layers - 1 - r][k];   // ScottPlot draws row 0 at the top
                z[r, k] = double.IsFinite(v) ? v : double.NaN;
            }
        var plot = new Plot();
        var hm = plot.Add.Heatmap(z);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        hm.Extent = new CoordinateRect(-0.5, steps - 0.5, -0.5, layers - 0.5);
        var bar = plot.Add.ColorBar(hm);
        bar.Label = "log10 ‖∂h^top_T/∂h^(l)_{T−k}‖₂";
        plot.Title("Gradient flow through depth and time");
        plot.XLabel("steps back k");
        plot.YLabel("layer l");
        plot.Axes.Margins(0, 0);
        return plot;
    }

    /// <summary>‖∂h_T/∂h_{T−k}‖₂ and ‖·‖_F against k, with exp(λ₁)^k and ρ(W_hh)^k for comparison (log10 axis).</summary>
    public static Plot FlowProfile(FlowResult flow)
    {
        var plot = new Plot();
        int n = flow.Steps;
        double[] k = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        int series = 0;
        void Line(double[] ys, string legend, float width = 1.5f)
        {
            var line = plot.Add.ScatterLine(k, ys);
            line.LegendText = legend;
            SeriesStyles.Apply(line, series++);
            line.LineWidth = width;
        }
        Line(Finite(flow.Log10SpectralNorm), "‖∂h_T/∂h_{T−k}‖₂ (measured)", 2);
        Line(Finite(flow.Log10FrobeniusNorm), "‖∂h_T/∂h_{T−k}‖_F (measured)");
        if (double.IsFinite(flow.EffectiveRho) && flow.EffectiveRho > 0)
            Line(flow.Log10EffectiveRhoPower, $"ρ_eff^k, ρ_eff = exp(λ₁) = {flow.EffectiveRho:F4}");
        if (flow.SpectralRadius is double rho && rho > 0)
            Line(flow.Log10RhoPower!, $"ρ(W_hh)^k, ρ(W_hh) = {rho:F4}");
        if (flow.Log10CellSpectralNorm is double[] cell)
            Line(Finite(cell), "‖∂c_T/∂c_{T−k}‖₂ (h held fixed, every path)");
        if (flow.Log10CellPathNorm is double[] path)
            Line(Finite(path), "‖∏ diag(f_t)‖₂ (the additive cell path alone)");
        plot.Title($"Gradient flow through time: {flow.Cell}, H = {flow.HiddenSize}, T = {flow.Steps}");
        plot.XLabel("steps back k");
        plot.YLabel("norm (log scale)");
        LogY(plot);
        SeriesStyles.ShowLegend(plot, Alignment.LowerLeft);
        return plot;
    }

    /// <summary>
    /// Measured ‖∂h_T/∂h_{T−k}‖₂ for networks whose W_hh was rescaled to different spectral radii, each beside the
    /// lesson's approximation ρ^k (dashed, same colour): where the two part is tanh saturation at work.
    /// </summary>
    public static Plot FlowAcrossSpectralRadii(IReadOnlyList<(double Rho, FlowResult Flow)> runs)
    {
        var plot = new Plot();
        for (int i = 0; i < runs.Count; i++)
        {
            var (rho, flow) = runs[i];
            double[] k = Enumerable.Range(0, flow.Steps).Select(x => (double)x).ToArray();
            var measured = plot.Add.ScatterLine(k, Finite(flow.Log10SpectralNorm));
            measured.LegendText = $"ρ = {Numbers.Exact(rho)}: measured";
            // Each ρ is one colour, its measurement solid beside its reference curve dashed: with the lesson's six
            // radii, twelve lines read best as six pairs (the legend names each). Past the palette's end the pair
            // takes the next two dash patterns, so no two lines look alike.
            int pair = 2 * (i / SeriesStyles.Palette.Length);
            measured.LineColor = SeriesStyles.Colour(i);
            measured.LinePattern = SeriesStyles.Dashes[pair % SeriesStyles.Dashes.Length];
            measured.LineWidth = 2;
            var lesson = plot.Add.ScatterLine(k, RhoPowers.Log10(rho, flow.Steps));
            lesson.LegendText = $"ρ = {Numbers.Exact(rho)}: ρ^k";
            lesson.LineColor = SeriesStyles.Colour(i);
            lesson.LinePattern = SeriesStyles.Dashes[(pair + 1) % SeriesStyles.Dashes.Length];
        }
        var (kind, nonlinearity) = CellKinds.Parse(runs[0].Flow.Cell);
        plot.Title($"‖∂h_T/∂h_{{T−k}}‖₂ of {CellKinds.Label(kind, nonlinearity)} networks (H = {runs[0].Flow.HiddenSize}) beside ρ^k");
        plot.XLabel("steps back k");
        plot.YLabel("norm (log scale)");
        LogY(plot);
        // A refused norm (NaN: an LSTM block below FlowProfile.RoundingFloor) is a gap in its line, not a limit of the axis.
        static IEnumerable<double> Reported(FlowResult f) => f.Log10SpectralNorm.Where(v => !double.IsNaN(v));
        plot.Axes.SetLimitsY(Math.Max(-20, runs.Min(r => Reported(r.Flow).Min()) - 0.5), runs.Max(r => Math.Max(RhoPowers.Log10At(r.Rho, r.Flow.Steps - 1), Reported(r.Flow).Max())) + 0.5);
        SeriesStyles.ShowLegend(plot, Alignment.LowerLeft);
        return plot;
    }

    /// <summary>Eigenvalues of a recurrent matrix in the complex plane, with the unit circle and the circle of radius ρ.</summary>
    public static Plot Eigenvalues(Complex[] eigenvalues, string title = "Eigenvalues of W_hh")
    {
        var plot = new Plot();
        // Series 0 are the eigenvalues (markers, no line), so the unit circle is series 1: dashed.
        var circle = plot.Add.Circle(0, 0, 1);
        SeriesStyles.Apply(circle, 1);
        circle.LineWidth = 1.5f;
        circle.LegendText = "unit circle |λ| = 1";
        double rho = eigenvalues.Length > 0 ? eigenvalues.Max(e => e.Magnitude) : 0;
        if (rho > 0)
        {
            var rc = plot.Add.Circle(0, 0, rho);
            SeriesStyles.Apply(rc, 2);
            rc.LineWidth = 1.5f;
            rc.LegendText = $"spectral radius ρ = {rho:F4}";
        }
        var pts = plot.Add.Markers(eigenvalues.Select(e => e.Real).ToArray(), eigenvalues.Select(e => e.Imaginary).ToArray());
        pts.Color = SeriesStyles.Colour(0);
        pts.LegendText = "eigenvalues λ";
        plot.Axes.SquareUnits();
        plot.Title(title);
        plot.XLabel("Re λ");
        plot.YLabel("Im λ");
        SeriesStyles.ShowLegend(plot, Alignment.UpperRight);
        return plot;
    }

    /// <summary>ρ^(T−1) against T for each ρ (log10 axis).</summary>
    public static Plot DecayCurves(IEnumerable<double> rhos, int maxT)
    {
        var plot = new Plot();
        // at most 2000 points: enough for a smooth curve at any T, a few kilobytes even for T = 10^9
        int points = Math.Min(maxT, 2000);
        double[] t = Enumerable.Range(0, points).Select(i => points == 1 ? 1 : Math.Round(1 + (maxT - 1) * (double)i / (points - 1))).ToArray();
        int series = 0;
        foreach (double rho in rhos)
        {
            var s = plot.Add.ScatterLine(t, t.Select(T => RhoPowers.Log10At(rho, (int)T - 1)).ToArray());   // ρ^(T−1) is ρ^k at k = T − 1
            s.LegendText = $"ρ = {Numbers.Exact(rho)}";
            SeriesStyles.Apply(s, series++);
            s.LineWidth = 1.5f;
        }
        plot.Title("|∂h_T/∂h_1| ≈ ρ^(T−1)");
        plot.XLabel("sequence length T");
        plot.YLabel("ρ^(T−1) (log scale)");
        LogY(plot);
        SeriesStyles.ShowLegend(plot, Alignment.LowerLeft);
        return plot;
    }

    /// <summary>Gradient norm against distance from the output, for each curve of a depth comparison (log10 axis).</summary>
    public static Plot DepthComparison(IEnumerable<DepthCurve> curves)
    {
        var plot = new Plot();
        int series = 0;
        foreach (var c in curves)
        {
            int depth = c.Depth;
            double[] distance = Enumerable.Range(0, depth + 1).Select(i => (double)i).ToArray();
            double[] y = distance.Select(d => SafeLog10(c.GradientNorm[depth - (int)d])).ToArray();
            var s = plot.Add.ScatterLine(distance, y);
            s.LegendText = $"{c.Label}, depth {depth}";
            SeriesStyles.Apply(s, series++);
            s.LineWidth = c.Label.Contains("RNN", StringComparison.Ordinal) ? 2 : 1.5f;
        }
        plot.Title("Gradient norm through depth: feedforward layers vs recurrent steps");
        plot.XLabel("layers / steps back from the output");
        plot.YLabel("‖∂L/∂x‖ (log scale)");
        LogY(plot);
        SeriesStyles.ShowLegend(plot, Alignment.LowerLeft);
        return plot;
    }

    static double SafeLog10(double v) => v > 0 ? Math.Log10(v) : -320;
    /// <summary>An exact zero (−∞) drawn at −320; a refused norm (NaN, below the rounding floor) left a gap.</summary>
    static double[] Finite(double[] log10) => log10.Select(v => double.IsFinite(v) || double.IsNaN(v) ? v : -320).ToArray();
}
