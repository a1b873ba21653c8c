using RnnLab.Training;
namespace RnnLab.Lesson;

/// <summary>
/// report.html of a training run: the summary, the training and held-out curves, the gradient norm, and the
/// gradient-flow probe over training — one self-contained page (plots embedded as PNG, see <see cref="Html"/>).
/// </summary>
public static class RunReport
{
    public static void Write(string path, TrainingSummary summary, IReadOnlyList<StepRecord> records)
    {
        var c = summary.Config;
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "steps", $"{summary.Steps} of {c.Steps}" },
            new[] { "test loss", $"{Html.Num(summary.TestLoss, "G4")} (chance {Html.Num(summary.ChanceLoss, "G4")})" },
            new[] { $"test {summary.MetricName}", $"{Html.Pct(summary.TestMetric)} (chance {Html.Pct(summary.ChanceMetric)})" },
            new[] { "optimizer", $"{c.Optimizer}, lr {Html.Num(c.Lr)}, batch {c.Batch}" + (c.ClipNorm is double n ? $", norm clipped at {Html.Num(n)}" : "") },
            new[] { "initialisation", c.Init + (c.Rho is double r ? $", ρ(W_hh) rescaled to {Html.Num(r)}" : "") + (c.ForgetBias is double f ? $", forget bias +{Html.Num(f)}" : "") },
            new[] { "seed", c.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            new[] { "wall time", $"{Html.Num(summary.Seconds, "F1")} s" },
        };
        if (summary.DivergedAt is int d) rows.Insert(1, ["diverged", $"at step {d}: the loss or the gradient became NaN or infinite"]);
        if (summary.Stopped) rows.Insert(1, ["stopped", "before its last step; continue with --resume"]);
        string body = Html.Table(["", c.Label], rows);
        if (records.Count > 0)
        {
            double[] steps = [.. records.Select(r => (double)r.Step)];
            var evals = records.Where(r => r.TestLoss is not null).ToArray();
            var loss = new List<(string, double[], double[], int?)> { ("training loss (batch)", steps, [.. records.Select(r => r.Loss)], summary.DivergedAt) };
            if (evals.Length > 0) loss.Add(("held-out loss", [.. evals.Select(r => (double)r.Step)], [.. evals.Select(r => r.TestLoss!.Value)], null));
            body += Html.Row(
                Html.Figure("run-loss", Charts.Traces("Loss", "loss (log scale)", loss), $"Training and held-out loss; chance level {Html.Num(summary.ChanceLoss, "G3")}."),
                Html.Figure("run-gradnorm", Charts.Traces("Gradient norm", "‖∇θ L‖ before clipping (log scale)", [("global norm", steps, [.. records.Select(r => r.GradNorm)], summary.DivergedAt)]),
                    "Global gradient norm at each logged step, before clipping."));
            var finite = records.Where(r => r.Flow.Length == summary.FlowDistances.Length && r.Flow.Length > 1).ToArray();
            if (finite.Length > 1)
                body += Html.Figure("run-flow", Charts.FlowHeatmap("Gradient flow during training", [.. finite.Select(r => (double)r.Step)], summary.FlowDistances, [.. finite.Select(r => r.Flow)]),
                    "‖∂L/∂h_(T−k)‖ at each logged step (columns) and distance k (rows), log10 colour.");
        }
        Html.WritePage(path, c.Label, body);
    }
}
