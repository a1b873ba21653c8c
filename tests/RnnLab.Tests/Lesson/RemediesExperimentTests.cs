using RnnLab.Lesson;
using RnnLab.Training;

namespace RnnLab.Tests.Lesson;

/// <summary>The remedies grid, its success criteria, its probe horizon and its verdicts on results made up for the purpose.</summary>
public class RemediesExperimentTests
{
    static readonly RemediesExperiment Experiment = new();

    [Fact]
    public void Every_remedy_runs_on_every_task_and_length_with_the_same_budget()
    {
        foreach (var preset in new[] { Preset.Test, Preset.Quick, Preset.Full })
        {
            var grid = Experiment.Grid(preset);
            var remedies = RemediesExperiment.Remedies(preset);
            Assert.Equal(grid.Count, grid.Select(p => p.Index).Distinct().Count());
            Assert.Single(grid.Select(p => (p.Config.Steps, p.Config.Batch, p.Config.Hidden)).Distinct());
            Assert.All(grid, p => Assert.True(p.KeepFlow && p.MeasureLyapunov));
            foreach (var group in grid.GroupBy(p => (p.Config.Task, p.X, p.Config.Seed)))
                Assert.Equal(remedies.Select(r => r.Name).Order(), group.Select(p => RemediesExperiment.SplitSeries(p.Series).Remedy).Order());
            Assert.All(grid, p => p.Config.Validate());
        }
        var full = Experiment.Grid(Preset.Full);
        Assert.Contains(full, p => p.Config.Task == "copy" && p.X == 500);
        Assert.Contains(full, p => p.Config.Task == "adding" && p.X == 400);
        Assert.Contains(full, p => p.Config.Task == "temporal-order" && p.X == 200);
        Assert.Contains(full, p => p.Config.Task == "agreement" && p.X == 64);
        var exp = full.Where(p => p.Config.Cell == "exprnn").ToArray();
        Assert.All(exp, p => Assert.Equal(p.Config.Task == "copy" ? "henaff" : "cayley", p.Config.Init));
    }

    static PointResult Point(string task, string remedy, double x, double loss, double metric, double chanceLoss = 1, double[]? flow = null) => new()
    {
        Series = RemediesExperiment.SeriesName(task, remedy), X = x, Config = new TrainingConfig { Task = task, Seq = (int)x },
        TestLoss = loss, TestMetric = metric, ChanceLoss = chanceLoss, ChanceMetric = 0.5,
        FlowDistances = flow is null ? null : [0, 1, 2, 5], Flow = flow is null ? null : [flow],
    };

    [Fact]
    public void Solved_and_horizon_follow_their_definitions()
    {
        Assert.True(RemediesExperiment.Solved(Point("agreement", "x", 8, 0.1, 0.95)));
        Assert.False(RemediesExperiment.Solved(Point("agreement", "x", 8, 0.1, 0.949)));
        Assert.True(RemediesExperiment.Solved(Point("adding", "x", 8, 0.0166, 0, chanceLoss: 1.0 / 6)));
        Assert.False(RemediesExperiment.Solved(Point("adding", "x", 8, 0.0170, 0, chanceLoss: 1.0 / 6)));
        Assert.True(RemediesExperiment.Solved(Point("copy", "x", 8, 0.05, 0, chanceLoss: 0.1)));
        Assert.False(RemediesExperiment.Solved(Point("copy", "x", 8, 0.06, 0, chanceLoss: 0.1)));
        // distances 0, 1, 2, 5: the last one still at ≥ 1% of k = 0 is 2 (5 is below)
        Assert.Equal(2, RemediesExperiment.Horizon(Point("agreement", "x", 8, 0, 0, flow: [2.0, 1.0, 0.02, 0.019])));
        Assert.Equal(5, RemediesExperiment.Horizon(Point("agreement", "x", 8, 0, 0, flow: [2.0, 0.001, 0.001, 0.5])));
        Assert.Null(RemediesExperiment.Horizon(Point("agreement", "x", 8, 0, 0)));
    }

    /// <summary>
    /// The flow figure: one series per remedy run at temporal order's longest length, seed 0, holding that point's last
    /// logged probe relative to k = 0 (log10, as the axis is), each in its own colour and dash; a remedy without a probe
    /// is named, not drawn; other lengths, seeds and tasks are not drawn.
    /// </summary>
    [Fact]
    public void The_flow_figure_has_one_series_per_remedy_holding_its_measured_probe()
    {
        string[] remedies = ["rnn adam lr 0.003", "rnn + Ω", "irnn", "exprnn", "lstm chrono"];
        var points = new List<PointResult>();
        for (int r = 0; r < remedies.Length; r++)
            foreach (double len in new[] { 20.0, 50.0 })
                for (int seed = 0; seed < 2; seed++)
                {
                    double decay = 0.3 + 0.1 * r + len / 1000 + seed;      // a different probe at every point
                    double[]? flow = remedies[r] == "irnn" ? null : [2.0, 2.0 * decay, 2.0 * decay * decay, 0.0];
                    var p = Point("temporal-order", remedies[r], len, 0.5, 0.5, flow: flow);
                    points.Add(p with { Config = p.Config with { Seed = (ulong)seed } });
                }
        points.Add(Point("agreement", "exprnn", 99, 0.5, 0.5, flow: [1.0, 1.0, 1.0, 1.0]));

        var (task, length, lines, missing) = RemediesExperiment.FlowLines(points);
        Assert.Equal(("temporal-order", 50.0), (task, length));
        Assert.Equal(["irnn"], missing);
        var plot = RemediesExperiment.FlowPlot(task, length, lines);
        var series = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToArray();
        Assert.Equal(remedies.Where(r => r != "irnn"), series.Select(s => s.LegendText));
        foreach (var s in series)
        {
            var measured = points.Single(p => p.Series == RemediesExperiment.SeriesName("temporal-order", s.LegendText) && p.X == 50 && p.Config.Seed == 0);
            var probe = measured.Flow![^1];
            var xy = s.Data.GetScatterPoints();
            // k = 5 underflowed to 0: the line ends at k = 2
            Assert.Equal([0.0, 1.0, 2.0], xy.Select(q => q.X));
            Assert.Equal(probe.Take(3).Select(v => Math.Log10(v / probe[0])), xy.Select(q => q.Y));
        }
        Assert.Equal(series.Length, series.Select(s => s.LineColor).Distinct().Count());
        Assert.Equal(series.Length, series.Select(s => s.LinePattern.Name).Distinct().Count());
        Assert.Contains("fig-remedies-flow", Experiment.Report(points).Body);
    }

    [Fact]
    public void Verdicts_follow_the_measurements()
    {
        // Only the LSTM solves distance 32: the optimizer claim is supported and the "no simple fix" claim too.
        var points = new List<PointResult>();
        foreach (string r in new[] { "rnn sgd lr 0.1", "rnn adam lr 0.003", "irnn", "lstm +1", "lstm chrono" })
            foreach (double d in new[] { 8.0, 32.0 })
                points.Add(Point("agreement", r, d, 0.1, d == 8 || r == "lstm chrono" ? 1.0 : 0.5));
        var findings = Experiment.Report(points).Findings;
        Assert.Equal(2, findings.Count);
        Assert.Equal(Verdict.Supports, findings[0].Verdict);
        Assert.Contains("lstm chrono", findings[0].Evidence);
        Assert.Equal(Verdict.Contradicts, findings[1].Verdict);   // chrono (an initialisation) reaches further than +1

        // An optimizer setting that solves the far distance contradicts the optimizer claim; an IRNN that does contradicts the second.
        points = [.. points.Select(p => p.Series.EndsWith("adam lr 0.003", StringComparison.Ordinal) || p.Series.EndsWith("irnn", StringComparison.Ordinal) ? p with { TestMetric = 1.0 } : p)];
        findings = Experiment.Report(points).Findings;
        Assert.Equal(Verdict.Contradicts, findings[0].Verdict);
        Assert.Equal(Verdict.Contradicts, findings[1].Verdict);

        // Nothing solves the far distance: the optimizer claim cannot be tested.
        points = [.. points.Select(p => p.X == 32 ? p with { TestMetric = 0.5 } : p)];
        findings = Experiment.Report(points).Findings;
        Assert.Equal(Verdict.Inconclusive, findings[0].Verdict);
        Assert.Equal(Verdict.Inconclusive, findings[1].Verdict);
    }
}
