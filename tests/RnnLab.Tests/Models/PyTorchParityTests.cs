using RnnLab.Models;
using RnnLab.Tests.Fixtures;

namespace RnnLab.Tests.Models;

/// <summary>
/// RnnLab's layers against outputs recorded from torch.nn.RNN / LSTM / GRU (Fixtures/make_fixtures.py):
/// the state dict loads by name, and the forward pass reproduces every h_t, h_T, c_T and the readout.
/// References are float64 from the float32 weights, so float64 must agree to rounding and float32 to 1e-5.
/// </summary>
public class PyTorchParityTests
{
    [Theory]
    [InlineData("rnn")]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void Float64_forward_matches_PyTorch(string cell) => Check<double>(cell, 1e-12);

    [Theory]
    [InlineData("rnn")]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void Float32_forward_matches_PyTorch(string cell) => Check<float>(cell, 1e-5);

    static void Check<T>(string cell, double tolerance) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var file = SafeTensors.Read(Fixture.Path(cell + ".safetensors"));
        var spec = StoredModel.Describe(file);
        var layer = RecurrentLayer<T>.Create(spec.Kind, spec.InputSize, spec.HiddenSize, spec.Nonlinearity);
        int H = spec.HiddenSize, O = spec.OutputSize!.Value;
        var readout = new Readout<T>(H, O);
        SafeTensors.LoadInto(file, [.. layer.Parameters, .. readout.Parameters]);

        var x = file.Get("fixture.x", 7, 2, spec.InputSize);
        T[] h0 = file.Get("fixture.h0", 2, H).To<T>();
        T[] c0 = spec.Kind == CellKind.Lstm ? file.Get("fixture.c0", 2, H).To<T>() : [];
        layer.Forward(x.To<T>(), 7, 2, h0, c0);

        Fixture.AssertMatches($"{cell}.output", file.Get("fixture.output", 7, 2, H).Data, layer.Output, tolerance);
        Fixture.AssertMatches($"{cell}.h_n", file.Get("fixture.h_n", 2, H).Data, layer.FinalHidden, tolerance);
        if (layer is LstmLayer<T> lstm) Fixture.AssertMatches($"{cell}.c_n", file.Get("fixture.c_n", 2, H).Data, lstm.FinalCell, tolerance);

        readout.Forward(layer.Output, 7 * 2);
        Fixture.AssertMatches($"{cell}.readout", file.Get("fixture.readout", 7, 2, O).Data, readout.Output, tolerance);
    }
}
