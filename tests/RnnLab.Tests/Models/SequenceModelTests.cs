using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Tests.Models;

/// <summary>The whole model (layer, readout, loss) against central differences: both readout modes, full and truncated BPTT.</summary>
public class SequenceModelTests
{
    [Theory]
    [InlineData("tanh", ReadoutMode.LastStep, LossKind.MeanSquaredError, 0)]
    [InlineData("lstm", ReadoutMode.LastStep, LossKind.CrossEntropy, 0)]
    [InlineData("gru", ReadoutMode.EveryStep, LossKind.CrossEntropy, 0)]
    [InlineData("lstm", ReadoutMode.EveryStep, LossKind.MeanSquaredError, 0)]
    [InlineData("tanh", ReadoutMode.EveryStep, LossKind.MeanSquaredError, 3)]
    public void Gradients_of_every_parameter_match_central_differences(string cell, ReadoutMode mode, LossKind loss, int truncation)
    {
        const int I = 3, H = 5, O = 3, T = 7, B = 2;
        var (kind, act) = CellKinds.Parse(cell);
        var model = new SequenceModel<double>(RecurrentLayer<double>.Create(kind, I, H, act), O, mode, loss);
        var rng = new SeededRandom(31);
        foreach (var p in model.Parameters) rng.FillUniform<double>(p.Value, -0.5, 0.5);
        int rows = mode == ReadoutMode.LastStep ? B : T * B;
        var x = new double[T * B * I];
        rng.FillUniform<double>(x, -1, 1);
        var targets = new double[rows * O];
        rng.FillUniform<double>(targets, -1, 1);
        var labels = Enumerable.Range(0, rows).Select(i => i % 4 == 3 ? -1 : rng.NextInt(O)).ToArray();

        double Loss() => loss == LossKind.MeanSquaredError
            ? model.Forward(x, T, B, targets)
            : model.Forward(x, T, B, classLabels: labels);

        // Truncated BPTT is not the gradient of the loss: check it against the chunked definition instead
        // (CellGradientTests); here truncation only has to leave the readout's own gradients exact.
        model.ZeroGrad();
        Loss();
        var dx = new double[x.Length];
        model.Backward(truncation, dx);
        var checkedParameters = truncation == 0 ? model.Parameters : model.Readout.Parameters;
        foreach (var p in checkedParameters)
            GradientCheck.Check($"{cell}.{mode}.{p.Name}", p.Shape, p.Value, (double[])p.Grad.Clone(), Loss);
        if (truncation == 0) GradientCheck.Check($"{cell}.{mode}.input", [T, B, I], x, dx, Loss);
    }

    /// <summary>A stack under the readout: the last-step readout reads output[T−1], both directions concatenated.</summary>
    [Theory]
    [InlineData("lstm", 2, true, 2, 0.0, ReadoutMode.LastStep, LossKind.MeanSquaredError)]
    [InlineData("gru", 3, false, 0, 0.3, ReadoutMode.LastStep, LossKind.CrossEntropy)]
    [InlineData("tanh", 2, true, 0, 0.2, ReadoutMode.EveryStep, LossKind.CrossEntropy)]
    public void Stacked_model_gradients_match_central_differences(string cell, int layers, bool bidirectional, int proj, double dropout,
        ReadoutMode mode, LossKind loss)
    {
        const int I = 3, H = 5, O = 3, T = 5, B = 2;
        var (kind, act) = CellKinds.Parse(cell);
        var model = new SequenceModel<double>(new RecurrentStack<double>(kind, I, H, layers, bidirectional, dropout, proj, act), O, mode, loss);
        Assert.Equal([model.Stack.OutputSize * O, O], model.Parameters.TakeLast(2).Select(p => p.Size));
        var rng = new SeededRandom(37);
        foreach (var p in model.Parameters) rng.FillUniform<double>(p.Value, -0.5, 0.5);
        int rows = mode == ReadoutMode.LastStep ? B : T * B;
        var x = new double[T * B * I];
        rng.FillUniform<double>(x, -1, 1);
        var targets = new double[rows * O];
        rng.FillUniform<double>(targets, -1, 1);
        var labels = Enumerable.Range(0, rows).Select(_ => rng.NextInt(O)).ToArray();

        double Loss()
        {
            model.Stack.DropoutRandom = new SeededRandom(5);
            return loss == LossKind.MeanSquaredError ? model.Forward(x, T, B, targets) : model.Forward(x, T, B, classLabels: labels);
        }

        model.ZeroGrad();
        Loss();
        var dx = new double[x.Length];
        model.Backward(0, dx);
        foreach (var p in model.Parameters)
            GradientCheck.Check($"{cell} L={layers} bi={bidirectional}.{p.Name}", p.Shape, p.Value, (double[])p.Grad.Clone(), Loss);
        GradientCheck.Check($"{cell} L={layers} bi={bidirectional}.input", [T, B, I], x, dx, Loss);
    }
}
