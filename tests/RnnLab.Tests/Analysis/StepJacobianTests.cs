using RnnLab.Analysis;
using RnnLab.Models;

namespace RnnLab.Tests.Analysis;

public class StepJacobianTests
{
    public static TheoryData<CellKind, Nonlinearity, int, int> Cases()
    {
        var data = new TheoryData<CellKind, Nonlinearity, int, int>();
        foreach (var (kind, nl) in new[] { (CellKind.Rnn, Nonlinearity.Tanh), (CellKind.Rnn, Nonlinearity.Relu), (CellKind.Lstm, Nonlinearity.Tanh), (CellKind.Gru, Nonlinearity.Tanh) })
            foreach (var (i, h) in new[] { (1, 1), (3, 2), (2, 5), (7, 13) })
                data.Add(kind, nl, i, h);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AnalyticMatchesCentralDifferences(CellKind kind, Nonlinearity nl, int input, int hidden)
    {
        var cell = AnalysisTestData.Cell(kind, input, hidden, seed: (ulong)(hidden * 31 + input), scale: 2.5, nl: nl);
        const int steps = 4;
        var x = AnalysisTestData.Input(steps, input, seed: 7);
        var tr = CellTrajectory.Run(cell, x, steps);
        int S = cell.StateSize;
        var j = new double[S * S];
        for (int t = 1; t <= steps; t++)
        {
            StepJacobian.Dense(tr, t, j);
            var fd = StepJacobian.FiniteDifference(tr, t, x.AsSpan((t - 1) * input, input));
            double worst = 0; int at = -1;
            for (int e = 0; e < j.Length; e++)
            {
                double err = Math.Abs(j[e] - fd[e]) / Math.Max(1.0, Math.Abs(fd[e]));
                if (err > worst) { worst = err; at = e; }
            }
            Assert.True(worst < 1e-7, $"{kind}/{nl} H={hidden} step {t}: max rel err {worst:E2} at [{at / Math.Max(S, 1)},{at % S}]");
        }
    }

    [Fact]
    public void TanhRnnJacobianIsDiagTimesWhh()
    {
        var cell = AnalysisTestData.Cell(CellKind.Rnn, 2, 3, seed: 3);
        var tr = CellTrajectory.Run(cell, AnalysisTestData.Input(2, 2, 1), 2);
        var j = new double[9];
        StepJacobian.Dense(tr, 2, j);
        var h = tr.HiddenAt(2);
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
                Assert.Equal((1 - h[r] * h[r]) * cell.WeightHH[r * 3 + c], j[r * 3 + c], 15);
    }

    [Fact]
    public void LstmCellBlockIsDiagonalForgetGate()
    {
        var cell = AnalysisTestData.Cell(CellKind.Lstm, 3, 4, seed: 5, scale: 2);
        var tr = CellTrajectory.Run(cell, AnalysisTestData.Input(3, 3, 2), 3);
        var j = new double[64];
        StepJacobian.Dense(tr, 3, j);
        var f = StepJacobian.ForgetGate(tr, 3);
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++)
                Assert.Equal(r == c ? f[r] : 0.0, j[(4 + r) * 8 + 4 + c]);
    }
}
