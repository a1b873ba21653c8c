using System.Globalization;
using System.Net;
using System.Text;
using RnnLab.Numerics;
using RnnLab.Training;
using ScottPlot;

namespace RnnLab.Lesson;

/// <summary>
/// Self-contained HTML for reports: one file, styles inline, every plot a PNG embedded as base64, so a report can be
/// mailed, archived or opened from a cluster's scratch folder without its neighbours. Plot images carry
/// <c>class="plot-img"</c> and sit in <c>figure.plot</c> elements with stable ids, for browser checks.
/// </summary>
public static class Html
{
    public const int PlotWidth = 760, PlotHeight = 430;

    const string Style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1080px;margin:2em auto;padding:0 1em;line-height:1.5;color:#222}
        h1{font-size:1.7em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}h3{margin-top:1.5em}
        table{border-collapse:collapse;margin:.8em 0;font-size:.92em}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
        th:first-child,td:first-child{text-align:left}thead th{background:#f4f4f4}
        figure.plot{margin:1em 0;display:inline-block;vertical-align:top}figure.plot img{max-width:100%;height:auto;border:1px solid #eee}
        figcaption{font-size:.88em;color:#555;max-width:760px}.row{display:flex;flex-wrap:wrap;gap:1em}.row figure.plot{flex:1 1 480px}
        .finding{border-left:5px solid #999;padding:.4em .8em;margin:.8em 0;background:#fafafa}
        .verdict-supports{border-color:#2a9d3a}.verdict-qualifies{border-color:#d89b00}.verdict-contradicts{border-color:#c0392b}.verdict-inconclusive{border-color:#888}
        .verdict{font-weight:600;text-transform:uppercase;font-size:.8em;letter-spacing:.05em}.claim{font-style:italic}
        .budget{color:#555;font-size:.9em}code{background:#f4f4f4;padding:0 .2em}
        """;

    public static string Enc(string s) => WebUtility.HtmlEncode(s);

    /// <summary>A number for prose and tables: 3 significant digits, written as <see cref="Numbers"/> writes them (2.55e-10), "NaN"/"∞" spelled out.</summary>
    public static string Num(double v, string format = "G3") => double.IsNaN(v) ? "NaN"
        : double.IsPositiveInfinity(v) ? "∞" : double.IsNegativeInfinity(v) ? "−∞" : Numbers.Format(v, format);

    public static string Pct(double v) => double.IsFinite(v) ? (100 * v).ToString("F1", CultureInfo.InvariantCulture) + "%" : Num(v);

    public static string Page(string title, string body) =>
        $"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
        $"<title>{Enc(title)}</title><style>{Style}</style></head>\n<body>\n<h1>{Enc(title)}</h1>\n{body}\n</body></html>\n";

    public static void WritePage(string path, string title, string body)
    {
        string html = Page(title, body);
        AtomicFile.Write(path, s => s.Write(Encoding.UTF8.GetBytes(html)));
    }

    /// <summary>A plot as an embedded PNG: <c>&lt;figure class="plot" id="fig-ID"&gt;&lt;img class="plot-img" …&gt;</c>.</summary>
    public static string Figure(string id, Plot plot, string caption, int width = PlotWidth, int height = PlotHeight)
    {
        byte[] png = PlotImages.Png(plot, width, height);
        return $"<figure class=\"plot\" id=\"fig-{Enc(id)}\"><img class=\"plot-img\" data-plot=\"{Enc(id)}\" width=\"{width}\" height=\"{height}\" " +
               $"alt=\"{Enc(caption)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\"><figcaption>{Enc(caption)}</figcaption></figure>\n";
    }

    public static string Row(params string[] figures) => $"<div class=\"row\">{string.Concat(figures)}</div>\n";

    public static string Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, string? cssClass = null)
    {
        var sb = new StringBuilder(cssClass is null ? "<table><thead><tr>" : $"<table class=\"{cssClass}\"><thead><tr>");
        foreach (var h in header) sb.Append("<th>").Append(Enc(h)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var r in rows)
        {
            sb.Append("<tr>");
            foreach (var c in r) sb.Append("<td>").Append(Enc(c)).Append("</td>");
            sb.Append("</tr>");
        }
        return sb.Append("</tbody></table>\n").ToString();
    }

    public static string P(string text) => $"<p>{Enc(text)}</p>\n";

    public static string Findings(IEnumerable<Finding> findings) => string.Concat(findings.Select(f =>
        $"<div class=\"finding verdict-{f.Verdict.ToString().ToLowerInvariant()}\"><span class=\"verdict\">{f.Verdict}</span> " +
        $"<span class=\"claim\">{Enc(f.Claim)}</span><br>{Enc(f.Evidence)}</div>\n"));

    /// <summary>The question, the budget (points, steps, batch, seeds, wall time) and the findings, for an experiment's own report.</summary>
    public static string Intro(Experiment e, ExperimentResults r) =>
        P(e.Question) + $"<p class=\"budget\">{Enc(Budget(r.Points, r.Seconds, r.Threads, r.Preset))}</p>\n";

    /// <summary>The budget sentence; <paramref name="seconds"/> is the sweep's wall time, NaN when its runs shared threads with other work.</summary>
    public static string Budget(IReadOnlyList<PointResult> points, double seconds, int threads, string preset)
    {
        if (points.Count == 0) return "no points";
        var c = points[0].Config;
        int seeds = points.Select(p => p.Config.Seed).Distinct().Count();
        string steps = points.Select(p => p.Config.Steps).Distinct().Count() == 1 ? $"{c.Steps} steps" : $"{points.Min(p => p.Config.Steps)}–{points.Max(p => p.Config.Steps)} steps";
        return $"Preset {preset}: {points.Count} training runs, {steps} each, batch {c.Batch}, H = {c.Hidden}{(c.Layers > 1 ? $", {c.Layers} layers" : "")}{(c.Bidirectional ? ", bidirectional" : "")}, {c.Optimizer} lr {Num(c.Lr)}" +
               $"{(c.ClipNorm is double n ? $", norm clipped at {Num(n)}" : "")}, {seeds} seed{(seeds == 1 ? "" : "s")}; " +
               (double.IsNaN(seconds) ? $"{Num(points.Sum(p => p.Seconds), "F1")} s of training summed over runs (run on {threads} thread{(threads == 1 ? "" : "s")} with the other experiments)."
                   : $"{Num(seconds, "F1")} s of training on {threads} thread{(threads == 1 ? "" : "s")} ({Num(points.Sum(p => p.Seconds), "F1")} s summed over runs).");
    }
}
