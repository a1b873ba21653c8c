using System.Globalization;
using ScottPlot;

namespace RnnLab.Lesson;

/// <summary>
/// A figure as PNG or SVG bytes. PNG is ScottPlot's own rendering. For SVG, Skia's SVG canvas ignores a paint's dash
/// effect on circles and ellipses (drawing them solid and printing "Unsupported path effect in addPaint." to stderr)
/// and writes other dashed lines as filled outlines of every dash; so each dashed line is drawn solid in a colour
/// no figure uses, and that colour is then replaced by the line's own with a <c>stroke-dasharray</c> of its pattern:
/// every dashed line, its legend sample included, is a plain SVG stroke with the same dashes as in the PNG.
/// </summary>
public static class PlotImages
{
    public static byte[] Png(Plot plot, int width, int height) => plot.GetImageBytes(width, height, ImageFormat.Png);

    public static string Svg(Plot plot, int width, int height)
    {
        var dashed = plot.GetPlottables().OfType<IHasLine>().Where(l => l.LinePattern.Intervals.Length > 0)
            .Select(l => (Line: l, l.LineColor, l.LinePattern)).ToArray();
        for (int i = 0; i < dashed.Length; i++)
        {
            dashed[i].Line.LineColor = StandIn(i, dashed[i].LineColor.Alpha);
            dashed[i].Line.LinePattern = LinePattern.Solid;
        }
        string svg;
        try { svg = plot.GetSvgXml(width, height); }
        finally
        {
            foreach (var (line, colour, pattern) in dashed) { line.LineColor = colour; line.LinePattern = pattern; }
        }
        for (int i = 0; i < dashed.Length; i++)
        {
            string intervals = string.Join(' ', dashed[i].LinePattern.Intervals.Select(v => v.ToString(CultureInfo.InvariantCulture)));
            svg = svg.Replace($"stroke=\"{Hex(StandIn(i, 255))}\"", $"stroke=\"{Hex(dashed[i].LineColor)}\" stroke-dasharray=\"{intervals}\"", StringComparison.Ordinal);
        }
        return svg;
    }

    /// <summary>The colour dashed line <paramref name="index"/> is drawn in while rendering: #FE01xx, outside every palette.</summary>
    static Color StandIn(int index, byte alpha) => new(0xFE, (byte)(1 + index / 256), (byte)(index % 256), alpha);

    /// <summary>A colour as Skia's SVG canvas writes it: #RRGGBB, upper case (opacity goes in its own attribute).</summary>
    static string Hex(Color c) => string.Create(CultureInfo.InvariantCulture, $"#{c.Red:X2}{c.Green:X2}{c.Blue:X2}");
}
