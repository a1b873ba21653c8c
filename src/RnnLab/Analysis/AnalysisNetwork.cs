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
    /// <summary>Inputs per step of a generated network unless asked otherwise (<c>--input</c>, the web page, the lesson).</summary>
    public const int DefaultInputSize = 8;

    /// <summary>A float64 layer initialised like a training run's (<see cref="Initializers.Apply{T}(RecurrentLayer{T}, InitKind, SeededRandom, double?)"/>).</summary>
    public static RecurrentLayer<double> Generate(CellKind kind, int inputSize, int hiddenSize, InitKind init = InitKind.PyTorch,
        double? spectralRadius = null, ulong seed = 0, Nonlinearity nonlinearity = Nonlinearity.Tanh)
    {
        if (spectralRadius is double r && !(r > 0 && double.IsFinite(r))) throw new InvalidParameterException("Rho", "must be a positive number", r);
        var layer = RecurrentLayer<double>.Create(kind, inputSize, hiddenSize, nonlinearity);
        Initializers.Apply(layer, init, new SeededRandom(seed), spectralRadius);
        return layer;
    }

    /// <summary>Checks that <paramref name="path"/> names a file to read: a folder or a missing path is the user's mistake.</summary>
    public static void RequireFile(string path)
    {
        if (Directory.Exists(path)) throw new InvalidInputException($"{path} is a folder, not a file");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file");
    }

    /// <summary>A module read from a checkpoint, with where its nonlinearity came from.</summary>
    public sealed record LoadedModule(string FileName, ModuleWeights Weights, NonlinearitySource NonlinearitySource);

    /// <summary>
    /// Reads the recurrent module <paramref name="moduleName"/> (or the file's only one) from a PyTorch checkpoint.
    /// <paramref name="requested"/> (from --cell), when given, must agree with the file: the cell kind with the
    /// shapes, the nonlinearity with the metadata (see <see cref="Checkpoint.ResolveNonlinearity"/>).
    /// </summary>
    public static LoadedModule LoadModule(string path, string? moduleName = null, (CellKind Kind, Nonlinearity Nonlinearity)? requested = null)
    {
        RequireFile(path);
        var file = SafeTensors.Read(path);
        var module = Checkpoint.Select(Checkpoint.Inspect(file), moduleName);
        var (nl, source) = Checkpoint.ResolveNonlinearity(file.FileName, module, requested);
        return new LoadedModule(file.FileName, ModuleWeights.Load(file, module, nl), source);
    }

    /// <summary>
    /// Input sequences from a .npy file: [T, I] (one sequence), [T, B, I] (time-major, PyTorch's default) or, with
    /// <paramref name="batchFirst"/>, [B, T, I]. Returned time-major [T, B, I], checked for size and non-finite values.
    /// </summary>
    public static (double[] X, int Steps, int Batch) LoadSequences(string path, int inputSize, bool batchFirst = false)
    {
        RequireFile(path);
        var a = Npy.Read(path);
        string f = Path.GetFileName(path);
        string layout = batchFirst ? "[B, T, I]" : "[T, B, I]";
        if (a.Rank is not (2 or 3) || a.Shape[^1] != inputSize)
            throw new InvalidDataException($"{f}: inputs must have shape [T, {inputSize}] or {layout.Replace("I", inputSize.ToString(System.Globalization.CultureInfo.InvariantCulture))}, file has {a.ShapeText}");
        if (a.Count == 0) throw new InvalidDataException($"{f}: the sequence is empty");
        Validate.Finite<double>(a.Data, f, a.Shape);
        if (a.Rank == 2) return (a.Data, a.Shape[0], 1);
        if (!batchFirst) return (a.Data, a.Shape[0], a.Shape[1]);
        int B = a.Shape[0], T = a.Shape[1], I = inputSize;
        var x = new double[a.Count];
        for (int b = 0; b < B; b++)
            for (int t = 0; t < T; t++) a.Data.AsSpan((b * T + t) * I, I).CopyTo(x.AsSpan((t * B + b) * I, I));
        return (x, T, B);
    }

    /// <summary>An initial state (h0 or c0) in PyTorch's layout [L·D, B, width] ([L·D, width] for one sequence).</summary>
    public static double[] LoadInitialState(string path, string name, int rows, int batch, int width)
    {
        RequireFile(path);
        var a = Npy.Read(path);
        string f = Path.GetFileName(path);
        bool ok = a.Rank == 3 && a.Shape[0] == rows && a.Shape[1] == batch && a.Shape[2] == width
            || batch == 1 && a.Rank == 2 && a.Shape[0] == rows && a.Shape[1] == width;
        if (!ok) throw new InvalidDataException($"{f}: {name} must have shape [{rows}, {batch}, {width}] (layers × directions, batch, size), file has {a.ShapeText}");
        Validate.Finite<double>(a.Data, f, a.Shape);
        return a.Data;
    }

    /// <summary>x [T, I] with entries N(0, 1), the same for the same seed.</summary>
    public static double[] RandomInputs(int steps, int inputSize, ulong seed)
    {
        if (steps <= 0) throw new InvalidParameterException("Seq", "must be a positive integer", steps);
        var x = new double[steps * inputSize];
        new SeededRandom(seed ^ 0x1_0000_0001UL).FillGaussian<double>(x, 0, 1);
        return x;
    }

    /// <summary>x [T, I] from a .npy file of that shape, checked for size and for NaN or infinite values.</summary>
    public static double[] LoadInputs(string path, int inputSize)
    {
        RequireFile(path);
        var a = Npy.Read(path);
        if (a.Rank != 2 || a.Shape[1] != inputSize)
            throw new InvalidDataException($"{Path.GetFileName(path)}: inputs must have shape [T, {inputSize}], file has {a.ShapeText}");
        if (a.Shape[0] == 0) throw new InvalidDataException($"{Path.GetFileName(path)}: the sequence is empty");
        Validate.Finite<double>(a.Data, Path.GetFileName(path), a.Shape);
        return a.Data;
    }
}
