namespace RnnLab.Models;

/// <summary>
/// What a weights file says about the model that wrote it, read off the tensor names and shapes so
/// <c>--model FILE</c> needs no <c>--hidden</c>: the file's one recurrent module as <see cref="Checkpoint.Inspect"/>
/// finds it (every layer and direction checked against PyTorch's layouts), its nonlinearity
/// (<see cref="Checkpoint.ResolveNonlinearity"/>: the metadata, tanh when it says nothing, as PyTorch's default), and
/// the size of RnnLab's readout when the file has one. An expRNN's weight_hh_l0 is the orthogonal exp(A), so it
/// describes itself as the RNN it computes (tanh, or modReLU with its bias in modrelu_bias_l0).
/// </summary>
/// <param name="HiddenSize">H, the cell's size (with a projection h has <see cref="ProjSize"/> values)</param>
/// <param name="OutputSize">O of <c>readout.weight</c> [O, D·H_out], null without a readout</param>
public sealed record StoredModel(CellKind Kind, Nonlinearity Nonlinearity, int InputSize, int HiddenSize, int? OutputSize,
    int Layers = 1, int Directions = 1, int ProjSize = 0, bool Bias = true)
{
    /// <summary>Metadata keys RnnLab writes and reads.</summary>
    public const string CellKey = "cell", NonlinearityKey = "nonlinearity";

    /// <summary>The size of each direction's h: proj_size when projected, else H.</summary>
    public int StateOutputSize => ProjSize > 0 ? ProjSize : HiddenSize;

    /// <summary>Every layer and direction in PyTorch's order (l0, l0_reverse, l1, …), each with the sizes its tensors have.</summary>
    public IReadOnlyList<LayerShape> LayerShapes => LayerShape.Of(Layers, Directions, InputSize, HiddenSize, StateOutputSize);

    public static StoredModel Describe(string path) => Describe(SafeTensors.Read(path));

    public static StoredModel Describe(SafeTensorsFile file)
    {
        var module = Checkpoint.Select(Checkpoint.Inspect(file), null);
        var (nonlinearity, _) = Checkpoint.ResolveNonlinearity(file.FileName, module, null);
        int? output = null;
        if (file.TryGet("readout.weight", out var rw))
        {
            // The readout reads output[T−1]: both directions' last h, concatenated.
            int width = module.Directions * module.OutputSize;
            if (rw.Shape.Length != 2 || rw.Shape[1] != width) throw new InvalidDataException($"{file.FileName}: readout.weight: expected [O, {width}], file has {rw.ShapeText}");
            output = rw.Shape[0];
        }
        return new StoredModel(module.Kind, nonlinearity, module.InputSize, module.HiddenSize, output,
            module.Layers, module.Directions, module.ProjSize, module.Bias);
    }

    /// <summary>The metadata entries that let <see cref="Describe(SafeTensorsFile)"/> recover this model exactly.</summary>
    public Dictionary<string, string> ToMetadata() => new()
    {
        [CellKey] = Kind.Name(),
        [NonlinearityKey] = Checkpoint.Name(Nonlinearity),
    };
}
