using RnnLab.Training;
namespace RnnLab.Lesson;

/// <summary>
/// The adding problem (Hochreiter &amp; Schmidhuber 1997; in the form of Le et al. 2015 and Arjovsky et al. 2016) at
/// growing T: held-out MSE of each cell against 1/6 ≈ 0.167, the MSE of always answering 1.
/// </summary>
public sealed class AddingExperiment : TaskGridExperiment
{
    /// <summary>The task's own chance level (predict 1): the same number at every T.</summary>
    public static readonly double Baseline = new Tasks.AddingTask(2).ChanceLoss;

    /// <summary>Held-out MSE below which a cell has solved the task at that T (a sixteenth of the baseline).</summary>
    public const double SolvedMse = 0.01;
    /// <summary>A cell whose MSE stays above this fraction of the baseline has learnt next to nothing.</summary>
    public const double NearBaselineFraction = 0.8;

    /// <summary>What the verdict reads off the grid.</summary>
    /// <param name="LstmSolvedUpTo">longest T at which the LSTM's mean MSE is below <see cref="SolvedMse"/> (NaN: none)</param>
    /// <param name="RnnNearBaselineFrom">shortest T at which the tanh RNN's mean MSE is above <see cref="NearBaselineFraction"/> of the baseline (NaN: none)</param>
    /// <param name="RnnBest">the tanh RNN's best (lowest) mean MSE over the grid</param>
    public sealed record Assessment(double LstmSolvedUpTo, double RnnNearBaselineFrom, SeriesStats? RnnBest, Verdict Verdict);

    /// <summary>
    /// Supports when the LSTM solves some T and the tanh RNN stays near the baseline from some T on; qualifies
    /// otherwise (either half of the lesson's contrast is missing at this budget).
    /// </summary>
    public static Assessment Assess(IReadOnlyList<SeriesStats> mse)
    {
        double lstmSolved = mse.Where(s => s.Series == "lstm" && s.Mean < SolvedMse).Select(s => s.X).DefaultIfEmpty(double.NaN).Max();
        double rnnNearBaseline = mse.Where(s => s.Series == "rnn" && s.Mean > NearBaselineFraction * Baseline).Select(s => s.X).DefaultIfEmpty(double.NaN).Min();
        var rnnBest = mse.Where(s => s.Series == "rnn").OrderBy(s => s.Mean).FirstOrDefault();
        var verdict = !double.IsNaN(lstmSolved) && !double.IsNaN(rnnNearBaseline) ? Verdict.Supports : Verdict.Qualifies;
        return new Assessment(lstmSolved, rnnNearBaseline, rnnBest, verdict);
    }

    public override string Name => "adding";
    public override string Title => "Adding problem: test MSE against sequence length";
    public override string Question =>
        "Can each cell add the two marked numbers of a sequence of length T, or does it stay at the 0.167 of predicting their mean without memory?";

    protected override GridBudget Budget(Preset preset) => preset switch
    {
        Preset.Test => new([10, 20], ["rnn", "lstm"], 1, 30, 8, 8, 32),
        Preset.Quick => new([50, 100, 200], ThreeCells, 1, 2000, 32, 32, 512),
        _ => new([50, 100, 200, 400], ThreeCells, 2, 3000, 64, 32, 1024),
    };

    protected override TrainingConfig Configure(TrainingConfig common, double x) => common with { Task = "adding", Seq = (int)x };

    public override Section Report(IReadOnlyList<PointResult> points)
    {
        var mse = Stats(points, p => p.TestLoss);
        var body = Html.Figure("adding-mse",
            Charts.AgainstGrid("Adding problem: held-out MSE against T", "sequence length T", "test MSE (log scale)",
                mse, _ => Baseline, "baseline 0.167 (predict 1)", logY: true),
            "Held-out MSE after training, mean over seeds with min–max bars; dashed: the memoryless baseline 1/6.");
        body += StatsTable(mse, "T", v => Html.Num(v, "G3"));
        var a = Assess(mse);
        string text = (double.IsNaN(a.LstmSolvedUpTo) ? $"The LSTM did not reach MSE {Html.Num(SolvedMse)} at any T of this budget. " : $"The LSTM reaches MSE below {Html.Num(SolvedMse)} up to T = {a.LstmSolvedUpTo}. ") +
            (double.IsNaN(a.RnnNearBaselineFrom) ? $"The tanh RNN beat {Html.Pct(NearBaselineFraction)} of the baseline at every T tried" : $"The tanh RNN stays near the {Html.Num(Baseline)} baseline from T = {a.RnnNearBaselineFrom}") +
            (a.RnnBest is null ? "." : $" (its best: {Html.Num(a.RnnBest.Mean)} at T = {a.RnnBest.X}).");
        var findings = new List<Finding>
        {
            new("Gradients through many tanh steps vanish, so a vanilla RNN cannot learn dependencies spanning long sequences; the LSTM's cell path carries them.", a.Verdict, text),
        };
        var numbers = mse.ToDictionary(s => $"mse.{s.Series}.T{s.X}", s => s.Mean);
        return new Section(Name, Title, body + Html.Findings(findings), findings, numbers);
    }
}
