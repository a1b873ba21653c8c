using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Tests.Models;

/// <summary>Pascanu et al.'s Ω: its inputs against the backward pass, its value against the formula, its W_hh gradient against central differences.</summary>
public class FlowRegularizerTests
{
    static (RnnLayer<double> Layer, double[] DOutput) Backward(int I, int H, int T, int B, ulong seed, bool lastStepOnly = false)
    {
        var layer = new RnnLayer<double>(I, H);
        var rng = new SeededRandom(seed);
        foreach (var p in layer.Parameters) rng.FillUniform<double>(p.Value, -0.8, 0.8);
        var x = new double[T * B * I];
        rng.FillUniform<double>(x, -1, 1);
        var dOut = new double[T * B * H];
        rng.FillUniform<double>(dOut, -1, 1);
        if (lastStepOnly) dOut.AsSpan(0, (T - 1) * B * H).Clear();
        layer.Forward(x, T, B);
        layer.ZeroGrad();
        layer.Backward(dOut);
        return (layer, dOut);
    }

    [Theory]
    [InlineData(2, 3, 5, 2), InlineData(3, 6, 9, 3), InlineData(1, 1, 4, 1)]
    public void State_gradients_are_the_ones_the_backward_pass_carried(int I, int H, int T, int B)
    {
        var (layer, dOut) = Backward(I, H, T, B, 3);
        var v = FlowRegularizer.StateGradients(layer, dOut);
        var probe = layer.StateGradientNorms;
        for (int t = 0; t < T; t++)
            Assert.Equal(probe[t], Math.Sqrt(v.AsSpan(t * B * H, B * H).ToArray().Sum(e => e * e)), 12);
    }

    [Theory]
    [InlineData(2, 3, 5, 2, false), InlineData(3, 6, 9, 3, false), InlineData(2, 4, 7, 2, true)]
    public void Omega_matches_its_formula_and_its_gradient_matches_central_differences(int I, int H, int T, int B, bool lastStepOnly)
    {
        var (layer, dOut) = Backward(I, H, T, B, 5, lastStepOnly);
        double[] u = layer.PreActivationGradients.ToArray();
        double[] v = FlowRegularizer.StateGradients(layer, dOut);
        double[] w = (double[])layer.WeightHH.Value.Clone();
        const double alpha = 2.0;
        var grad = new double[H * H];
        var (omega, terms) = FlowRegularizer.Apply<double>(u, v, w, H, alpha, grad);

        // The formula, written out per (step, sequence).
        double sum = 0;
        int n = 0;
        for (int r = 0; r < T * B; r++)
        {
            double vv = 0, ss = 0;
            for (int j = 0; j < H; j++)
            {
                vv += v[r * H + j] * v[r * H + j];
                double sj = 0;
                for (int i = 0; i < H; i++) sj += u[r * H + i] * w[i * H + j];
                ss += sj * sj;
            }
            if (vv < FlowRegularizer.Bound) continue;
            sum += (ss / vv - 1) * (ss / vv - 1);
            n++;
        }
        Assert.Equal(n, terms);
        Assert.Equal(sum / n, omega, 12);
        Assert.True(omega > 0);
        GradientCheck.Check("omega.weight_hh", [H, H], w, grad, () => alpha * FlowRegularizer.Apply<double>(u, v, w, H, alpha, default).Omega);
    }

    [Fact]
    public void Tiny_state_gradients_are_skipped()
    {
        double[] u = [1, 0, 0, 1], v = [1e-11, 0, 1, 0], w = [2, 0, 0, 2];
        var (omega, terms) = FlowRegularizer.Apply<double>(u, v, w, 2, 1, default);
        Assert.Equal(1, terms);                        // the first row's ‖v‖² = 1e-22 < 1e-20
        Assert.Equal(Math.Pow(4.0 / 1 - 1, 2), omega, 12);
        Assert.Equal((0.0, 0), FlowRegularizer.Apply<double>([1.0], [0.0], [1.0], 1, 1, default));
    }
}
