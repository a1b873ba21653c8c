using RnnLab.Training;
namespace RnnLab.Lesson;

/// <summary>
/// The copy memory problem (Arjovsky, Shah &amp; Bengio 2016, after Hochreiter &amp; Schmidhuber 1997): 10 symbols of 8,
/// recalled after a gap of T. Cross-entropy per step against the memoryless baseline 10·ln 8/(T + 20).
/// </summary>
public sealed class CopyExperiment : TaskGridExperiment
{
    /// <summary>The task's own chance level at gap T: blanks, then a uniform guess over the 8 symbols.</summary>
    public static double Baseline(double t) => new Tasks.CopyTask((int)t).ChanceLoss;

    /// <summary>A cell below this fraction of the baseline at the longest gap has remembered the symbols.</summary>
    public const double RememberedFraction = 0.5;
    /// <summary>A cell above this fraction of the baseline at the longest gap has remembered next to nothing.</summary>
    public const double NearBaselineFraction = 0.8;

    /// <summary>
    /// At the longest gap: supports when the LSTM is below <see cref="RememberedFraction"/> of the baseline and the tanh
    /// RNN above <see cref="NearBaselineFraction"/> of it; qualifies otherwise, and when either cell is missing.
    /// </summary>
    public static Verdict Judge(IReadOnlyList<SeriesStats> crossEntropy)
    {
        double far = crossEntropy.Max(s => s.X);
        var lstm = At(crossEntropy, "lstm", far);
        var rnn = At(crossEntropy, "rnn", far);
        return lstm is not null && rnn is not null && lstm.Mean < RememberedFraction * Baseline(far) && rnn.Mean > NearBaselineFraction * Baseline(far)
            ? Verdict.Supports : Verdict.Qualifies;
    }

    public override string Name => "copy";
    public override string Title => "Copy memory: cross-entropy against the gap T";
    public override string Question =>
        "Can each cell recall ten symbols after a gap of T steps, beating the 10·ln 8/(T + 20) of outputting blanks and then guessing?";

    protected override GridBudget Budget(Preset preset) => preset switch
    {
        Preset.Test => new([5, 10], ["rnn", "lstm"], 1, 30, 8, 8, 32),
        Preset.Quick => new([10, 25, 50], ThreeCells, 1, 2000, 32, 32, 256),
        _ => new([10, 25, 50, 100], ThreeCells, 1, 4000, 64, 32, 512),
    };

    protected override TrainingConfig Configure(TrainingConfig common, double x) => common with { Task = "copy", Seq = (int)x };

    public override Section Report(IReadOnlyList<PointResult> points)
    {
        var ce = Stats(points, p => p.TestLoss);
        var recall = Stats(points, p => p.TestMetric);
        var body = Html.Row(
            Html.Figure("copy-loss",
                Charts.AgainstGrid("Copy memory: held-out cross-entropy against T", "gap T", "cross-entropy per step",
                    ce, Baseline, "baseline 10·ln8/(T+20)"),
                "Held-out cross-entropy after training; dashed: output blank, then guess uniformly."),
            Html.Figure("copy-recall",
                Charts.AgainstGrid("Copy memory: recall accuracy against T", "gap T", "recall accuracy", recall, _ => 1.0 / 8, "chance 1/8"),
                "Fraction of the ten recalled symbols that are right."));
        body += StatsTable(ce, "T", v => Html.Num(v, "G3"));
        var findings = new List<Finding>();
        double far = ce.Max(s => s.X);
        var parts = ce.Where(s => s.X == far).Select(s => $"{s.Series} {Html.Num(s.Mean)} ({Html.Num(s.Mean / Baseline(far), "F2")}× baseline)");
        findings.Add(new Finding("Information has to survive T steps of multiplication by the recurrent Jacobian; the tanh RNN loses it, a gated cell need not.", Judge(ce),
            $"At T = {far} (baseline {Html.Num(Baseline(far))}): {string.Join(", ", parts)}."));
        var numbers = ce.ToDictionary(s => $"cross_entropy.{s.Series}.T{s.X}", s => s.Mean);
        return new Section(Name, Title, body + Html.Findings(findings), findings, numbers);
    }
}
