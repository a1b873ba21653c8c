using RnnLab.Lesson;
using RnnLab.Training;

namespace RnnLab.Tests.Lesson;

/// <summary>
/// The verdict logic of every experiment, fed synthetic results: each verdict it can give is reached, on the side
/// of its named threshold the documentation says. Through <c>Report</c> where the verdict is read off the grid.
/// </summary>
public class ExperimentVerdictTests
{
    static PointResult Point(string series, double x, double testLoss = double.NaN, double testMetric = double.NaN) =>
        new() { Series = series, X = x, Config = new TrainingConfig(), TestLoss = testLoss, TestMetric = testMetric };

    static Verdict OnlyVerdict(Section s) => Assert.Single(s.Findings).Verdict;

    [Fact]
    public void Long_range_verdicts()
    {
        PointResult[] Grid(double rnnFar, double lstmFar) =>
            [Point("rnn", 2, testMetric: 1), Point("rnn", 64, testMetric: rnnFar), Point("lstm", 2, testMetric: 1), Point("lstm", 64, testMetric: lstmFar)];
        var e = new LongRangeExperiment();
        Assert.Equal(Verdict.Supports, OnlyVerdict(e.Report(Grid(0.5, 1.0))));
        Assert.Equal(Verdict.Qualifies, OnlyVerdict(e.Report(Grid(0.5, 0.55))));     // both at chance
        Assert.Equal(Verdict.Contradicts, OnlyVerdict(e.Report(Grid(0.9, 0.7))));   // the RNN leads by 20 points
        Assert.Equal(Verdict.Qualifies, OnlyVerdict(e.Report(Grid(0.7, 0.9))));     // the RNN degrades, the LSTM not perfect
        // At the thresholds themselves.
        Assert.Equal(Verdict.Qualifies, LongRangeExperiment.Judge(LongRangeExperiment.NearChance, 1.0));
        Assert.Equal(Verdict.Qualifies, LongRangeExperiment.Judge(0.5, LongRangeExperiment.Kept));
        Assert.Equal(Verdict.Qualifies, LongRangeExperiment.Judge(0.8 + LongRangeExperiment.ClearLead, 0.8));
        Assert.Equal(Verdict.Contradicts, LongRangeExperiment.Judge(0.81 + LongRangeExperiment.ClearLead, 0.8));
    }

    [Fact]
    public void Adding_verdicts()
    {
        double b = AddingExperiment.Baseline;
        PointResult[] Grid(double lstm, double rnn) =>
            [Point("lstm", 50, testLoss: lstm), Point("lstm", 100, testLoss: 2 * lstm), Point("rnn", 50, testLoss: rnn), Point("rnn", 100, testLoss: rnn)];
        var e = new AddingExperiment();
        Assert.Equal(Verdict.Supports, OnlyVerdict(e.Report(Grid(0.001, b))));
        Assert.Equal(Verdict.Qualifies, OnlyVerdict(e.Report(Grid(0.05, b))));          // the LSTM never solves it
        Assert.Equal(Verdict.Qualifies, OnlyVerdict(e.Report(Grid(0.001, 0.001))));     // the RNN solves it too
        var a = AddingExperiment.Assess(Experiment.Stats(Grid(0.004, b), p => p.TestLoss));
        Assert.Equal(100, a.LstmSolvedUpTo);      // 0.008 < SolvedMse at T = 100
        Assert.Equal(50, a.RnnNearBaselineFrom);
        var edge = AddingExperiment.Assess(Experiment.Stats(Grid(AddingExperiment.SolvedMse, AddingExperiment.NearBaselineFraction * b), p => p.TestLoss));
        Assert.True(double.IsNaN(edge.LstmSolvedUpTo) && double.IsNaN(edge.RnnNearBaselineFrom), "thresholds are strict");
    }

    [Fact]
    public void Copy_verdicts()
    {
        double b = CopyExperiment.Baseline(100);
        PointResult[] Grid(double lstm, double rnn) =>
            [Point("lstm", 10, testLoss: 0.01), Point("lstm", 100, testLoss: lstm), Point("rnn", 10, testLoss: 0.01), Point("rnn", 100, testLoss: rnn)];
        var e = new CopyExperiment();
        Assert.Equal(Verdict.Supports, OnlyVerdict(e.Report(Grid(0.2 * b, 2 * b))));
        Assert.Equal(Verdict.Qualifies, OnlyVerdict(e.Report(Grid(b, 2 * b))));          // the LSTM at the baseline
        Assert.Equal(Verdict.Qualifies, OnlyVerdict(e.Report(Grid(0.2 * b, 0.2 * b))));  // the RNN remembers too
        Assert.Equal(Verdict.Qualifies, CopyExperiment.Judge(Experiment.Stats(Grid(CopyExperiment.RememberedFraction * b, 2 * b), p => p.TestLoss)));
    }

    [Fact]
    public void Exploding_verdicts()
    {
        Assert.Equal(Verdict.Supports, ExplodingExperiment.JudgeExplosion(4, 4));
        Assert.Equal(Verdict.Qualifies, ExplodingExperiment.JudgeExplosion(1, 4));
        Assert.Equal(Verdict.Contradicts, ExplodingExperiment.JudgeExplosion(0, 4));
        Assert.Equal(Verdict.Supports, ExplodingExperiment.JudgeClipping(4, 4, 4));
        Assert.Equal(Verdict.Qualifies, ExplodingExperiment.JudgeClipping(4, 3, 4));
        Assert.Equal(Verdict.Contradicts, ExplodingExperiment.JudgeClipping(3, 3, 4));
    }

    [Fact]
    public void Flow_verdicts()
    {
        Assert.Equal(Verdict.Supports, FlowExperiment.JudgeVanishing(FlowExperiment.EffectivelyZero / 2));
        Assert.Equal(Verdict.Qualifies, FlowExperiment.JudgeVanishing(FlowExperiment.EffectivelyZero));
        Assert.Equal(Verdict.Supports, FlowExperiment.JudgeCellPath(1.0, 0.7));
        Assert.Equal(Verdict.Qualifies, FlowExperiment.JudgeCellPath(FlowExperiment.Flowing, 0.7));
        Assert.Equal(Verdict.Qualifies, FlowExperiment.JudgeCellPath(0.95, 0.97));   // the RNN's probe flows better
    }
}
