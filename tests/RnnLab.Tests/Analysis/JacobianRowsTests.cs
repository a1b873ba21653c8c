using RnnLab.Analysis;
using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Tests.Analysis;

/// <summary>Rows times a step Jacobian without forming it (the RNN's and LSTM's structured products) equal rows·J with J dense.</summary>
public class JacobianRowsTests
{
    [Theory]
    [InlineData(CellKind.Rnn, Nonlinearity.Tanh, 0)]
    [InlineData(CellKind.Rnn, Nonlinearity.Relu, 0)]
    [InlineData(CellKind.Rnn, Nonlinearity.ModRelu, 0)]
    [InlineData(CellKind.Lstm, Nonlinearity.Tanh, 0)]
    [InlineData(CellKind.Lstm, Nonlinearity.Tanh, 3)]
    [InlineData(CellKind.Gru, Nonlinearity.Tanh, 0)]
    public void Equal_rows_times_the_dense_Jacobian(CellKind kind, Nonlinearity nl, int proj)
    {
        const int I = 4, H = 7, T = 5, m = 6;
        var cell = proj == 0 ? AnalysisTestData.Cell(kind, I, H, seed: 3, scale: 2.5, nl: nl) : Projected(I, H, proj);
        var tr = CellTrajectory.Run(cell, AnalysisTestData.Input(T, I, seed: 4), T);
        int S = cell.StateSize;
        var rows = AnalysisTestData.Input(m, S, seed: 5);                  // m random row vectors [m, S]
        var j = new double[S * S];
        var step = new JacobianRows(cell);
        for (int t = 1; t <= T; t++)
        {
            StepJacobian.Dense(tr, t, j);
            var want = new double[m * S];
            Gemm.Reference<double>(Op.N, Op.N, m, S, S, rows, j, want, accumulate: false);
            var got = new double[m * S];
            step.Apply(tr, t, (double[])rows.Clone(), m, got);
            double scale = want.Max(Math.Abs);
            for (int e = 0; e < got.Length; e++)
                Assert.True(Math.Abs(got[e] - want[e]) <= 1e-13 * scale, $"{kind} {nl} proj {proj}, t = {t}, entry {e}: {got[e]:R} vs {want[e]:R}");
        }
    }

    static CellWeights Projected(int input, int hidden, int proj)
    {
        var rng = new SeededRandom(9);
        var w = new CellWeights(CellKind.Lstm, input, hidden, Nonlinearity.Tanh, projSize: proj, weightHR: new double[proj * hidden]);
        foreach (var a in new[] { w.WeightIH, w.WeightHH, w.BiasIH, w.BiasHH, w.WeightHR }) rng.FillUniform<double>(a, -1.2, 1.2);
        return w;
    }
}
