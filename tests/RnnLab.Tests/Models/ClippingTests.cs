using RnnLab.Models;

namespace RnnLab.Tests.Models;

public class ClippingTests
{
    static List<Parameter<T>> WithGradients<T>(params double[][] grads) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var list = new List<Parameter<T>>();
        for (int i = 0; i < grads.Length; i++)
        {
            var p = new Parameter<T>($"p{i}", grads[i].Length);
            for (int j = 0; j < grads[i].Length; j++) p.Grad[j] = T.CreateTruncating(grads[i][j]);
            list.Add(p);
        }
        return list;
    }

    [Fact]
    public void GlobalNormTreatsAllGradientsAsOneVector()
    {
        var ps = WithGradients<double>([3, 0], [0, 4], [12]);
        Assert.Equal(13.0, Clipping.GlobalNorm(ps), 15);
    }

    [Fact]
    public void ClipReturnsTheNormBeforeClippingAndScalesToMaxNorm()
    {
        var ps = WithGradients<double>([3, 0], [0, 4], [12]);
        double norm = Clipping.ClipByGlobalNorm(ps, 1.3);
        Assert.Equal(13.0, norm, 15);
        // clip_grad_norm_'s factor is max_norm/(norm + 1e-6): the result is max_norm up to that 1e-6.
        double factor = 1.3 / (13.0 + 1e-6);
        Assert.Equal(3 * factor, ps[0].Grad[0], 15);
        Assert.Equal(12 * factor, ps[2].Grad[0], 15);
        Assert.Equal(1.3, Clipping.GlobalNorm(ps), 6);
        Assert.Equal(13.0 * factor, Clipping.GlobalNorm(ps), 14);
    }

    [Fact]
    public void ClipLeavesGradientsBelowTheThresholdUnchanged()
    {
        var ps = WithGradients<float>([0.3, -0.4]);
        Assert.Equal(0.5, Clipping.ClipByGlobalNorm(ps, 1.0), 7);
        Assert.Equal([0.3f, -0.4f], ps[0].Grad);
        // At the threshold the factor is 1/(1 + 2e-6) < 1, as in PyTorch: scaled, by a hair.
        var atMax = WithGradients<double>([0.3, -0.4]);
        Clipping.ClipByGlobalNorm(atMax, 0.5);
        Assert.Equal(0.3 * 0.5 / (0.5 + 1e-6), atMax[0].Grad[0], 15);
    }

    [Fact]
    public void FloatGradientsAreNormedInDouble()
    {
        // 10⁴ entries of 1e-3: in float a running sum of squares would already drift; in double it is exact to ~1e-16.
        var ps = WithGradients<float>([.. Enumerable.Repeat(1e-3, 10_000)]);
        double expected = Math.Sqrt(10_000 * (double)1e-3f * 1e-3f);
        Assert.Equal(expected, Clipping.GlobalNorm(ps), 14);
    }

    [Fact]
    public void NaNAndInfinityShowInTheNormAndAreNotHidden()
    {
        var nan = WithGradients<float>([1, 2], [double.NaN]);
        Assert.True(double.IsNaN(Clipping.ClipByGlobalNorm(nan, 1.0)));
        Assert.Equal([1f, 2f], nan[0].Grad);

        var inf = WithGradients<double>([1, double.NegativeInfinity]);
        Assert.Equal(double.PositiveInfinity, Clipping.ClipByGlobalNorm(inf, 1.0));
        Assert.Equal([1.0, double.NegativeInfinity], inf[0].Grad);
    }

    [Fact]
    public void HugeFiniteDoubleGradientsDoNotOverflowTheNorm()
    {
        var ps = WithGradients<double>([3e200, 4e200]);
        Assert.Equal(5e200, Clipping.GlobalNorm(ps), 1e186);
    }

    [Fact]
    public void ClipByValueClampsEachElementAndKeepsNaN()
    {
        var ps = WithGradients<double>([-3, -0.5, 0.5, 3], [double.NaN, 1]);
        long clamped = Clipping.ClipByValue(ps, 1.0);
        Assert.Equal(2, clamped);
        Assert.Equal([-1.0, -0.5, 0.5, 1.0], ps[0].Grad);
        Assert.True(double.IsNaN(ps[1].Grad[0]));
        Assert.Equal(1.0, ps[1].Grad[1]);
    }

    [Fact]
    public void RejectsNonPositiveThresholds()
    {
        var ps = WithGradients<double>([1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Clipping.ClipByGlobalNorm(ps, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Clipping.ClipByValue(ps, double.NaN));
    }
}
