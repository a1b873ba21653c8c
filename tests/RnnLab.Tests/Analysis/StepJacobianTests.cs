using RnnLab.Analysis;
using RnnLab.Models;

namespace RnnLab.Tests.Analysis;

public class StepJacobianTests
{
    public static TheoryData<CellKind, Nonlinearity, int, int> Cases()
    {
        var data = new TheoryData<CellKind, Nonlinearity, int, int>();
        foreach (var (kind, nl) in new[] { (CellKind.Rnn, Nonlinearity.Tanh), (CellKind.Rnn, Nonlinearity.Relu), (CellKind.Rnn, Nonlinearity.ModRelu), (CellKind.Lstm, Nonlinearity.Tanh), (CellKind.Gru, Nonlinearity.Tanh) })
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

    /// <summary>
    /// modReLU at z = +0 exactly (W_ih x = 0, h_0 = 0): with b &gt; 0 the unit outputs +b and passes the gradient (the
    /// engine's sign(+0) = +1), with b &lt; 0 and with b = 0 it outputs 0 and blocks it; the engine's backward agrees.
    /// </summary>
    [Fact]
    public void ModRelu_at_zero_input_is_what_the_engine_computes()
    {
        const int H = 3;
        var layer = new ExpRnnLayer<double>(1, H);
        layer.SetSkewMatrix([0, 0.7, -0.2, -0.7, 0, 0.4, 0.2, -0.4, 0]);
        double[] b = [0.5, -0.2, 0.0];
        b.CopyTo(layer.ModReluBias!.Value, 0);
        layer.Forward([0.0], 1, 1);
        Assert.Equal([0.0, 0.0, 0.0, 0.5, 0.0, 0.0], layer.HiddenStates.ToArray());
        var dh0 = new double[H];
        layer.Backward([1.0, 1.0, 1.0], dh0: dh0);

        var cell = CellWeights.From(layer);
        var tr = CellTrajectory.Run(cell, [0.0], 1);
        Assert.Equal([0.5, 0.0, 0.0], tr.HiddenAt(1).ToArray());
        var j = new double[H * H];
        StepJacobian.Dense(tr, 1, j);
        var w = layer.WeightHH.Value;
        for (int r = 0; r < H; r++)
            for (int c = 0; c < H; c++) Assert.Equal(r == 0 ? w[c] : 0.0, j[r * H + c]);
        for (int c = 0; c < H; c++) Assert.Equal(dh0[c], j[c] + j[H + c] + j[2 * H + c], 15);   // 1ᵀ·J = ∂(Σh_1)/∂h_0
    }

    /// <summary>
    /// Along a trajectory of a real expRNN layer with some units closed (|z| + b ≤ 0): the analysis' states are the
    /// engine's, and (J_T···J_1)ᵀ·u is the engine's BPTT of u from h_T back to h_0.
    /// </summary>
    [Fact]
    public void ModRelu_jacobian_product_is_the_engines_backward()
    {
        const int I = 3, H = 6, T = 5;
        var layer = new ExpRnnLayer<double>(I, H);
        var rng = new RnnLab.Numerics.SeededRandom(11);
        layer.Initialize(SkewInit.Henaff, rng);
        rng.FillUniform<double>(layer.ModReluBias!.Value, -1.0, 0.3);
        var x = AnalysisTestData.Input(T, I, seed: 4);
        layer.Forward(x, T, 1);
        var cell = CellWeights.From(layer);
        var tr = CellTrajectory.Run(cell, x, T);
        var engine = layer.HiddenStates.ToArray();
        for (int i = 0; i < engine.Length; i++) Assert.Equal(engine[i], tr.H[i], 12);
        int closed = tr.H.Skip(H).Count(v => v == 0);
        Assert.InRange(closed, 1, T * H - 1);                          // both branches of the derivative are exercised

        var u = AnalysisTestData.Input(1, H, seed: 9);
        var dOut = new double[T * H];
        u.CopyTo(dOut, (T - 1) * H);
        var dh0 = new double[H];
        layer.Backward(dOut, dh0: dh0);
        var v = (double[])u.Clone();
        var j = new double[H * H];
        for (int t = T; t >= 1; t--)
        {
            StepJacobian.Dense(tr, t, j);
            var next = new double[H];
            for (int c = 0; c < H; c++)
                for (int r = 0; r < H; r++) next[c] += j[r * H + c] * v[r];   // v ← J_tᵀ·v
            v = next;
        }
        for (int c = 0; c < H; c++) Assert.Equal(dh0[c], v[c], 12);
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
