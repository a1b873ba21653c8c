using System.Globalization;
using ScottPlot;

namespace RnnLab.Lesson;

/// <summary>
/// The experiment figures, drawn with ScottPlot 5: a value against a grid axis with its spread over seeds, training
/// traces, and the flow heatmap. Quantities spanning decades are plotted as log10 with ticks labelled as powers of
/// ten (ScottPlot's recipe for log axes: plot the log, relabel the ticks, add logarithmic minor ticks).
/// </summary>
public static class Charts
{
    /// <summary>Stands in for log10(0) or a non-finite value, far below anything plotted, so a line drops off the axis instead of breaking the plot.</summary>
    const double Floor = -40;

    public static double Log10(double v) => v > 0 && double.IsFinite(v) ? Math.Log10(v) : double.IsPositiveInfinity(v) ? 40 : Floor;

    static void LogAxis(IAxis axis)
    {
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => "1e" + y.ToString("0", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>
    /// One line per series through the mean over seeds, with a bar from the smallest to the largest seed; an optional
    /// dashed baseline (the chance level) as a function of x.
    /// </summary>
    public static Plot AgainstGrid(string title, string xLabel, string yLabel, IReadOnlyList<SeriesStats> stats,
        Func<double, double>? baseline = null, string? baselineLabel = null, bool logY = false, bool logX = false)
    {
        var plot = new Plot();
        double T(double v) => logY ? Log10(v) : v;
        double X(double v) => logX ? Math.Log2(v) : v;
        int series = 0;
        foreach (var group in stats.GroupBy(s => s.Series))
        {
            var s = group.OrderBy(g => g.X).ToArray();
            double[] xs = [.. s.Select(g => X(g.X))], ys = [.. s.Select(g => T(g.Mean))];
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = group.Key;
            SeriesStyles.Apply(line, series++);
            line.LineWidth = 2;
            line.MarkerSize = 7;
            if (s.Any(g => g.Seeds > 1))
            {
                double[] below = [.. s.Select(g => T(g.Mean) - T(g.Min))], above = [.. s.Select(g => T(g.Max) - T(g.Mean))];
                var bars = new ScottPlot.Plottables.ErrorBar(xs, ys, null, null, above, below)
                {
                    YErrorNegative = below, YErrorPositive = above, Color = line.LineColor, LineWidth = 1.5f,
                };
                plot.Add.Plottable(bars);
            }
        }
        if (baseline is not null && stats.Count > 0)
        {
            double lo = stats.Min(s => s.X), hi = stats.Max(s => s.X);
            double[] bx = [.. Enumerable.Range(0, 65).Select(i => lo + (hi - lo) * i / 64.0)];
            var line = plot.Add.ScatterLine(bx.Select(X).ToArray(), bx.Select(x => T(baseline(x))).ToArray());
            line.LegendText = baselineLabel ?? "baseline";
            SeriesStyles.Apply(line, series);
        }
        if (logY) LogAxis(plot.Axes.Left);
        if (logX)
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                IntegerTicksOnly = true,
                LabelFormatter = x => Math.Pow(2, x).ToString("0", CultureInfo.InvariantCulture),
            };
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        SeriesStyles.ShowLegend(plot, Alignment.UpperLeft);
        return plot;
    }

    /// <summary>
    /// Per-step traces (loss, gradient norm), optionally log10; a vertical line marks each series' divergence step. Any
    /// other x (the distance k of a gradient probe) is drawn the same way under its own <paramref name="xLabel"/>.
    /// </summary>
    public static Plot Traces(string title, string yLabel, IEnumerable<(string Label, double[] Steps, double[] Values, int? DivergedAt)> series, bool logY = true,
        string xLabel = "training step")
    {
        var plot = new Plot();
        int index = 0;
        foreach (var (label, steps, values, diverged) in series)
        {
            // a non-finite value has no place on the axis: the line simply ends at the last finite step
            int[] keep = [.. Enumerable.Range(0, values.Length).Where(i => double.IsFinite(values[i]) && (!logY || values[i] > 0))];
            var line = plot.Add.ScatterLine(keep.Select(i => steps[i]).ToArray(), keep.Select(i => logY ? Math.Log10(values[i]) : values[i]).ToArray());
            line.LegendText = diverged is int d ? $"{label} (non-finite at step {d})" : label;
            SeriesStyles.Apply(line, index++);
            line.LineWidth = 1.5f;
            if (diverged is int at)
            {
                // the divergence mark: a vertical line in the trace's colour, in sparse dots
                var v = plot.Add.VerticalLine(at);
                v.Color = line.LineColor;
                v.LinePattern = SeriesStyles.Dashes[^1];
            }
        }
        if (logY) LogAxis(plot.Axes.Left);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        SeriesStyles.ShowLegend(plot, Alignment.UpperRight);
        return plot;
    }

    /// <summary>
    /// log10 ‖∂L/∂h_{T−k}‖ as colour over training step (x) and distance k (y), k = 0 at the bottom. Each row of
    /// <paramref name="flow"/> is one logged step; its columns are the distances.
    /// </summary>
    public static Plot FlowHeatmap(string title, double[] steps, int[] distances, double[][] flow, ScottPlot.Range? range = null)
    {
        int rows = distances.Length, cols = steps.Length;
        var z = new double[rows, cols];
        for (int c = 0; c < cols; c++)
            for (int r = 0; r < rows; r++)
            {
                // ScottPlot draws row 0 at the top: put the largest distance there so k grows upwards.
                double v = flow[c][rows - 1 - r];
                z[r, c] = v > 0 && double.IsFinite(v) ? Math.Log10(v) : double.NaN;
            }
        var plot = new Plot();
        var hm = plot.Add.Heatmap(z);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        double dx = cols > 1 ? (steps[^1] - steps[0]) / (cols - 1) : 1;
        hm.Extent = new CoordinateRect(steps[0] - dx / 2, steps[^1] + dx / 2, distances[0] - 0.5, distances[^1] + 0.5);
        if (range is ScottPlot.Range r0) hm.ManualRange = r0;
        var bar = plot.Add.ColorBar(hm);
        bar.Label = "log10 ‖∂L/∂h_{T−k}‖";
        plot.Title(title);
        plot.XLabel("training step");
        plot.YLabel("steps back k");
        plot.Axes.Margins(0, 0);
        return plot;
    }
}
