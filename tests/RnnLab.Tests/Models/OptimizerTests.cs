using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Tests.Models;

/// <summary>
/// SGD and Adam against their PyTorch update rules, written out independently here as scalar code
/// (and, for one element, as literal numbers computed by hand from the same rules).
/// </summary>
public class OptimizerTests
{
    // Each parameter element follows its own gradient field g(p), so the runs are not trivially linear.
    static double GradientOf(double p, int element) => element % 2 == 0 ? 2 * p : 3 * p * p - 1;

    static List<Parameter<double>> MakeParameters(params double[][] values)
    {
        var list = new List<Parameter<double>>();
        for (int i = 0; i < values.Length; i++)
        {
            var p = new Parameter<double>($"p{i}", values[i].Length);
            values[i].CopyTo(p.Value, 0);
            list.Add(p);
        }
        return list;
    }

    static void FillGradients(List<Parameter<double>> ps)
    {
        foreach (var p in ps)
            for (int j = 0; j < p.Size; j++) p.Grad[j] = GradientOf(p.Value[j], j);
    }

    [Theory]
    [InlineData(0.1, 0.9, 0.01, false)]
    [InlineData(0.05, 0.5, 0.0, true)]
    [InlineData(0.2, 0.0, 0.1, false)]
    public void SgdFollowsTorchOptimSgd(double lr, double mu, double wd, bool nesterov)
    {
        double[][] start = [[1.0, -0.5, 0.25], [2.0, 0.0]];
        var ps = MakeParameters(start);
        var sgd = new Sgd<double>(ps, lr, mu, wd, nesterov);
        double[][] p = [.. start.Select(a => (double[])a.Clone())];
        double[][] v = [.. start.Select(a => new double[a.Length])];
        for (int step = 1; step <= 3; step++)
        {
            FillGradients(ps);
            sgd.Step();
            for (int i = 0; i < p.Length; i++)
                for (int j = 0; j < p[i].Length; j++)
                {
                    // torch.optim.SGD: d_p = g + wd·p; buf = d_p (first step) or mu·buf + d_p; nesterov: d_p + mu·buf
                    double g = GradientOf(p[i][j], j) + wd * p[i][j];
                    if (mu != 0)
                    {
                        v[i][j] = step == 1 ? g : mu * v[i][j] + g;
                        g = nesterov ? g + mu * v[i][j] : v[i][j];
                    }
                    p[i][j] -= lr * g;
                    Assert.Equal(p[i][j], ps[i].Value[j], 14);
                }
        }
        Assert.Equal(3, sgd.StepCount);
    }

    [Fact]
    public void SgdMatchesHandComputedSteps()
    {
        // p = 1, g = 2p, lr 0.1, momentum 0.9, weight decay 0.01:
        // g₁ = 2.01, v₁ = 2.01, p₁ = 0.799; g₂ = 1.60599, v₂ = 3.41499, p₂ = 0.457501; g₃ = 0.91957701, v₃ = 3.99306801, p₃ = 0.058194199
        var ps = MakeParameters([1.0]);
        var sgd = new Sgd<double>(ps, 0.1, momentum: 0.9, weightDecay: 0.01);
        double[] expected = [0.799, 0.457501, 0.058194199];
        foreach (double e in expected)
        {
            FillGradients(ps);
            sgd.Step();
            Assert.Equal(e, ps[0].Value[0], 14);
        }
        Assert.Equal(3.99306801, sgd.StateTensors[0].Buffer[0], 13);
    }

    [Theory]
    [InlineData(0.1, 0.9, 0.999, 0.0)]
    [InlineData(0.01, 0.8, 0.99, 0.1)]
    public void AdamFollowsTorchOptimAdam(double lr, double beta1, double beta2, double wd)
    {
        double[][] start = [[1.0, -0.5, 0.25], [2.0, 1e-3]];
        var ps = MakeParameters(start);
        var adam = new Adam<double>(ps, lr, beta1, beta2, 1e-8, wd);
        double[][] p = [.. start.Select(a => (double[])a.Clone())];
        double[][] m = [.. start.Select(a => new double[a.Length])];
        double[][] v = [.. start.Select(a => new double[a.Length])];
        for (int t = 1; t <= 3; t++)
        {
            FillGradients(ps);
            adam.Step();
            for (int i = 0; i < p.Length; i++)
                for (int j = 0; j < p[i].Length; j++)
                {
                    // Kingma & Ba, Algorithm 1, with PyTorch's placement of ε (outside the square root)
                    double g = GradientOf(p[i][j], j) + wd * p[i][j];
                    m[i][j] = beta1 * m[i][j] + (1 - beta1) * g;
                    v[i][j] = beta2 * v[i][j] + (1 - beta2) * g * g;
                    double mHat = m[i][j] / (1 - Math.Pow(beta1, t)), vHat = v[i][j] / (1 - Math.Pow(beta2, t));
                    p[i][j] -= lr * mHat / (Math.Sqrt(vHat) + 1e-8);
                    Assert.Equal(p[i][j], ps[i].Value[j], 13);
                }
        }
    }

    [Fact]
    public void AdamMatchesHandComputedSteps()
    {
        // p = 1, g = 2p, lr 0.1: step 1 has m̂ = g, v̂ = g², so p₁ = 1 − 0.1·2/(2 + 1e-8) = 0.9000000005.
        var ps = MakeParameters([1.0]);
        var adam = new Adam<double>(ps, 0.1);
        double[] expected = [0.9000000005, 0.8004122286917928, 0.7015862729460303];
        foreach (double e in expected)
        {
            FillGradients(ps);
            adam.Step();
            Assert.Equal(e, ps[0].Value[0], 14);
        }
    }

    [Fact]
    public void StateTensorsUsePyTorchBufferNames()
    {
        var ps = MakeParameters([1.0, 2.0], [3.0]);
        Assert.Equal(["p0.exp_avg", "p0.exp_avg_sq", "p1.exp_avg", "p1.exp_avg_sq"],
            new Adam<double>(ps).StateTensors.Select(s => s.Name));
        Assert.Equal(["p0.momentum_buffer", "p1.momentum_buffer"], new Sgd<double>(ps, 0.1, 0.9).StateTensors.Select(s => s.Name));
        Assert.Empty(new Sgd<double>(ps, 0.1).StateTensors);
    }

    public static TheoryData<string> OptimizerNames => new() { "sgd", "adam", "rmsprop" };

    static Optimizer<float> Make(string name, List<Parameter<float>> ps)
        => name switch
        {
            "sgd" => new Sgd<float>(ps, 0.05, momentum: 0.9, weightDecay: 1e-3),
            "adam" => new Adam<float>(ps, 0.01, weightDecay: 1e-3),
            _ => new RmsProp<float>(ps, 0.01, weightDecay: 1e-3, momentum: 0.5, centered: true),
        };

    static List<Parameter<float>> FloatParameters()
    {
        var a = new Parameter<float>("a", 2, 3);
        var b = new Parameter<float>("b", 4);
        for (int j = 0; j < 6; j++) a.Value[j] = 0.3f * j - 0.7f;
        for (int j = 0; j < 4; j++) b.Value[j] = 1.1f - 0.4f * j;
        return [a, b];
    }

    static void FloatGradients(List<Parameter<float>> ps)
    {
        foreach (var p in ps)
            for (int j = 0; j < p.Size; j++) p.Grad[j] = (float)GradientOf(p.Value[j], j);
    }

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void ResumingFromSavedStateIsBitIdentical(string name)
    {
        var straight = FloatParameters();
        var opt = Make(name, straight);
        for (int i = 0; i < 5; i++) { FloatGradients(straight); opt.Step(); }

        var first = FloatParameters();
        var before = Make(name, first);
        for (int i = 0; i < 3; i++) { FloatGradients(first); before.Step(); }
        // "Checkpoint": copy values, state buffers and step count into a fresh model and optimizer.
        var resumed = FloatParameters();
        for (int i = 0; i < first.Count; i++) first[i].Value.CopyTo(resumed[i].Value, 0);
        var after = Make(name, resumed);
        for (int i = 0; i < before.StateTensors.Count; i++)
        {
            Assert.Equal(before.StateTensors[i].Name, after.StateTensors[i].Name);
            before.StateTensors[i].Buffer.CopyTo(after.StateTensors[i].Buffer, 0);
        }
        after.StepCount = before.StepCount;
        for (int i = 0; i < 2; i++) { FloatGradients(resumed); after.Step(); }

        for (int i = 0; i < straight.Count; i++)
            Assert.Equal(straight[i].Value.Select(BitConverter.SingleToInt32Bits), resumed[i].Value.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void StepAllocatesNothing(string name)
    {
        var ps = FloatParameters();
        var opt = Make(name, ps);
        FloatGradients(ps);
        opt.Step();                                            // warm up (JIT)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) opt.Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void RejectsBadHyperparameters()
    {
        var ps = MakeParameters([1.0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd<double>(ps, -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd<double>(ps, 0.1, momentum: 1.0));
        Assert.Throws<ArgumentException>(() => new Sgd<double>(ps, 0.1, nesterov: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam<double>(ps, 0.1, beta2: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam<double>(ps, double.NaN));
        Assert.Throws<ArgumentException>(() => new Adam<double>([ps[0], ps[0]]));
    }
}

/// <summary>Adam's update split between threads by element ranges gives the same bits as on one thread.</summary>
[Collection(GlobalStatics.Name)]
public class AdamSplitTests
{
    [Theory]
    [InlineData(0.0), InlineData(0.01)]
    public void Adam_steps_are_the_same_bits_at_1_2_and_3_threads(double weightDecay)
    {
        float[] Train(int threads)
        {
            var p = new Parameter<float>("w", 7, 13);
            var rng = new SeededRandom(3);
            rng.FillUniform<float>(p.Value, -1, 1);
            var adam = new Adam<float>([p], 0.05, weightDecay: weightDecay);
            using var _ = Parallelism.Use(threads);
            for (int step = 0; step < 5; step++)
            {
                for (int j = 0; j < p.Size; j++) p.Grad[j] = p.Value[j] * p.Value[j] - 0.5f * j / p.Size;
                adam.Step();
            }
            return p.Value;
        }
        GlobalStatics.WithEverySplitForced(() =>
        {
            float[] one = Train(1);
            foreach (int threads in new[] { 2, 3 })
                Assert.True(one.AsSpan().SequenceEqual(Train(threads)), $"Adam at {threads} threads differs from one thread");
        });
    }
}
