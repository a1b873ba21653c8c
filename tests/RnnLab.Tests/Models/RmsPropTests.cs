using RnnLab.Models;

namespace RnnLab.Tests.Models;

/// <summary>
/// RMSProp against torch.optim.RMSprop: literal parameter values PyTorch printed (Fixtures/rmsprop_steps.py), and the
/// update rule written out independently as scalar code over several hyperparameter settings.
/// </summary>
public class RmsPropTests
{
    static double GradientOf(double p, int element) => element % 2 == 0 ? 2 * p : 3 * p * p - 1;

    static Parameter<double> Start()
    {
        var p = new Parameter<double>("p", 2);
        p.Value[0] = 1.0;
        p.Value[1] = -0.5;
        return p;
    }

    public static TheoryData<double, double, double, double, bool, double[]> TorchRuns() => new()
    {
        // lr, alpha, momentum, weight decay, centred, p after steps 1..3 (printed by PyTorch 1.13)
        { 0.01, 0.99, 0, 0, false, [0.9000000049999998, -0.40000003999998407, 0.8329179679700331, -0.30979009458683604, 0.7799822732436351, -0.2319101822417927] },
        { 0.05, 0.9, 0.5, 0.01, true, [0.8333333360972913, -0.3333333551198228, 0.6341698551624987, -0.08778955083685389, 0.4484711993334256, 0.18283962360227937] },
    };

    [Theory]
    [MemberData(nameof(TorchRuns))]
    public void MatchesTorchOptimRmsprop(double lr, double alpha, double momentum, double wd, bool centered, double[] expected)
    {
        var p = Start();
        var opt = new RmsProp<double>([p], lr, alpha, 1e-8, wd, momentum, centered);
        for (int step = 0; step < 3; step++)
        {
            for (int j = 0; j < 2; j++) p.Grad[j] = GradientOf(p.Value[j], j);
            opt.Step();
            for (int j = 0; j < 2; j++) Assert.Equal(expected[2 * step + j], p.Value[j], 14);
        }
    }

    [Theory]
    [InlineData(0.01, 0.99, 0.0, 0.0, false)]
    [InlineData(0.003, 0.9, 0.9, 0.1, false)]
    [InlineData(0.02, 0.5, 0.0, 0.0, true)]
    public void FollowsTheUpdateRuleWrittenOut(double lr, double alpha, double mu, double wd, bool centered)
    {
        var p = Start();
        var opt = new RmsProp<double>([p], lr, alpha, 1e-8, wd, mu, centered);
        double[] x = [1.0, -0.5], v = new double[2], gAvg = new double[2], b = new double[2];
        for (int step = 1; step <= 4; step++)
        {
            for (int j = 0; j < 2; j++) p.Grad[j] = GradientOf(p.Value[j], j);
            opt.Step();
            for (int j = 0; j < 2; j++)
            {
                double g = GradientOf(x[j], j) + wd * x[j];
                v[j] = alpha * v[j] + (1 - alpha) * g * g;
                gAvg[j] = alpha * gAvg[j] + (1 - alpha) * g;
                double denom = Math.Sqrt(centered ? v[j] - gAvg[j] * gAvg[j] : v[j]) + 1e-8;
                b[j] = mu * b[j] + g / denom;
                x[j] -= lr * (mu > 0 ? b[j] : g / denom);
                Assert.Equal(x[j], p.Value[j], 13);
            }
        }
    }

    [Fact]
    public void StateTensorsUsePyTorchBufferNames()
    {
        var p = Start();
        Assert.Equal(["p.square_avg"], new RmsProp<double>([p]).StateTensors.Select(s => s.Name));
        Assert.Equal(["p.square_avg", "p.momentum_buffer", "p.grad_avg"],
            new RmsProp<double>([p], momentum: 0.9, centered: true).StateTensors.Select(s => s.Name));
    }

    [Fact]
    public void RejectsBadHyperparameters()
    {
        var p = Start();
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp<double>([p], alpha: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp<double>([p], momentum: -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp<double>([p], epsilon: double.NaN));
    }
}
