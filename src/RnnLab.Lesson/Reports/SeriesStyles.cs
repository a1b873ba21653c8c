using ScottPlot;

namespace RnnLab.Lesson;

/// <summary>
/// The look of every line series in every figure: one colour-blind-safe palette (Paul Tol's "muted" scheme, nine
/// colours distinct under every common colour-vision deficiency and in print) and one sequence of dash patterns.
/// Series i of a figure gets colour i and dash pattern i, so nine series differ in both colour and dash, and a
/// figure still reads in grey or for a reader who cannot tell two colours apart. Beyond nine the pair stays unique
/// (the dash sequence shifts by one each time the palette wraps).
/// </summary>
public static class SeriesStyles
{
    /// <summary>Paul Tol's muted scheme (https://personal.sron.nl/~pault/), ordered so neighbours contrast; the light sand last.</summary>
    public static readonly Color[] Palette =
    [
        Color.FromHex("#332288"),   // indigo
        Color.FromHex("#CC6677"),   // rose
        Color.FromHex("#117733"),   // green
        Color.FromHex("#88CCEE"),   // cyan
        Color.FromHex("#882255"),   // wine
        Color.FromHex("#44AA99"),   // teal
        Color.FromHex("#999933"),   // olive
        Color.FromHex("#AA4499"),   // purple
        Color.FromHex("#DDCC77"),   // sand
    ];

    /// <summary>Dash patterns as on/off lengths in pixels (the same in PNG and SVG); the first is solid.</summary>
    public static readonly LinePattern[] Dashes =
    [
        LinePattern.Solid,
        new([8, 4], 0, "dashed"),
        new([2, 3], 0, "dotted"),
        new([8, 3, 2, 3], 0, "dash-dot"),
        new([16, 5], 0, "long dash"),
        new([8, 3, 2, 3, 2, 3], 0, "dash-dot-dot"),
        new([4, 2], 0, "dense dash"),
        new([16, 4, 4, 4], 0, "long-short"),
        new([2, 7], 0, "sparse dots"),
    ];

    /// <summary>Wide enough for the longest dash pattern to show in the legend's sample of each line.</summary>
    public const float LegendSymbolWidth = 44;

    public static Color Colour(int index) => Palette[index % Palette.Length];

    public static LinePattern Dash(int index) => Dashes[(index + index / Palette.Length) % Dashes.Length];

    /// <summary>Gives a line (and a scatter's markers) series <paramref name="index"/>'s colour and dash pattern.</summary>
    public static void Apply(IHasLine line, int index)
    {
        line.LineColor = Colour(index);
        line.LinePattern = Dash(index);
        if (line is IHasMarker markers) markers.MarkerColor = Colour(index);
    }

    /// <summary>Shows the legend with line samples long enough to show each dash pattern.</summary>
    public static void ShowLegend(Plot plot, Alignment alignment)
    {
        plot.Legend.SymbolWidth = LegendSymbolWidth;
        plot.ShowLegend(alignment);
    }
}
