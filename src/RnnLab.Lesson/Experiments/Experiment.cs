using RnnLab.Training;
namespace RnnLab.Lesson;

/// <summary>How a measurement bears on a claim of the lesson.</summary>
public enum Verdict { Supports, Qualifies, Contradicts, Inconclusive }

/// <summary>A claim of the lesson, what was measured, and how the one bears on the other.</summary>
public sealed record Finding(string Claim, Verdict Verdict, string Evidence);

/// <summary>An experiment's part of a report: HTML (figures embedded), the findings, and the headline numbers for results.json.</summary>
public sealed record Section(string Id, string Title, string Body, IReadOnlyList<Finding> Findings, IReadOnlyDictionary<string, double> Numbers);

/// <summary>
/// A named experiment: a grid of training runs (<see cref="Grid(Preset)"/>) and how the finished grid is reported (<see cref="Report"/>). A grid point's config holds everything, seed included,
/// so the grid can be cut into shards and run anywhere.
/// </summary>
public abstract class Experiment
{
    public abstract string Name { get; }
    public abstract string Title { get; }
    /// <summary>What the experiment asks, in a sentence, for the top of its report.</summary>
    public abstract string Question { get; }
    public abstract IReadOnlyList<GridPoint> Grid(Preset preset);

    /// <summary>The grid at <paramref name="preset"/> with every network in <paramref name="shape"/>, checked before any work (<see cref="GridShape.Apply"/>).</summary>
    public IReadOnlyList<GridPoint> Grid(Preset preset, GridShape shape) => shape.Apply(Name, Grid(preset));
    public abstract Section Report(IReadOnlyList<PointResult> points);

    /// <summary>Whether a point keeps the per-step gradient-flow probe (large: one row of T values per logged step).</summary>
    protected virtual bool KeepFlow => false;

    /// <summary>Whether a point measures its trained network's top Lyapunov exponent.</summary>
    protected virtual bool MeasureLyapunov => false;

    /// <summary>Relative cost of a point, to start the long ones first.</summary>
    public virtual double Cost(GridPoint p) => GridPoint.DefaultCost(p.Config);

    /// <summary>
    /// Runs the points of the grid at <paramref name="preset"/> that <paramref name="shard"/> owns; with
    /// <paramref name="outDir"/> journaled there point by point, and resumed from that journal (<see cref="Sweep.Run"/>);
    /// every point's network in <paramref name="shape"/> (default: one layer, one direction).
    /// </summary>
    public ExperimentResults Run(Preset preset, Shard shard, int threads = 1, Action<SweepProgress>? progress = null,
        CancellationToken cancel = default, string? outDir = null, GridShape? shape = null)
    {
        shape ??= GridShape.One;
        return Sweep.Run(Name, Grid(preset, shape), preset, shard, threads, progress, cancel, outDir, shape);
    }

    /// <summary>Numbers the grid from 0 in the order given.</summary>
    protected IReadOnlyList<GridPoint> Number(IEnumerable<(string Series, double X, TrainingConfig Config)> points) =>
        [.. points.Select((p, i) => WithCost(new GridPoint(i, p.Series, p.X, p.Config) { KeepFlow = KeepFlow, MeasureLyapunov = MeasureLyapunov }))];

    GridPoint WithCost(GridPoint point) => point with { Cost = Cost(point) };

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
