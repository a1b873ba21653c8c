using RnnLab.Training;
namespace RnnLab.Lesson;

/// <summary>
/// The ways out of vanishing gradients, side by side under one budget (steps, batch, hidden size, seeds per point):
/// the tanh RNN under four optimizers at a small learning-rate grid, the tanh RNN with Pascanu et al. 2013's Ω and
/// clipping, the IRNN (Le, Jaitly &amp; Hinton 2015), expRNN (Lezcano-Casado &amp; Martínez-Rubio 2019), the LSTM with
/// forget bias +1 and with chrono initialisation (Tallec &amp; Ollivier 2018), and the GRU with chrono; on agreement
/// (supervised and as language modelling), adding, copy and temporal order at growing length. Each point also keeps
/// its gradient-flow probe and the trained network's top Lyapunov exponent, and the report gives verdicts on the
/// lesson's two claims about fixing vanishing gradients.
/// </summary>
public sealed class RemediesExperiment : Experiment
{
    public override string Name => "remedies";
    public override string Title => "What is actually needed: the remedies for vanishing gradients, measured";
    public override string Question =>
        "Which of the published remedies let a recurrent network learn dependencies the tanh RNN cannot, under the same budget, and can an optimizer alone do it?";

    protected override bool KeepFlow => true;
    protected override bool MeasureLyapunov => true;

    /// <summary>One remedy: its series name, the family it belongs to (for the verdicts), and how it changes the common config.</summary>
    public sealed record Remedy(string Name, RemedyFamily Family, Func<TrainingConfig, string, TrainingConfig> Apply);

    public enum RemedyFamily { Optimizer, Regularizer, Initialization, Architecture }

    /// <summary>The grid's size at a preset: tasks with their lengths, learning rates per optimizer, seeds and the per-run budget.</summary>
    sealed record Budget(IReadOnlyList<(string Task, int[] Lengths)> Tasks, double[] SgdLrs, double[] MomentumLrs, double[] AdamLrs,
        double[] RmsPropLrs, int Seeds, int Steps, int Hidden, int Batch, int EvalBatch);

    static Budget BudgetOf(Preset preset) => preset switch
    {
        Preset.Test => new([("agreement", [4]), ("agreement-lm", [3]), ("adding", [10]), ("copy", [4]), ("temporal-order", [10])],
            [0.1], [0.01], [0.003], [0.001], 1, 12, 6, 4, 16),
        // Sized for the lesson page (about 20 s of training on two cores): the two claims' tests at lesson-scale lengths.
        Preset.Quick => new([("agreement", [8, 32]), ("temporal-order", [50])],
            [0.1], [0.01], [0.003], [0.001], 1, 400, 32, 32, 256),
        _ => new([("agreement", [16, 32, 64]), ("agreement-lm", [16, 32, 64]), ("adding", [100, 200, 400]), ("copy", [100, 200, 500]), ("temporal-order", [50, 100, 200])],
            [0.3, 0.1, 0.03], [0.03, 0.01, 0.003], [0.01, 0.003, 0.001], [0.003, 0.001, 0.0003], 2, 3000, 64, 32, 512),
    };

    /// <summary>The learning rate every remedy but the optimizer sweep uses with Adam: the lesson's agreement runs' 0.003.</summary>
    public const double CommonLr = 0.003;

    public static IReadOnlyList<Remedy> Remedies(Preset preset)
    {
        var b = BudgetOf(preset);
        var list = new List<Remedy>();
        foreach (double lr in b.SgdLrs) list.Add(new($"rnn sgd lr {lr}", RemedyFamily.Optimizer, (c, _) => c with { Optimizer = "sgd", Momentum = 0, Lr = lr }));
        foreach (double lr in b.MomentumLrs) list.Add(new($"rnn momentum lr {lr}", RemedyFamily.Optimizer, (c, _) => c with { Optimizer = "sgd", Momentum = 0.9, Lr = lr }));
        foreach (double lr in b.AdamLrs) list.Add(new($"rnn adam lr {lr}", RemedyFamily.Optimizer, (c, _) => c with { Lr = lr }));
        foreach (double lr in b.RmsPropLrs) list.Add(new($"rnn rmsprop lr {lr}", RemedyFamily.Optimizer, (c, _) => c with { Optimizer = "rmsprop", Lr = lr }));
        list.Add(new("rnn + Ω", RemedyFamily.Regularizer, (c, _) => c with { FlowRegularizer = Models.FlowRegularizer.DefaultAlpha }));
        // Le et al. train the IRNN with small steps and clipping; Adam at a tenth of the common rate stays stable with W_hh = I.
        list.Add(new("irnn", RemedyFamily.Initialization, (c, _) => c with { Cell = "relu", Init = "identity", Lr = CommonLr / 10 }));
        // The paper: RMSProp, A's learning rate a tenth of the others', Henaff's initialisation on copy and Cayley's elsewhere.
        list.Add(new("exprnn", RemedyFamily.Architecture, (c, task) => c with
        {
            Cell = "exprnn", Optimizer = "rmsprop", Lr = 0.001, Init = task == "copy" ? "henaff" : "cayley",
        }));
        list.Add(new("lstm +1", RemedyFamily.Architecture, (c, _) => c with { Cell = "lstm", ForgetBias = 1 }));
        list.Add(new("lstm chrono", RemedyFamily.Architecture, (c, _) => c with { Cell = "lstm", Chrono = true }));
        list.Add(new("gru chrono", RemedyFamily.Architecture, (c, _) => c with { Cell = "gru", Chrono = true }));
        return list;
    }

    /// <summary>Series names look like "task/remedy" so one series is one remedy on one task, x its length.</summary>
    public static string SeriesName(string task, string remedy) => $"{task}/{remedy}";
    public static (string Task, string Remedy) SplitSeries(string series)
    {
        int slash = series.IndexOf('/');
        return (series[..slash], series[(slash + 1)..]);
    }

    public override IReadOnlyList<GridPoint> Grid(Preset preset)
    {
        var b = BudgetOf(preset);
        var points = new List<(string, double, TrainingConfig)>();
        foreach (var (task, lengths) in b.Tasks)
            foreach (var remedy in Remedies(preset))
                foreach (int length in lengths)
                    for (int seed = 0; seed < b.Seeds; seed++)
                    {
                        var common = new TrainingConfig
                        {
                            Task = task, Seq = length, Cell = "rnn", Hidden = b.Hidden, Batch = b.Batch, Steps = b.Steps,
                            EvalBatch = b.EvalBatch, Lr = CommonLr, ClipNorm = 1.0,
                            LogEvery = Math.Max(1, b.Steps / 20), EvalEvery = Math.Max(1, b.Steps / 5), CheckpointEvery = b.Steps,
                            Seed = (ulong)seed,
                        };
                        points.Add((SeriesName(task, remedy.Name), length, remedy.Apply(common, task)));
                    }
        return Number(points);
    }

    /// <summary>
    /// Whether a point solved its task: accuracy ≥ 95% for the classification tasks (agreement, agreement as LM,
    /// temporal order), test MSE below a tenth of the 1/6 baseline on adding, and cross-entropy below half of the
    /// memoryless baseline on copy (which a model that recalls half the symbols reaches).
    /// </summary>
    public static bool Solved(PointResult p) => p.Config.Task switch
    {
        "adding" => p.TestLoss <= 0.1 * p.ChanceLoss,
        "copy" => p.TestLoss <= 0.5 * p.ChanceLoss,
        _ => p.TestMetric >= 0.95,
    };

    public static string SolvedCriterion(string task) => task switch
    {
        "adding" => "MSE ≤ 0.1 × baseline",
        "copy" => "cross-entropy ≤ 0.5 × baseline",
        _ => "accuracy ≥ 95%",
    };

    /// <summary>The task's score as the tables show it: accuracy, or loss relative to the memoryless baseline.</summary>
    static double Score(PointResult p) => p.Config.Task is "adding" or "copy" ? p.TestLoss / p.ChanceLoss : p.TestMetric;
    static string FormatScore(string task, double v) => task is "adding" or "copy" ? Html.Num(v, "G2") + "×" : Html.Pct(v);

    /// <summary>Largest distance k with ‖∂L/∂h_{T−k}‖ ≥ 1% of ‖∂L/∂h_T‖ in the last logged probe row; null without a probe.</summary>
    public static int? Horizon(PointResult p)
    {
        if (p.Flow is not { Length: > 0 } rows || p.FlowDistances is not { } d) return null;
        var last = rows[^1];
        if (last.Length == 0 || !(last[0] > 0)) return null;
        int best = 0;
        for (int i = 0; i < last.Length; i++) if (last[i] >= 0.01 * last[0]) best = Math.Max(best, d[i]);
        return best;
    }

    /// <summary>What one remedy did on one task: longest length solved (all seeds), and at the longest length its horizon and λ₁ (means over seeds).</summary>
    public sealed record RemedyTask(string Task, string Remedy, int? LongestSolved, double Longest, double Horizon, double Lyapunov, double ScoreAtLongest);

    public static IReadOnlyList<RemedyTask> Summarise(IReadOnlyList<PointResult> points) =>
        [.. points.GroupBy(p => p.Series).Select(g =>
        {
            var (task, remedy) = SplitSeries(g.Key);
            var byLength = g.GroupBy(p => p.X).OrderBy(x => x.Key).ToArray();
            int? solved = null;
            foreach (var l in byLength) if (l.All(Solved)) solved = (int)l.Key;
            var longest = byLength[^1].ToArray();
            double Mean(Func<PointResult, double?> f)
            {
                var v = longest.Select(f).Where(x => x is double d && double.IsFinite(d)).Select(x => x!.Value).ToArray();
                return v.Length > 0 ? v.Average() : double.NaN;
            }
            return new RemedyTask(task, remedy, solved, byLength[^1].Key, Mean(p => Horizon(p)), Mean(p => p.TopLyapunov), Mean(p => Score(p)));
        })];

    public override Section Report(IReadOnlyList<PointResult> points)
    {
        var summary = Summarise(points);
        string[] tasks = [.. summary.Select(s => s.Task).Distinct()];
        string[] remedies = [.. points.Select(p => SplitSeries(p.Series).Remedy).Distinct()];
        var body = Html.P("Every run: the same steps, batch, hidden size and seeds per point; the global gradient norm clipped at 1; " +
            $"Adam at lr {CommonLr} unless the remedy says otherwise. \"Solved\" means {string.Join("; ", tasks.Select(t => $"{t}: {SolvedCriterion(t)}"))}, on every seed. " +
            "Horizon: the largest k with ‖∂L/∂h_{T−k}‖ ≥ 1% of ‖∂L/∂h_T‖ in the last logged gradient probe; λ₁: the trained network's top Lyapunov exponent along one held-out sequence (exp(λ₁) is the effective ρ).");
        var header = new List<string> { "remedy" };
        header.AddRange(tasks.Select(t => $"{t}: longest solved / horizon / λ₁ at {summary.First(s => s.Task == t).Longest}"));
        var rows = remedies.Select(r =>
        {
            var row = new List<string> { r };
            foreach (string t in tasks)
            {
                var s = summary.FirstOrDefault(x => x.Task == t && x.Remedy == r);
                row.Add(s is null ? "" : $"{(s.LongestSolved is int l ? l.ToString() : "none")} / {Html.Num(s.Horizon, "F0")} / {Html.Num(s.Lyapunov, "F3")}");
            }
            return (IReadOnlyList<string>)row;
        });
        body += Html.Table(header, rows);
        foreach (string t in tasks)
        {
            var lengths = points.Where(p => p.Config.Task == t).Select(p => p.X).Distinct().Order().ToArray();
            var h = new List<string> { $"{t} ({(t is "adding" or "copy" ? "loss / baseline" : "accuracy")})" };
            h.AddRange(lengths.Select(x => $"T = {x}"));
            body += Html.Table(h, remedies.Select(r =>
            {
                var row = new List<string> { r };
                foreach (double x in lengths)
                {
                    var v = points.Where(p => p.Series == SeriesName(t, r) && p.X == x).Select(Score).ToArray();
                    row.Add(v.Length == 0 ? "" : FormatScore(t, v.Average()));
                }
                return (IReadOnlyList<string>)row;
            }));
        }
        body += FlowFigure(points);
        var findings = Verdicts(points, summary);
        var numbers = new Dictionary<string, double>();
        foreach (var s in summary)
        {
            string key = $"{s.Task}.{s.Remedy.Replace(' ', '_')}";
            numbers[$"solved.{key}"] = s.LongestSolved ?? 0;
            numbers[$"score.{key}"] = s.ScoreAtLongest;
            numbers[$"horizon.{key}"] = s.Horizon;
            numbers[$"lyapunov.{key}"] = s.Lyapunov;
        }
        return new Section(Name, Title, body + Html.Findings(findings), findings, numbers);
    }

    /// <summary>One remedy's gradient-flow probe after training: ‖∂L/∂h_{T−k}‖ / ‖∂L/∂h_T‖ at the probe's distances k.</summary>
    public sealed record RemedyFlow(string Remedy, int[] Distances, double[] Ratio);

    /// <summary>
    /// What the flow figure draws: the task and length where the remedies spread most (temporal order at its longest
    /// length when it was run, else the first task's longest), and for every remedy run there (seed 0, in the grid's
    /// order) its last logged probe relative to k = 0, the same probe the horizon is read from. A remedy without a
    /// usable probe (none logged, or ‖∂L/∂h_T‖ = 0) is listed as missing instead.
    /// </summary>
    public static (string Task, double Length, IReadOnlyList<RemedyFlow> Lines, IReadOnlyList<string> Missing) FlowLines(IReadOnlyList<PointResult> points)
    {
        string task = points.Any(p => p.Config.Task == "temporal-order") ? "temporal-order" : points[0].Config.Task;
        double longest = points.Where(p => p.Config.Task == task).Max(p => p.X);
        var lines = new List<RemedyFlow>();
        var missing = new List<string>();
        foreach (var p in points.Where(p => p.Config.Task == task && p.X == longest && p.Config.Seed == 0))
        {
            string remedy = SplitSeries(p.Series).Remedy;
            if (p.Flow is { Length: > 0 } rows && rows[^1] is { Length: > 0 } last && last[0] > 0 && p.FlowDistances is { } d)
                lines.Add(new RemedyFlow(remedy, d, [.. last.Select(v => v / last[0])]));
            else missing.Add(remedy);
        }
        return (task, longest, lines, missing);
    }

    /// <summary>Every remedy's probe on one log axis against k, each line in its own colour and dash (<see cref="SeriesStyles"/>).</summary>
    public static ScottPlot.Plot FlowPlot(string task, double length, IReadOnlyList<RemedyFlow> lines) =>
        Charts.Traces($"Gradient flow after training, {task} at T = {length}", "‖∂L/∂h_{T−k}‖ / ‖∂L/∂h_T‖",
            lines.Select(l => (l.Remedy, l.Distances.Select(k => (double)k).ToArray(), l.Ratio, (int?)null)), xLabel: "steps back k");

    /// <summary>The trained networks' gradient probes side by side, one line per remedy.</summary>
    static string FlowFigure(IReadOnlyList<PointResult> points)
    {
        var (task, length, lines, missing) = FlowLines(points);
        if (lines.Count == 0) return "";
        return Html.Figure("remedies-flow", FlowPlot(task, length, lines),
            "Every remedy's last logged gradient probe after training (seed 0), relative to its value at k = 0, against the distance k " +
            "back from the last step; a line that ends has underflowed to zero." +
            (missing.Count > 0 ? $" No probe logged: {string.Join(", ", missing)}." : ""));
    }

    static IReadOnlyList<Finding> Verdicts(IReadOnlyList<PointResult> points, IReadOnlyList<RemedyTask> summary)
    {
        var findings = new List<Finding>();
        var families = Remedies(Preset.Full).Concat(Remedies(Preset.Quick)).Concat(Remedies(Preset.Test))
            .GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.First().Family);
        RemedyFamily FamilyOf(string remedy) => families.TryGetValue(remedy, out var f) ? f : RemedyFamily.Architecture;

        // 1. "No optimizer trick can fix gradients that are numerically zero": the tanh RNN under every optimizer and rate on agreement at its longest distance.
        var agreement = points.Where(p => p.Config.Task == "agreement").ToArray();
        if (agreement.Length > 0)
        {
            double far = agreement.Max(p => p.X);
            var opt = agreement.Where(p => p.X == far && FamilyOf(SplitSeries(p.Series).Remedy) == RemedyFamily.Optimizer)
                .GroupBy(p => SplitSeries(p.Series).Remedy).Select(g => (Name: g.Key, Acc: g.Average(p => p.TestMetric), All: g.All(Solved))).OrderByDescending(x => x.Acc).ToArray();
            var best = opt.FirstOrDefault();
            var horizons = opt.Select(o => summary.FirstOrDefault(s => s.Task == "agreement" && s.Remedy == o.Name)?.Horizon ?? double.NaN).Where(double.IsFinite).ToArray();
            var gated = summary.Where(s => s.Task == "agreement" && FamilyOf(s.Remedy) != RemedyFamily.Optimizer && s.LongestSolved == (int)far).Select(s => s.Remedy).ToArray();
            if (best.Name is not null)
            {
                bool anySolved = opt.Any(o => o.All);
                string evidence = $"Agreement at distance {far}: the best tanh RNN of {opt.Length} optimizer/learning-rate settings is '{best.Name}' at {Html.Pct(best.Acc)} " +
                    $"(worst {Html.Pct(opt[^1].Acc)}); after training their gradient horizons are {(horizons.Length > 0 ? $"{horizons.Min():F0}–{horizons.Max():F0}" : "not measured")} steps. " +
                    (gated.Length > 0 ? $"Solved at this distance under the same budget by: {string.Join(", ", gated)}." : "No other remedy solved this distance at this budget either.");
                Verdict v = anySolved ? Verdict.Contradicts : gated.Length > 0 ? Verdict.Supports : Verdict.Inconclusive;
                string why = v switch
                {
                    Verdict.Supports => "No optimizer or learning rate got the tanh RNN there, while other remedies did under the same budget.",
                    Verdict.Contradicts => "An optimizer setting alone reached the criterion: at this distance the far gradient is small but not numerically zero in float32, and an adaptive optimizer can use it.",
                    _ => "Nothing solved this distance at this budget, so the run cannot separate the optimizer from the budget.",
                };
                findings.Add(new Finding("No optimizer trick (momentum, Adam, better learning rates) can fix gradients that are numerically zero.", v, $"{evidence} {why}"));
            }
        }

        // 2. "Vanishing gradients have no comparably simple fix": do the one-line changes (an initialisation, a regulariser) extend what is solved beyond the plain tanh RNN's?
        var baselineReach = summary.Where(s => FamilyOf(s.Remedy) == RemedyFamily.Optimizer).GroupBy(s => s.Task)
            .ToDictionary(g => g.Key, g => g.Max(s => s.LongestSolved ?? 0));
        var lstmPlusOne = summary.Where(s => s.Remedy == "lstm +1").ToDictionary(s => s.Task, s => s.LongestSolved ?? 0);
        var gains = new List<string>();
        foreach (var s in summary)
        {
            int reach = s.LongestSolved ?? 0;
            var family = FamilyOf(s.Remedy);
            if (family is RemedyFamily.Initialization or RemedyFamily.Regularizer && reach > baselineReach.GetValueOrDefault(s.Task))
                gains.Add($"{s.Remedy} on {s.Task} solves T = {reach} (best plain tanh RNN: {Reach(baselineReach.GetValueOrDefault(s.Task))})");
            if (s.Remedy == "lstm chrono" && reach > lstmPlusOne.GetValueOrDefault(s.Task))
                gains.Add($"chrono on {s.Task} solves T = {reach} (LSTM with bias +1: {Reach(lstmPlusOne.GetValueOrDefault(s.Task))})");
        }
        var architectural = summary.Where(s => FamilyOf(s.Remedy) == RemedyFamily.Architecture && (s.LongestSolved ?? 0) > baselineReach.GetValueOrDefault(s.Task))
            .Select(s => $"{s.Remedy} on {s.Task}").ToArray();
        Verdict simple = gains.Count > 0 ? Verdict.Contradicts : architectural.Length > 0 ? Verdict.Supports : Verdict.Inconclusive;
        string simpleEvidence = (gains.Count > 0 ? "One-line changes that reach further: " + string.Join("; ", gains) + ". " : "No initialisation or regulariser reached further than the best plain tanh RNN. ") +
            (architectural.Length > 0 ? $"Changed recurrences that reach further: {string.Join(", ", architectural)}." : "");
        string simpleWhy = simple switch
        {
            Verdict.Contradicts => "An initialisation (identity W_hh with ReLU, or chrono gate biases) or a regulariser is as simple a change as clipping is for exploding gradients, and here it extends the learnable distance.",
            Verdict.Supports => "Only changing the cell (gates, an orthogonal W_hh) extended the learnable distance here; the one-line changes did not.",
            _ => "Nothing reached further than the plain tanh RNN at this budget.",
        };
        findings.Add(new Finding("Vanishing gradients have no comparably simple fix (the way out is the LSTM's architecture).", simple, $"{simpleEvidence} {simpleWhy}"));
        return findings;

        static string Reach(int t) => t == 0 ? "none" : $"T = {t}";
    }
}
