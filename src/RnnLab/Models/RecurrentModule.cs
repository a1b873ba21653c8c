namespace RnnLab.Models;

/// <summary>
/// One recurrent module found in a checkpoint, as PyTorch built it: <c>torch.nn.RNN/LSTM/GRU</c> (keys
/// <c>weight_ih_l{k}[_reverse]</c>, …) or a cell (<c>nn.RNNCell/LSTMCell/GRUCell</c>, keys <c>weight_ih</c>, …:
/// one layer, one direction). Everything is read off the tensor names and shapes.
/// </summary>
/// <param name="Name">the module's path in the state dict ("rnn", "module.encoder.rnn"), empty for a bare state dict</param>
/// <param name="ProjSize">LSTM <c>proj_size</c>: h = W_hr·(o ⊙ tanh c) has this size; 0 without a projection</param>
/// <param name="DType">the module's tensors' dtype ("F32"; "F16+F32" when they differ)</param>
/// <param name="CellStyle">keys without <c>_l0</c>, as an RNNCell/LSTMCell/GRUCell saves them</param>
/// <param name="StatedNonlinearity">what the file's <c>__metadata__</c> says (G = 1 only), null when it says nothing</param>
public sealed record RecurrentModule(string Name, CellKind Kind, int InputSize, int HiddenSize, int Layers, int Directions,
    bool Bias, int ProjSize, string DType, bool CellStyle, Nonlinearity? StatedNonlinearity)
{
    /// <summary>The size of h (and of each direction's output): proj_size when projected, else H.</summary>
    public int OutputSize => ProjSize > 0 ? ProjSize : HiddenSize;

    public bool Bidirectional => Directions == 2;

    /// <summary>
    /// Whether the engine adds b_ih and b_hh: when the file has them, unless the nonlinearity is modReLU (expRNN's z
    /// has no biases; modReLU has its own, <c>modrelu_bias_l0</c>), whose b_ih and b_hh are neither read nor trained.
    /// </summary>
    public static bool ReadsBiases(bool bias, Nonlinearity nonlinearity) => bias && nonlinearity != Nonlinearity.ModRelu;

    /// <summary><see cref="ReadsBiases"/> for this module's stated nonlinearity (tanh when unstated, as the analysis assumes).</summary>
    public bool UsesBias => ReadsBiases(Bias, StatedNonlinearity ?? Nonlinearity.Tanh);

    /// <summary>modReLU's bias <c>modrelu_bias_l0</c> is in use (the metadata says modReLU).</summary>
    public bool ModReluBias => StatedNonlinearity == Nonlinearity.ModRelu;

    /// <summary>The file's tensors of this module that the engine does not read: the b_ih and b_hh of a modReLU module.</summary>
    public IReadOnlyList<string> IgnoredTensors => Bias && !UsesBias
        ? [.. LayerShapes.SelectMany(l => new[] { Key("bias_ih", l.Layer, l.Direction), Key("bias_hh", l.Layer, l.Direction) })]
        : [];

    /// <summary>The biases in use, for a table: "yes", "no", "modReLU's (bias_ih, bias_hh ignored)".</summary>
    public string BiasText => (UsesBias, ModReluBias) switch
    {
        (true, _) => "yes",
        (false, true) => Bias ? $"{Checkpoint.ModReluBiasParameter} only (bias_ih, bias_hh ignored)" : $"{Checkpoint.ModReluBiasParameter} only",
        _ => "no",
    };

    /// <summary>Input size of layer k: I for layer 0, D·H_out above (both directions' outputs concatenated).</summary>
    public int LayerInputSize(int layer) => LayerShape.InputSizeOf(layer, Directions, InputSize, OutputSize);

    /// <summary>Every layer and direction in PyTorch's order, with the sizes its tensors have (each checked on reading).</summary>
    public IReadOnlyList<LayerShape> LayerShapes => LayerShape.Of(Layers, Directions, InputSize, HiddenSize, OutputSize);

    /// <summary>The state-dict key of a parameter ("weight_ih", "bias_hh", "weight_hr") of a layer and direction.</summary>
    public string Key(string parameter, int layer, int direction)
    {
        string prefix = Name.Length == 0 ? "" : Name + ".";
        return CellStyle ? prefix + parameter : $"{prefix}{parameter}{Suffix(layer, direction)}";
    }

    /// <summary>PyTorch's suffix of a layer and direction: "_l0", "_l0_reverse", "_l1", …</summary>
    public static string Suffix(int layer, int direction) => $"_l{layer}" + (direction == 1 ? "_reverse" : "");

    /// <summary>"l0", "l0_reverse", "l1", …: how the JSON and the tables name a layer and direction.</summary>
    public static string LayerName(int layer, int direction) => Suffix(layer, direction)[1..];

    /// <summary>The display name: the module path, or "(state dict)" for a bare one.</summary>
    public string DisplayName => Name.Length == 0 ? "(top level)" : Name;

    /// <summary>"lstm, 2 layers, bidirectional, proj_size 2, no bias": the shape in a few words.</summary>
    public string Description
    {
        get
        {
            var parts = new List<string> { StatedNonlinearity is Nonlinearity stated ? CellKinds.Label(Kind, stated) : Kind.Name() };
            parts.Add($"input {InputSize}, hidden {HiddenSize}");
            if (Layers > 1) parts.Add($"{Layers} layers");
            if (Bidirectional) parts.Add("bidirectional");
            if (ProjSize > 0) parts.Add($"proj_size {ProjSize}");
            if (!UsesBias) parts.Add(ModReluBias ? $"bias {BiasText}" : "no bias");
            if (CellStyle) parts.Add("cell");
            parts.Add(DType);
            return string.Join(", ", parts);
        }
    }
}

/// <summary>
/// One layer and direction of a recurrent module: weight_ih is [G·H, InputSize], weight_hh [G·H, OutputSize]
/// (and weight_hr [OutputSize, H] with a projection).
/// </summary>
/// <param name="Name">"l0", "l0_reverse", "l1", …: PyTorch's suffix without the underscore</param>
/// <param name="InputSize">I for layer 0; above it D·H_out, both directions of the layer below concatenated</param>
/// <param name="OutputSize">the size of this direction's h: proj_size when projected, else H</param>
public sealed record LayerShape(string Name, int Layer, int Direction, int InputSize, int HiddenSize, int OutputSize)
{
    /// <summary>The layers and directions of a module with these sizes, in PyTorch's order (index layer·D + direction).</summary>
    public static IReadOnlyList<LayerShape> Of(int layers, int directions, int inputSize, int hiddenSize, int outputSize) =>
    [
        .. Enumerable.Range(0, layers * directions).Select(i => new LayerShape(RecurrentModule.LayerName(i / directions, i % directions),
            i / directions, i % directions, InputSizeOf(i / directions, directions, inputSize, outputSize), hiddenSize, outputSize)),
    ];

    /// <summary>Layer l reads x (layer 0) or the concatenation of the layer below's directions.</summary>
    public static int InputSizeOf(int layer, int directions, int inputSize, int outputSize) => layer == 0 ? inputSize : directions * outputSize;
}
