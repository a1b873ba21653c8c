namespace RnnLab.Experiments;

/// <summary>
/// The per-step gradient-flow probe over a whole training run: ‖∂L/∂h_{T−k}‖ at every distance k, recorded at each
/// logged step, for a tanh RNN and an LSTM trained on the adding problem. Shown as heatmaps (training step × k) on
/// a shared colour scale, side by side.
/// </summary>
public sealed class FlowExperiment : Experiment
{
    public override string Name => "flow";
    public override string Title => "Gradient flow during training";
    public override string Question =>
        "How far back does the loss gradient reach, ‖∂L/∂h_{T−k}‖ against k, and does training change it, for a tanh RNN and an LSTM?";

    protected override bool KeepFlow => true;

    public override IReadOnlyList<GridPoint> Grid(Preset preset)
    {
        (int seq, int steps, int hidden) = preset switch
        {
            Preset.Test => (10, 20, 8),
            Preset.Quick => (50, 600, 32),
            _ => (100, 3000, 64),
        };
        return Number(new[] { "rnn", "lstm" }.Select(cell => (cell, (double)seq, new TrainingConfig
        {
            Task = "adding", Cell = cell, Seq = seq, Hidden = hidden, Steps = steps, Lr = 0.01, ClipNorm = 1.0,
            ForgetBias = cell == "lstm" ? 1.0 : null, LogEvery = Math.Max(1, steps / 60), EvalEvery = Math.Max(1, steps / 10),
            EvalBatch = 256, CheckpointEvery = steps,
        })));
    }

    /// <summary>Distance k at which the probe first falls below <paramref name="fraction"/> of its value at k = 0; null if it never does.</summary>
    public static int? Reach(double[] row, int[] distances, double fraction = 0.01)
    {
        double top = row[0];
        for (int i = 1; i < row.Length; i++)
            if (!(row[i] >= fraction * top)) return distances[i];
        return null;
    }

    public override Section Report(IReadOnlyList<PointResult> points)
    {
        var all = points.Where(p => p.Flow is { Length: > 0 }).ToArray();
        var logs = all.SelectMany(p => p.Flow!.SelectMany(r => r)).Where(v => v > 0 && double.IsFinite(v)).Select(Math.Log10).ToArray();
        ScottPlot.Range? range = logs.Length > 0 ? new ScottPlot.Range(Math.Max(logs.Min(), logs.Max() - 12), logs.Max()) : null;
        var figures = all.OrderBy(p => p.Series == "lstm").Select(p => Html.Figure($"flow-heatmap-{p.Series}",
            Charts.FlowHeatmap($"{(p.Series == "rnn" ? "tanh RNN" : p.Series.ToUpperInvariant())}: ‖∂L/∂h_(T−k)‖ during training (T = {p.X})",
                [.. p.Trace.Select(t => (double)t.Step)], p.FlowDistances!, p.Flow!, range),
            $"{p.Series}: each column is one logged training step, each row a distance k back from the last step; colour is log10 of the gradient norm reaching h_(T−k) (shared scale, at most 12 decades)."
        )).ToArray();
        var body = Html.Row(figures);
        var rows = new List<IReadOnlyList<string>>();
        var findings = new List<Finding>();
        var numbers = new Dictionary<string, double>();
        foreach (var p in all)
        {
            var first = p.Flow![0];
            var last = p.Flow![^1];
            int K = p.FlowDistances!.Length - 1;
            double ratioFirst = last.Length > 0 ? first[K] / first[0] : double.NaN, ratioLast = last[K] / last[0];
            int? reachFirst = Reach(first, p.FlowDistances), reachLast = Reach(last, p.FlowDistances);
            rows.Add([p.Series, $"{p.Trace[0].Step}", Html.Num(ratioFirst), reachFirst?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? $"> {p.FlowDistances[^1]}",
                $"{p.Trace[^1].Step}", Html.Num(ratioLast), reachLast?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? $"> {p.FlowDistances[^1]}", Html.Num(p.TestLoss)]);
            numbers[$"{p.Series}.ratio_first"] = ratioFirst;
            numbers[$"{p.Series}.ratio_last"] = ratioLast;
            numbers[$"{p.Series}.reach_first"] = reachFirst ?? double.PositiveInfinity;
            numbers[$"{p.Series}.reach_last"] = reachLast ?? double.PositiveInfinity;
        }
        body += Html.Table(["cell", "early step", "‖∂L/∂h_(T−K)‖ / ‖∂L/∂h_T‖", "k where < 1%", "last step", "ratio", "k where < 1%", "test MSE"], rows);
        var rnn = all.FirstOrDefault(p => p.Series == "rnn");
        var lstm = all.FirstOrDefault(p => p.Series == "lstm");
        if (rnn is not null)
        {
            int? reach = Reach(rnn.Flow![0], rnn.FlowDistances!);
            findings.Add(new Finding("For a typical initialisation, gradients from more than 10–30 steps back are effectively zero.",
                reach is int r && r <= 30 ? Verdict.Supports : Verdict.Qualifies,
                $"In the tanh RNN (PyTorch initialisation, H = {rnn.Config.Hidden}) the probe at step {rnn.Trace[0].Step} falls below 1% of its value at the last step " +
                (reach is int k ? $"{k} steps back" : "nowhere within the sequence") +
                $"; {rnn.FlowDistances![^1]} steps back it is {Html.Num(numbers["rnn.ratio_first"])} of it."));
        }
        if (rnn is not null && lstm is not null)
        {
            bool lstmFurther = numbers["lstm.ratio_last"] > 10 * numbers["rnn.ratio_last"];
            findings.Add(new Finding("The LSTM's additive cell path lets gradients flow backward without shrinking.",
                lstmFurther ? Verdict.Supports : Verdict.Qualifies,
                $"At the end of training the gradient reaching {lstm.FlowDistances![^1]} steps back is {Html.Num(numbers["lstm.ratio_last"])} of the last step's in the LSTM " +
                $"and {Html.Num(numbers["rnn.ratio_last"])} in the tanh RNN. It does shrink in the LSTM too, through h (the cell path is one of two), but far less."));
        }
        return new Section(Name, Title, body + Html.Findings(findings), findings, numbers);
    }
}
