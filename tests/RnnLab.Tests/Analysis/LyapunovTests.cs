using RnnLab.Analysis;

namespace RnnLab.Tests.Analysis;

public class LyapunovTests
{
    [Fact]
    public void ConstantDiagonalGivesLogsOfEntries()
    {
        double[] diag = [0.5, 2.0, 0.1, 1.0];
        // The start vectors' orientation adds an O(1/T) bias (ln of their projections), so T is large.
        const int steps = 100_000;
        var lambda = Lyapunov.Exponents((t, a) => { Array.Clear(a); for (int i = 0; i < 4; i++) a[i * 4 + i] = diag[i]; }, steps, 4, 4);
        var expected = diag.Select(v => Math.Log(v)).OrderByDescending(v => v).ToArray();
        for (int i = 0; i < 4; i++) Assert.True(Math.Abs(expected[i] - lambda[i]) < 1e-4, $"λ{i + 1} = {lambda[i]}, expected ln {Math.Exp(expected[i])} = {expected[i]}");
    }

    [Fact]
    public void OrthogonalGivesZeros()
    {
        // A rotation in the (0,1) plane and a reflection of axis 2: orthogonal, every exponent 0.
        double c = Math.Cos(0.3), s = Math.Sin(0.3);
        double[] q = [c, -s, 0, s, c, 0, 0, 0, -1];
        var lambda = Lyapunov.Exponents((t, a) => q.CopyTo(a, 0), 500, 3, 3);
        Assert.All(lambda, l => Assert.True(Math.Abs(l) < 1e-12, $"exponent {l}"));
    }

    [Fact]
    public void ScaledOrthogonalGivesLogOfScale()
    {
        var q = new double[25];
        new RnnLab.Numerics.SeededRandom(3).FillGaussian<double>(q, 0, 1);
        var m = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfRowMajor(5, 5, q).QR().Q;
        var a0 = new double[25];
        for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) a0[i * 5 + j] = 0.8 * m[i, j];
        var lambda = Lyapunov.Exponents((t, a) => a0.CopyTo(a, 0), 300, 5, 2);
        Assert.All(lambda, l => Assert.Equal(Math.Log(0.8), l, 10));
    }

    [Fact]
    public void FlowSweepExponentsAgreeWithStandaloneIteration()
    {
        var cell = AnalysisTestData.Cell(RnnLab.Models.CellKind.Gru, 2, 6, seed: 8, scale: 2);
        const int steps = 400;
        var tr = CellTrajectory.Run(cell, AnalysisTestData.Input(steps, 2, 9), steps);
        var flow = FlowProfile.Compute(tr, new FlowOptions { LyapunovCount = 3 });
        // Forward product J_2 … J_T (the same T−1 Jacobians the sweep multiplies, in forward order).
        var fwd = Lyapunov.Exponents((t, a) => StepJacobian.Dense(tr, t + 1, a), steps - 1, 6, 3);
        for (int i = 0; i < 3; i++) Assert.True(Math.Abs(flow.LyapunovExponents[i] - fwd[i]) < 0.02, $"λ{i + 1}: sweep {flow.LyapunovExponents[i]} vs forward {fwd[i]}");
    }
}
