using RnnLab.Analysis;
using RnnLab.Models;

namespace RnnLab.Tests.Analysis;

public class FlowProfileTests
{
    public static TheoryData<CellKind, int, double, double> Cases() => new()
    {
        { CellKind.Rnn, 1, 1.0, 1e-10 },
        { CellKind.Rnn, 5, 1.0, 1e-10 },
        { CellKind.Rnn, 12, 3.0, 1e-10 },   // strongly contracting/saturated: the rank falls and the factored phase runs
        { CellKind.Rnn, 9, 1.0, 0 },        // tolerance 0: exact full-rank products throughout
        { CellKind.Lstm, 7, 2.0, 1e-10 },
        { CellKind.Gru, 6, 2.0, 1e-10 },
        { CellKind.Gru, 11, 4.0, 1e-10 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void NormsMatchExplicitProductsAndSvd(CellKind kind, int hidden, double scale, double tol)
    {
        const int steps = 60, input = 3;
        var cell = AnalysisTestData.Cell(kind, input, hidden, seed: (ulong)hidden, scale: scale);
        var x = AnalysisTestData.Input(steps, input, seed: 11);
        var tr = CellTrajectory.Run(cell, x, steps);
        var flow = FlowProfile.Compute(tr, new FlowOptions { TruncationTolerance = tol });
        Assert.Equal(0, flow.PowerIterationLimitHits);
        foreach (int k in new[] { 0, 1, 2, 5, 9, 17, 33, 59 })
        {
            var p = AnalysisTestData.ExplicitProduct(tr, k);
            double fro = Math.Sqrt(p.Sum(v => v * v));
            double spec = AnalysisTestData.SpectralNorm(p, hidden);
            Assert.True(Math.Abs(flow.Log10SpectralNorm[k] - Math.Log10(spec)) < 1e-8,
                $"{kind} H={hidden} k={k}: log10 spectral {flow.Log10SpectralNorm[k]} vs SVD {Math.Log10(spec)} (rank {flow.Rank[k]})");
            Assert.True(Math.Abs(flow.Log10FrobeniusNorm[k] - Math.Log10(fro)) < 1e-8,
                $"{kind} H={hidden} k={k}: log10 Frobenius {flow.Log10FrobeniusNorm[k]} vs {Math.Log10(fro)} (rank {flow.Rank[k]})");
        }
    }

    [Fact]
    public void FactoredPhaseIsReachedAndStaysAccurate()
    {
        var cell = AnalysisTestData.Cell(CellKind.Rnn, 3, 24, seed: 2, scale: 2.0);
        const int steps = 200;
        var tr = CellTrajectory.Run(cell, AnalysisTestData.Input(steps, 3, 4), steps);
        var flow = FlowProfile.Compute(tr);
        Assert.True(flow.Rank[^1] < 12, $"rank at the end {flow.Rank[^1]}: the factored phase did not start");
        foreach (int k in new[] { 20, 64, 120, 199 })
        {
            var p = AnalysisTestData.ExplicitProduct(tr, k);
            double fro = Math.Sqrt(p.Sum(v => v * v));
            double spec = AnalysisTestData.SpectralNorm(p, 24);
            Assert.True(Math.Abs(flow.Log10SpectralNorm[k] - Math.Log10(spec)) < 1e-8, $"k={k}: {flow.Log10SpectralNorm[k]} vs {Math.Log10(spec)}");
            Assert.True(Math.Abs(flow.Log10FrobeniusNorm[k] - Math.Log10(fro)) < 1e-8, $"k={k}: {flow.Log10FrobeniusNorm[k]} vs {Math.Log10(fro)}");
        }
    }

    [Fact]
    public void LstmCellPathIsProductOfForgetGates()
    {
        var cell = AnalysisTestData.Cell(CellKind.Lstm, 2, 5, seed: 9, scale: 2);
        const int steps = 30;
        var tr = CellTrajectory.Run(cell, AnalysisTestData.Input(steps, 2, 3), steps);
        var flow = FlowProfile.Compute(tr);
        var prod = Enumerable.Repeat(1.0, 5).ToArray();
        for (int k = 1; k < steps; k++)
        {
            var f = StepJacobian.ForgetGate(tr, steps - k + 1);
            for (int j = 0; j < 5; j++) prod[j] *= f[j];
            Assert.Equal(prod.Max(), flow.CellPathNorm![k], 1e-12);
        }
    }

    [Fact]
    public void LogNormsStayFiniteAtTenThousandSteps()
    {
        // ρ = 0.3: the product is ~10^-5000 at k = 10,000, far below double's smallest value.
        var cell = CellWeights.Random(CellKind.Rnn, 2, 8, seed: 5, spectralRadius: 0.3);
        const int steps = 10_000;
        var flow = FlowProfile.Compute(cell, AnalysisTestData.Input(steps, 2, 6), steps);
        Assert.All(flow.Log10SpectralNorm, v => Assert.True(double.IsFinite(v)));
        Assert.All(flow.Log10FrobeniusNorm, v => Assert.True(double.IsFinite(v)));
        Assert.True(flow.Log10SpectralNorm[^1] < -1000, $"log10 at k = T−1: {flow.Log10SpectralNorm[^1]}");
        Assert.Equal(0.0, flow.SpectralNorm[^1]);   // the linear value underflows; the log does not
        // The measured slope and the top Lyapunov exponent describe the same decay.
        Assert.True(Math.Abs(flow.DecayRate - flow.LyapunovExponents[0]) < 0.02, $"slope {flow.DecayRate} vs λ₁ {flow.LyapunovExponents[0]}");
        Assert.True(flow.EffectiveRho < 0.3 + 1e-9, $"effective ρ {flow.EffectiveRho} exceeds ρ(W_hh) = 0.3 though tanh′ ≤ 1");
        Assert.Equal(0.3, flow.SpectralRadius!.Value, 10);
    }

    [Fact]
    public void HorizonIsLargestKAboveThreshold()
    {
        double[] log10 = [0, -0.5, -1.5, -1.9, -2.5, -1.99, -3];
        Assert.Equal(5, FlowProfile.Horizon(log10, 0.01));
        Assert.Equal(1, FlowProfile.Horizon(log10, 0.1));
    }
}
