using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Analysis;

/// <summary>
/// The network and the input sequence an analysis runs on: generated from a cell, a size, an initializer and a
/// spectral radius, or loaded from a PyTorch state dict; inputs generated from a seed or read from a .npy file.
/// Shared by <c>rnnlab flow</c>, <c>rnnlab spectrum</c> and the web page, so they analyse the same network.
/// </summary>
public static class AnalysisNetwork
{
    /// <summary>A float64 layer initialised like a training run's (<see cref="Initializers.Apply{T}(RecurrentLayer{T}, InitKind, SeededRandom, double?)"/>).</summary>
    public static RecurrentLayer<double> Generate(CellKind kind, int inputSize, int hiddenSize, InitKind init = InitKind.PyTorch,
        double? spectralRadius = null, ulong seed = 0, Nonlinearity nonlinearity = Nonlinearity.Tanh)
    {
        if (spectralRadius is double r && !(r > 0 && double.IsFinite(r))) throw new ArgumentException($"--rho must be a positive number, got {r}");
        var layer = RecurrentLayer<double>.Create(kind, inputSize, hiddenSize, nonlinearity);
        Initializers.Apply(layer, init, new SeededRandom(seed), spectralRadius);
        return layer;
    }

    /// <summary>
    /// Loads weights saved from <c>torch.nn.RNN/LSTM/GRU</c> (or by RnnLab). The cell and sizes come from the file;
    /// <paramref name="expected"/>, when given, must agree with them.
    /// </summary>
    public static RecurrentLayer<double> Load(string path, CellKind? expected = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file");
        var file = SafeTensors.Read(path);
        var stored = StoredModel.Describe(file);
        if (expected is CellKind k && k != stored.Kind)
            throw new ArgumentException($"{Path.GetFileName(path)} holds a {stored.Kind.Name()} (weight_hh_l0 is [{stored.Kind.Gates()}·{stored.HiddenSize}, {stored.HiddenSize}]), not a {k.Name()}");
        var layer = RecurrentLayer<double>.Create(stored.Kind, stored.InputSize, stored.HiddenSize, stored.Nonlinearity);
        SafeTensors.LoadInto(file, layer.Parameters);
        return layer;
    }

    /// <summary>x [T, I] with entries N(0, 1), the same for the same seed.</summary>
    public static double[] RandomInputs(int steps, int inputSize, ulong seed)
    {
        if (steps <= 0) throw new ArgumentException($"--seq must be a positive integer, got {steps}");
        var x = new double[steps * inputSize];
        new SeededRandom(seed ^ 0x1_0000_0001UL).FillGaussian<double>(x, 0, 1);
        return x;
    }

    /// <summary>x [T, I] from a .npy file of that shape, checked for size and for NaN or infinite values.</summary>
    public static double[] LoadInputs(string path, int inputSize)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file");
        var a = Npy.Read(path);
        if (a.Rank != 2 || a.Shape[1] != inputSize)
            throw new InvalidDataException($"{Path.GetFileName(path)}: inputs must have shape [T, {inputSize}], file has {a.ShapeText}");
        if (a.Shape[0] == 0) throw new InvalidDataException($"{Path.GetFileName(path)}: the sequence is empty");
        Validate.Finite<double>(a.Data, Path.GetFileName(path), a.Shape);
        return a.Data;
    }
}
