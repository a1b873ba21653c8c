using RnnLab.Training;
namespace RnnLab.Lesson;

/// <summary>The named experiments, in the order the lesson meets them.</summary>
public static class ExperimentCatalog
{
    public static IReadOnlyList<Experiment> All { get; } =
        [new ExplodingExperiment(), new FlowExperiment(), new LongRangeExperiment(), new AddingExperiment(), new CopyExperiment(), new RemediesExperiment()];

    public static IReadOnlyList<string> Names { get; } = [.. All.Select(e => e.Name)];

    /// <summary>The experiments whose every grid point, at every preset, can take a reverse direction (<see cref="GridShape.ReverseDirectionRefusal"/>).</summary>
    public static IReadOnlyList<string> TakingBidirectional { get; } =
        [.. All.Where(e => Enum.GetValues<Preset>().All(preset => e.Grid(preset).All(p => GridShape.ReverseDirectionRefusal(TaskCatalog.Create(p.Config)) is null)))
            .Select(e => e.Name)];

    public static Experiment Get(string name) => All.FirstOrDefault(e => e.Name == name)
        ?? throw new InvalidInputException($"unknown experiment '{name}': choose {string.Join(", ", Names)}");

    /// <summary>Combines shard results into the whole grid, checked against this version's grid of the experiment they name.</summary>
    public static ExperimentResults Merge(IReadOnlyList<ExperimentResults> parts) =>
        Sweep.Merge(parts, (name, preset, shape) => Get(name).Grid(preset, shape));
}

/// <summary>The size of a grid at one preset: the x values, the cells, the seeds, and the training budget of each run.</summary>
public sealed record GridBudget(double[] Xs, string[] Cells, int Seeds, int Steps, int Hidden, int Batch = 32, int EvalBatch = 512);

/// <summary>
/// The shape the three task experiments share: every cell at every x with every seed, the same optimiser for all.
/// LSTM and GRU start with their forget (update) gate bias raised by <see cref="LessonDefaults.GateBias"/>, as
/// gated cells are normally trained (Gers et al. 2000; Jozefowicz et al. 2015); the tanh RNN has no such gate.
/// </summary>
public abstract class TaskGridExperiment : Experiment
{
    protected abstract GridBudget Budget(Preset preset);
    /// <summary>The config of one run; <paramref name="x"/> is the grid's x value (a length or distance).</summary>
    protected abstract TrainingConfig Configure(TrainingConfig common, double x);

    public static readonly string[] ThreeCells = ["rnn", "lstm", "gru"];

    public override IReadOnlyList<GridPoint> Grid(Preset preset)
    {
        var b = Budget(preset);
        var points = new List<(string, double, TrainingConfig)>();
        foreach (string cell in b.Cells)
            foreach (double x in b.Xs)
                for (int seed = 0; seed < b.Seeds; seed++)
                {
                    var common = new TrainingConfig
                    {
                        Cell = cell, Hidden = b.Hidden, Batch = b.Batch, Steps = b.Steps, EvalBatch = b.EvalBatch,
                        Lr = 0.01, ClipNorm = 1.0, ForgetBias = cell is "lstm" or "gru" ? LessonDefaults.GateBias : null,
                        LogEvery = Math.Max(1, b.Steps / 50), EvalEvery = Math.Max(1, b.Steps / 10), CheckpointEvery = b.Steps,
                        Seed = (ulong)seed,
                    };
                    points.Add((cell, x, Configure(common, x)));
                }
        return Number(points);
    }

    /// <summary>A test-loss (or accuracy) table: one row per cell, one column per x, mean over seeds with the range when there are several.</summary>
    protected static string StatsTable(IReadOnlyList<SeriesStats> stats, string xName, Func<double, string> format)
    {
        var xs = stats.Select(s => s.X).Distinct().Order().ToArray();
        var header = new List<string> { "cell" };
        header.AddRange(xs.Select(x => $"{xName} = {x}"));
        var rows = stats.GroupBy(s => s.Series).Select(g =>
        {
            var row = new List<string> { g.Key };
            foreach (double x in xs)
            {
                var s = g.FirstOrDefault(v => v.X == x);
                row.Add(s is null ? "" : s.Seeds > 1 ? $"{format(s.Mean)} [{format(s.Min)}, {format(s.Max)}]" : format(s.Mean));
            }
            return (IReadOnlyList<string>)row;
        });
        return Html.Table(header, rows);
    }

    protected static SeriesStats? At(IReadOnlyList<SeriesStats> stats, string series, double x) =>
        stats.FirstOrDefault(s => s.Series == series && s.X == x);
}
