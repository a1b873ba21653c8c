using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Tests.Models;

public class ReadoutTests
{
    static double[] Random(SeededRandom rng, int n)
    {
        var a = new double[n];
        rng.FillUniform<double>(a, -1, 1);
        return a;
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 5, 3)]
    [InlineData(13, 9, 11)]
    public void ForwardIsHTimesWeightTransposedPlusBias(int rows, int hidden, int outputs)
    {
        var rng = new SeededRandom(1);
        var readout = new Readout<double>(hidden, outputs);
        Initializers.Apply(readout, InitKind.PyTorch, rng);
        double[] h = Random(rng, rows * hidden);
        readout.Forward(h, rows);
        for (int n = 0; n < rows; n++)
            for (int o = 0; o < outputs; o++)
            {
                double y = readout.Bias.Value[o];
                for (int k = 0; k < hidden; k++) y += h[n * hidden + k] * readout.Weight.Value[o * hidden + k];
                Assert.Equal(y, readout.Output[n * outputs + o], 12);
            }
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 5, 3)]
    [InlineData(3, 11, 9)]
    public void BackwardMatchesFiniteDifferences(int rows, int hidden, int outputs)
    {
        var rng = new SeededRandom(2);
        var readout = new Readout<double>(hidden, outputs);
        Initializers.Apply(readout, InitKind.PyTorch, rng);
        double[] h = Random(rng, rows * hidden);
        double[] r = Random(rng, rows * outputs);                  // L = Σ r·y + ½Σ y², so dL/dy = r + y
        double Loss()
        {
            readout.Forward(h, rows);
            double l = 0;
            for (int i = 0; i < r.Length; i++) { double y = readout.Output[i]; l += r[i] * y + 0.5 * y * y; }
            return l;
        }
        Loss();
        double[] dy = [.. r.Select((v, i) => v + readout.Output[i])];
        double[] dh = new double[rows * hidden];
        readout.ZeroGrad();
        readout.Backward(dy, dh);
        GradientCheck.Check(readout.Weight, Loss);
        GradientCheck.Check(readout.Bias, Loss);
        GradientCheck.Check("readout.input", [rows, hidden], h, dh, Loss);
    }

    [Fact]
    public void BackwardAccumulatesParameterGradientsAndOverwritesDh()
    {
        var rng = new SeededRandom(3);
        var readout = new Readout<double>(4, 3);
        Initializers.Apply(readout, InitKind.PyTorch, rng);
        double[] h = Random(rng, 5 * 4), dy = Random(rng, 5 * 3);
        readout.Forward(h, 5);
        double[] dh = new double[5 * 4];
        readout.Backward(dy, dh);
        double[] once = (double[])readout.Weight.Grad.Clone(), dhOnce = (double[])dh.Clone();
        readout.Backward(dy, dh);
        Assert.Equal(once.Select(g => 2 * g), readout.Weight.Grad);
        Assert.Equal(dhOnce, dh);
    }

    [Fact]
    public void NamesAndShapesFollowTorchNnLinear()
    {
        var readout = new Readout<float>(6, 2);
        Assert.Equal("readout.weight", readout.Weight.Name);
        Assert.Equal([2, 6], readout.Weight.Shape);
        Assert.Equal("readout.bias", readout.Bias.Name);
        Assert.Equal([2], readout.Bias.Shape);
    }

    [Fact]
    public void RejectsWronglySizedBuffers()
    {
        var readout = new Readout<double>(4, 3);
        var e = Assert.Throws<ArgumentException>(() => readout.Forward(new double[7], 2));
        Assert.Contains("[N=2, H=4]", e.Message);
        Assert.Throws<InvalidOperationException>(() => readout.Backward(new double[6]));
    }

    [Theory]
    [InlineData("tanh")]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void ReadoutOnEveryStepWithMaskedCrossEntropyComposesWithBptt(string cell)
    {
        // The shape of a sequence model's step: layer → readout on all T·B rows → cross-entropy with ignored
        // rows → readout backward into dOutput [T, B, H] → BPTT. Checked end to end against finite differences.
        const int I = 3, H = 5, O = 4, T = 5, B = 3;
        var rng = new SeededRandom(4);
        var (kind, act) = CellKinds.Parse(cell);
        var layer = RecurrentLayer<double>.Create(kind, I, H, act);
        var readout = new Readout<double>(H, O);
        Initializers.Apply(layer, InitKind.PyTorch, rng);
        Initializers.Apply(readout, InitKind.PyTorch, rng);
        double[] x = Random(rng, T * B * I);
        int[] labels = [.. Enumerable.Range(0, T * B).Select(r => r % 4 == 1 ? Losses.IgnoreLabel : rng.NextInt(O))];
        double Loss()
        {
            layer.Forward(x, T, B);
            readout.Forward(layer.Output, T * B);
            return Losses.SoftmaxCrossEntropy<double>(readout.Output, O, labels);
        }
        Loss();
        double[] dLogits = new double[T * B * O], dOutput = new double[T * B * H];
        Losses.SoftmaxCrossEntropy<double>(readout.Output, O, labels, dLogits);
        layer.ZeroGrad();
        readout.ZeroGrad();
        readout.Backward(dLogits, dOutput);
        layer.Backward(dOutput);
        foreach (var p in readout.Parameters.Concat(layer.Parameters)) GradientCheck.Check(p, Loss);
    }
}
