using RnnLab.Analysis;
using RnnLab.Numerics;

namespace RnnLab.Tests.Analysis;

public class DepthComparisonTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MlpBackwardMatchesFiniteDifferences(bool residual)
    {
        const int n = 7, depth = 5;
        var mlp = new DeepTanhMlp(n, depth, residual, gain: 1.5, new SeededRandom(3));
        var rng = new SeededRandom(4);
        var x0 = new double[n]; rng.FillGaussian<double>(x0, 0, 1);
        var u = new double[n]; rng.FillGaussian<double>(u, 0, 1);
        mlp.Forward(x0);
        var g = mlp.Backward(u);
        const double eps = 1e-6;
        for (int l = 0; l <= depth; l++)
        {
            mlp.Forward(x0);
            var xl = mlp.LayerInput(l).ToArray();
            for (int i = 0; i < n; i++)
            {
                var xp = (double[])xl.Clone(); xp[i] += eps;
                var xm = (double[])xl.Clone(); xm[i] -= eps;
                double lp = Spectra.Dot(u, mlp.Forward(xp, l));
                double lm = Spectra.Dot(u, mlp.Forward(xm, l));
                double fd = (lp - lm) / (2 * eps);
                Assert.True(Math.Abs(fd - g[l][i]) < 1e-7 * Math.Max(1, Math.Abs(fd)), $"residual={residual} dx_{l}[{i}]: analytic {g[l][i]} vs fd {fd}");
            }
        }
    }

    [Fact]
    public void RnnNormsMatchBackwardOfFlowJacobians()
    {
        var curves = DepthComparison.Run(new DepthOptions { Width = 16, Depths = [10, 50] });
        Assert.Equal(6, curves.Length);
        Assert.All(curves, c => Assert.Equal(c.Depth + 1, c.GradientNorm.Length));
        Assert.All(curves, c => Assert.Equal(1.0, c.GradientNorm[c.Depth], 12));   // ‖u‖ = 1 at the output
        // Residual connections keep the gradient from vanishing: at depth 50 it is at least as large as the output's.
        var res = curves.Single(c => c.Label == "residual MLP" && c.Depth == 50);
        var plain = curves.Single(c => c.Label == "plain MLP" && c.Depth == 50);
        Assert.True(res.GradientNorm[0] > plain.GradientNorm[0]);
    }

    [Fact]
    public void UndrivenRnnAtGainOneDoesNotCollapse()
    {
        // Without inputs the RNN's tanh stays near its linear range and ρ(W_hh) ≈ 1: the 50-step gradient stays
        // within a few decades, unlike the driven RNN, whose saturated steps shrink it much faster.
        var free = DepthComparison.Run(new DepthOptions { Width = 32, Depths = [50], RnnInputScale = 0 }).Single(c => c.Label == "tanh RNN");
        var driven = DepthComparison.Run(new DepthOptions { Width = 32, Depths = [50] }).Single(c => c.Label == "tanh RNN");
        Assert.True(free.GradientNorm[0] > 1e-3, $"free RNN: {free.GradientNorm[0]:E2}");
        Assert.True(driven.GradientNorm[0] < free.GradientNorm[0], $"driven {driven.GradientNorm[0]:E2} vs free {free.GradientNorm[0]:E2}");
    }
}
