using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Tests.Models;

/// <summary>expRNN's structure: W_hh = exp(A) orthogonal, the paper's initialisation, A's gradient through exp (the whole backward is in CellGradientTests).</summary>
public class ExpRnnLayerTests
{
    static double OrthogonalityError<T>(RecurrentLayer<T> layer) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int H = layer.HiddenSize;
        double worst = 0;
        var w = layer.WeightHH.Value;
        for (int i = 0; i < H; i++)
            for (int j = 0; j < H; j++)
            {
                double dot = 0;
                for (int k = 0; k < H; k++) dot += double.CreateTruncating(w[k * H + i]) * double.CreateTruncating(w[k * H + j]);
                worst = Math.Max(worst, Math.Abs(dot - (i == j ? 1 : 0)));
            }
        return worst;
    }

    [Theory]
    [InlineData(SkewInit.Henaff, 8), InlineData(SkewInit.Cayley, 9), InlineData(SkewInit.Cayley, 64)]
    public void Initialisation_is_block_diagonal_skew_and_W_hh_is_its_exponential(SkewInit init, int h)
    {
        var layer = new ExpRnnLayer<double>(3, h);
        layer.Initialize(init, new SeededRandom(4));
        var a = layer.SkewMatrix();
        for (int i = 0; i < h; i++)
            for (int j = 0; j < h; j++)
            {
                Assert.Equal(-a[j * h + i], a[i * h + j]);
                bool inBlock = i / 2 == j / 2 && i != j && Math.Max(i, j) < h - h % 2;
                if (!inBlock) Assert.Equal(0.0, a[i * h + j]);
            }
        for (int i = 0; i + 1 < h; i += 2)
        {
            double s = a[i * h + i + 1];
            if (init == SkewInit.Henaff) Assert.InRange(s, -Math.PI, Math.PI);
            else Assert.InRange(s, -1.0 - 1e-12, 0.0);                     // −tan(u/2) for u in (0, π/2)
            // each 2×2 block exponentiates to a rotation by s
            Assert.Equal(Math.Cos(s), layer.WeightHH.Value[i * h + i], 12);
            Assert.Equal(Math.Sin(s), layer.WeightHH.Value[i * h + i + 1], 12);
        }
        Assert.True(OrthogonalityError(layer) < 1e-12);
        Assert.All(layer.ModReluBias!.Value, b => Assert.InRange(b, -0.01, 0.01));
        double std = Math.Sqrt(layer.WeightIH.Value.Average(v => v * v));
        Assert.InRange(std, 0.5 * Math.Sqrt(2.0 / 3), 1.5 * Math.Sqrt(2.0 / 3));
    }

    [Fact]
    public void Weight_hh_stays_orthogonal_under_gradient_steps_on_A()
    {
        // Plain SGD on a float32 layer: the optimizer moves A, W_hh follows as exp(A), orthogonal to float rounding.
        const int I = 2, H = 16, T = 20, B = 4;
        var layer = new ExpRnnLayer<float>(I, H);
        layer.Initialize(SkewInit.Cayley, new SeededRandom(1));
        var opt = new Sgd<float>(layer.Parameters, 0.5);
        var rng = new SeededRandom(2);
        var x = new float[T * B * I];
        var r = new float[T * B * H];
        double[] before = (double[])layer.SkewMatrix().Clone();
        for (int step = 0; step < 50; step++)
        {
            rng.FillGaussian<float>(x, 0, 1);
            rng.FillGaussian<float>(r, 0, 1);
            layer.ZeroGrad();
            layer.Forward(x, T, B);
            layer.Backward(r);
            Assert.All(layer.WeightHH.Grad, g => Assert.Equal(0f, g));   // handed to A
            opt.Step();
        }
        layer.Forward(x, T, B);
        Assert.NotEqual(before, layer.SkewMatrix());
        Assert.True(OrthogonalityError(layer) < 1e-5, $"‖WᵀW − I‖_max = {OrthogonalityError(layer)}");
    }

    [Fact]
    public void Rejects_a_nonlinearity_it_does_not_have()
    {
        Assert.Throws<ArgumentException>(() => new ExpRnnLayer<double>(1, 2, Nonlinearity.Relu));
        Assert.Throws<ArgumentException>(() => new RnnLayer<double>(1, 2, Nonlinearity.ModRelu));
    }
}
