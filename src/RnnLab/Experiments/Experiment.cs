namespace RnnLab.Experiments;

/// <summary>How a measurement bears on a claim of the lesson.</summary>
public enum Verdict { Supports, Qualifies, Contradicts, Inconclusive }

/// <summary>A claim of the lesson, what was measured, and how the one bears on the other.</summary>
public sealed record Finding(string Claim, Verdict Verdict, string Evidence);

/// <summary>An experiment's part of a report: HTML (figures embedded), the findings, and the headline numbers for results.json.</summary>
public sealed record Section(string Id, string Title, string Body, IReadOnlyList<Finding> Findings, IReadOnlyDictionary<string, double> Numbers);

/// <summary>
/// A named experiment: a grid of training runs (<see cref="Grid"/>), how one point runs (<see cref="RunPoint"/>), and
/// how the finished grid is reported (<see cref="Report"/>). A grid point's config holds everything, seed included,
/// so the grid can be cut into shards and run anywhere.
/// </summary>
public abstract class Experiment
{
    public abstract string Name { get; }
    public abstract string Title { get; }
    /// <summary>What the experiment asks, in a sentence, for the top of its report.</summary>
    public abstract string Question { get; }
    public abstract IReadOnlyList<GridPoint> Grid(Preset preset);
    public abstract Section Report(IReadOnlyList<PointResult> points);

    /// <summary>Whether <see cref="RunPoint"/> keeps the per-step gradient-flow probe (large: one row of T values per logged step).</summary>
    protected virtual bool KeepFlow => false;

    /// <summary>Relative cost of a point (steps × sequence length × cell width), to start the long ones first.</summary>
    public virtual double Cost(GridPoint p)
    {
        double gates = p.Config.Cell switch { "lstm" => 4, "gru" => 3, _ => 1 };
        int T = TaskCatalog.Create(p.Config).Steps;
        return (double)p.Config.Steps * T * (1 + gates * p.Config.Hidden / 16.0);
    }

    public PointResult RunPoint(GridPoint point, CancellationToken cancel = default)
    {
        var trace = new List<TracePoint>();
        var flow = KeepFlow ? new List<double[]>() : null;
        var summary = TrainingRun.Run(point.Config, onLog: r =>
        {
            trace.Add(new TracePoint(r.Step, r.Loss, r.GradNorm, r.TestLoss, r.TestMetric));
            flow?.Add(r.Flow);
        }, cancel: cancel);
        cancel.ThrowIfCancellationRequested();
        return new PointResult
        {
            Index = point.Index, Series = point.Series, X = point.X, Config = point.Config,
            Steps = summary.Steps, TestLoss = summary.TestLoss, TestMetric = summary.TestMetric,
            ChanceLoss = summary.ChanceLoss, ChanceMetric = summary.ChanceMetric, DivergedAt = summary.DivergedAt,
            Seconds = summary.Seconds, Trace = [.. trace],
            FlowDistances = KeepFlow ? summary.FlowDistances : null, Flow = flow?.ToArray(),
        };
    }

    /// <summary>Numbers the grid from 0 in the order given.</summary>
    protected static IReadOnlyList<GridPoint> Number(IEnumerable<(string Series, double X, TrainingConfig Config)> points) =>
        [.. points.Select((p, i) => new GridPoint(i, p.Series, p.X, p.Config))];

    /// <summary>Mean, min, max and count of a value over the seeds of each (series, x).</summary>
    public static IReadOnlyList<SeriesStats> Stats(IEnumerable<PointResult> points, Func<PointResult, double> value) =>
        [.. points.GroupBy(p => (p.Series, p.X))
            .Select(g =>
            {
                var v = g.Select(value).ToArray();
                var finite = v.Where(double.IsFinite).ToArray();
                return new SeriesStats(g.Key.Series, g.Key.X, finite.Length > 0 ? finite.Average() : double.NaN,
                    finite.Length > 0 ? finite.Min() : double.NaN, finite.Length > 0 ? finite.Max() : double.NaN, v.Length);
            })
            .OrderBy(s => s.Series, StringComparer.Ordinal).ThenBy(s => s.X)];
}

/// <summary>A value over seeds at one x of one series: mean and range (min–max), and how many seeds.</summary>
public sealed record SeriesStats(string Series, double X, double Mean, double Min, double Max, int Seeds);
