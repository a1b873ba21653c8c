using System.Net;
using System.Text;
using RnnLab.Numerics;

namespace RnnLab.Experiments;

/// <summary>report.html of a training run: the summary and its curves, one self-contained page.</summary>
public static class RunReport
{
    public static void Write(string path, TrainingSummary summary, IReadOnlyList<StepRecord> records)
    {
        var c = summary.Config;
        var html = new StringBuilder();
        html.Append($"<!doctype html><html><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(c.Label)}</title></head><body>");
        html.Append($"<h1>{WebUtility.HtmlEncode(c.Label)}</h1><table>");
        void Row(string k, string v) => html.Append($"<tr><th align=left>{k}</th><td>{WebUtility.HtmlEncode(v)}</td></tr>");
        Row("steps", $"{summary.Steps} of {c.Steps}");
        Row("test loss", $"{summary.TestLoss:G4} (chance {summary.ChanceLoss:G4})");
        Row($"test {summary.MetricName}", $"{summary.TestMetric:P1} (chance {summary.ChanceMetric:P1})");
        if (summary.DivergedAt is int d) Row("diverged", $"at step {d}");
        Row("wall time", $"{summary.Seconds:F1} s");
        html.Append("</table></body></html>");
        AtomicFile.Write(path, s => { using var w = new StreamWriter(s, leaveOpen: true); w.Write(html.ToString()); });
    }
}
