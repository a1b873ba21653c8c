using System.Text.RegularExpressions;

namespace RnnLab.Models;

/// <summary>Where a G = 1 module's nonlinearity came from: the file's metadata, the user's option, or neither.</summary>
public enum NonlinearitySource { Metadata, Option, Assumed }

/// <summary>What a checkpoint holds: its recurrent modules and every other tensor (a head such as fc.weight, an embedding).</summary>
public sealed record CheckpointContents(string FileName, IReadOnlyList<RecurrentModule> Modules, IReadOnlyList<(string Name, string DType, int[] Shape)> OtherTensors);

/// <summary>
/// Reads PyTorch checkpoints as researchers save them: a bare <c>nn.LSTM</c> state dict, a whole model's
/// (<c>rnn.weight_ih_l0</c> beside <c>emb.weight</c> and <c>fc.weight</c>), DataParallel's <c>module.</c> prefix,
/// cell keys without <c>_l0</c>, stacked layers, <c>_reverse</c> directions, <c>bias=False</c>, <c>proj_size</c>.
/// A key belongs to a recurrent module when it ends in weight_ih / weight_hh / bias_ih / bias_hh / weight_hr,
/// optionally with <c>_l{k}</c> and <c>_reverse</c>; the text before it is the module's path. Every shape is
/// checked against PyTorch's layouts, and anything else is refused with one line naming the tensor.
/// </summary>
public static class Checkpoint
{
    static readonly Regex RecurrentKey = new(@"^(?<prefix>(?:.*\.)?)(?<param>weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)(?:_l(?<layer>\d+)(?<rev>_reverse)?)?$",
        RegexOptions.CultureInvariant);

    /// <summary>Metadata key of the nonlinearity of G = 1 modules ("tanh" or "relu"); RnnLab writes it in every file it saves.</summary>
    public const string NonlinearityKey = "nonlinearity";

    public static CheckpointContents Inspect(SafeTensorsFile file)
    {
        var groups = new Dictionary<string, List<(string Key, string Param, int Layer, int Direction, bool Cell)>>(StringComparer.Ordinal);
        var others = new List<(string, string, int[])>();
        foreach (string key in file.Names)
        {
            var m = RecurrentKey.Match(key);
            if (!m.Success)
            {
                others.Add(file.Unreadable.FirstOrDefault(u => u.Name == key) is { } u ? (key, u.DType, u.Shape) : (key, file[key].DType.ToString(), file[key].Shape));
                continue;
            }
            string prefix = m.Groups["prefix"].Value;
            bool cell = !m.Groups["layer"].Success;
            int layer = cell ? 0 : int.Parse(m.Groups["layer"].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (!groups.TryGetValue(prefix, out var list)) groups[prefix] = list = [];
            list.Add((key, m.Groups["param"].Value, layer, m.Groups["rev"].Success ? 1 : 0, cell));
        }
        var modules = new List<RecurrentModule>();
        foreach (var (prefix, keys) in groups.OrderBy(g => g.Key, StringComparer.Ordinal))
            modules.Add(Describe(file, prefix, keys));
        // modReLU's bias belongs to its module (its name is no PyTorch module's, so the pattern above leaves it out)
        var modReluBiases = modules.Where(m => m.ModReluBias)
            .SelectMany(m => m.LayerShapes.Select(l => m.Key(ModReluBiasParameter, l.Layer, l.Direction))).ToHashSet(StringComparer.Ordinal);
        return new CheckpointContents(file.FileName, modules, [.. others.Where(t => !modReluBiases.Contains(t.Item1))]);
    }

    /// <summary>
    /// The module to analyse: the one named, or the only one. With several and none named, or a name that is not
    /// there, the one-line error lists the modules the file holds.
    /// </summary>
    public static RecurrentModule Select(CheckpointContents contents, string? name)
    {
        var modules = contents.Modules;
        string list = string.Join(", ", modules.Select(m => m.Name.Length == 0 ? "'' (top level)" : $"'{m.Name}'"));
        if (modules.Count == 0)
            throw new InvalidDataException($"{contents.FileName}: no recurrent module (no weight_hh_l0 or weight_hh tensor under any name)");
        if (name is null)
        {
            if (modules.Count == 1) return modules[0];
            throw new InvalidInputException($"{contents.FileName} holds {modules.Count} recurrent modules ({list}): choose one with --module NAME");
        }
        return modules.FirstOrDefault(m => m.Name == name)
            ?? throw new InvalidInputException($"{contents.FileName}: no recurrent module named '{name}' (the file holds {list})");
    }

    /// <summary>
    /// The nonlinearity of a module: a gated cell has none to choose; for G = 1 the file's metadata or the user's
    /// choice (<paramref name="requested"/>, from --cell) decides, and a conflict between them is an error; when
    /// neither says, tanh (PyTorch's default) is assumed and the source says so.
    /// </summary>
    public static (Nonlinearity Nonlinearity, NonlinearitySource Source) ResolveNonlinearity(string fileName, RecurrentModule module,
        (CellKind Kind, Nonlinearity Nonlinearity)? requested)
    {
        if (requested is { } r && r.Kind != module.Kind)
            throw new InvalidInputException($"{fileName}: module {module.DisplayName} is a {module.Kind.Name()} (weight_hh is [{module.Kind.Gates()}·{module.HiddenSize}, {module.OutputSize}]), not a {r.Kind.Name()}");
        if (module.Kind != CellKind.Rnn) return (Nonlinearity.Tanh, NonlinearitySource.Metadata);
        if (module.StatedNonlinearity is Nonlinearity stated)
        {
            if (requested is { } q && q.Nonlinearity != stated)
                throw new InvalidInputException($"{fileName}: the file's metadata says nonlinearity {Name(stated)} but --cell asks for {Name(q.Nonlinearity)}");
            return (stated, NonlinearitySource.Metadata);
        }
        return requested is { } o ? (o.Nonlinearity, NonlinearitySource.Option) : (Nonlinearity.Tanh, NonlinearitySource.Assumed);
    }

    public static string Name(Nonlinearity nonlinearity) => nonlinearity switch
    {
        Nonlinearity.Relu => "relu", Nonlinearity.ModRelu => "modrelu", _ => "tanh",
    };

    /// <summary>modReLU's bias of a layer and direction: <c>modrelu_bias_l0</c>, as the expRNN layer names it.</summary>
    public const string ModReluBiasParameter = "modrelu_bias";

    public static string Name(NonlinearitySource source) => source switch
    {
        NonlinearitySource.Metadata => "metadata", NonlinearitySource.Option => "option", _ => "assumed",
    };

    static RecurrentModule Describe(SafeTensorsFile file, string prefix, List<(string Key, string Param, int Layer, int Direction, bool Cell)> keys)
    {
        string f = file.FileName, name = prefix.TrimEnd('.');
        bool cellStyle = keys[0].Cell;
        if (keys.Any(k => k.Cell != cellStyle))
        {
            var a = keys.First(k => k.Cell);
            var b = keys.First(k => !k.Cell);
            throw new InvalidDataException($"{f}: {a.Key} (cell keys) and {b.Key} (layered keys) in one module");
        }
        var present = keys.ToDictionary(k => (k.Param, k.Layer, k.Direction), k => k.Key);
        int layers = keys.Max(k => k.Layer) + 1;
        int directions = keys.Any(k => k.Direction == 1) ? 2 : 1;
        string Key(string p, int l, int d) => cellStyle ? prefix + p : $"{prefix}{p}{RecurrentModule.Suffix(l, d)}";

        // Every layer and direction has both weight matrices; a reverse needs its forward; layers are 0..L−1.
        for (int l = 0; l < layers; l++)
            for (int d = 0; d < directions; d++)
            {
                var here = keys.Where(k => k.Layer == l && k.Direction == d).ToList();
                if (here.Count == 0)
                {
                    var reverse = keys.FirstOrDefault(k => k.Layer == l && k.Direction == 1);
                    if (d == 0 && reverse.Key is not null)
                        throw new InvalidDataException($"{f}: {reverse.Key} has no forward direction ({Key(reverse.Param, l, 0)} is missing)");
                    if (d == 1)
                        throw new InvalidDataException($"{f}: {keys.First(k => k.Direction == 1).Key} is a reverse direction but layer {l} has none ({Key("weight_hh", l, 1)} is missing)");
                    throw new InvalidDataException($"{f}: {keys.First(k => k.Layer > l).Key} without layer {l} ({Key("weight_hh", l, 0)} is missing)");
                }
                foreach (string p in new[] { "weight_ih", "weight_hh" })
                    if (!present.ContainsKey((p, l, d)))
                        throw new InvalidDataException($"{f}: {here[0].Key} without {Key(p, l, d)}");
            }
        bool bias = present.ContainsKey(("bias_ih", 0, 0));
        bool proj = present.ContainsKey(("weight_hr", 0, 0));
        for (int l = 0; l < layers; l++)
            for (int d = 0; d < directions; d++)
                foreach (string p in new[] { "bias_ih", "bias_hh", "weight_hr" })
                {
                    bool want = p == "weight_hr" ? proj : bias;
                    string decides = p == "weight_hr" ? "weight_hr" : "bias_ih";   // its presence in layer 0 says whether the module has it
                    if (present.ContainsKey((p, l, d)) != want)
                        throw new InvalidDataException(want
                            ? $"{f}: {Key(p, l, d)} is missing ({Key(decides, 0, 0)} is there)"
                            : $"{f}: {Key(p, l, d)} is there but {Key(decides, 0, 0)} is not");
                }

        // Sizes from layer 0: weight_hh is [G·H, H_out]; with a projection weight_hr is [P, H].
        var whh = Shape(file, Key("weight_hh", 0, 0));
        if (whh.Length != 2 || whh[1] == 0) throw new InvalidDataException($"{f}: {Key("weight_hh", 0, 0)} has shape {Text(whh)}, expected [G·H, H]");
        int hidden, projSize = 0;
        if (proj)
        {
            var whr = Shape(file, Key("weight_hr", 0, 0));
            if (whr.Length != 2 || whr[0] == 0 || whr[0] >= whr[1])
                throw new InvalidDataException($"{f}: {Key("weight_hr", 0, 0)} has shape {Text(whr)}, expected [proj_size, H] with proj_size < H");
            (projSize, hidden) = (whr[0], whr[1]);
            if (whh[1] != projSize || whh[0] != 4 * hidden)
                throw new InvalidDataException($"{f}: {Key("weight_hh", 0, 0)} has shape {Text(whh)}: with weight_hr {Text(whr)} an LSTM needs [{4 * hidden}, {projSize}]");
        }
        else
        {
            hidden = whh[1];
            if (whh[0] % hidden != 0 || whh[0] / hidden is not (1 or 3 or 4))
                throw new InvalidDataException($"{f}: {Key("weight_hh", 0, 0)} has shape {Text(whh)}: {whh[0]} rows is not G·H for H = {hidden} and a cell (rnn G = 1, gru 3, lstm 4)");
        }
        CellKind kind = (whh[0] / hidden) switch { 1 => CellKind.Rnn, 3 => CellKind.Gru, _ => CellKind.Lstm };
        int gh = kind.Gates() * hidden, hOut = proj ? projSize : hidden;
        var wih0 = Shape(file, Key("weight_ih", 0, 0));
        if (wih0.Length != 2 || wih0[0] != gh || wih0[1] == 0)
            throw new InvalidDataException($"{f}: {Key("weight_ih", 0, 0)} has shape {Text(wih0)}, expected [{gh}, I]");
        int input = wih0[1];

        var dtypes = new SortedSet<string>(StringComparer.Ordinal);
        for (int l = 0; l < layers; l++)
            for (int d = 0; d < directions; d++)
            {
                int layerInput = l == 0 ? input : directions * hOut;
                Expect(file, Key("weight_ih", l, d), [gh, layerInput], dtypes);
                Expect(file, Key("weight_hh", l, d), [gh, hOut], dtypes);
                if (bias) { Expect(file, Key("bias_ih", l, d), [gh], dtypes); Expect(file, Key("bias_hh", l, d), [gh], dtypes); }
                if (proj) Expect(file, Key("weight_hr", l, d), [projSize, hidden], dtypes);
            }

        Nonlinearity? stated = kind == CellKind.Rnn ? StatedNonlinearity(file) : null;
        CheckStatedCell(file, kind);
        if (stated == Nonlinearity.ModRelu)
            for (int l = 0; l < layers; l++)
                for (int d = 0; d < directions; d++)
                {
                    string key = Key(ModReluBiasParameter, l, d);
                    if (!file.Names.Contains(key)) throw new InvalidDataException($"{f}: {key} is missing (the metadata says modReLU, whose bias it is)");
                    Expect(file, key, [hidden], dtypes);
                }
        return new RecurrentModule(name, kind, input, hidden, layers, directions, bias, projSize, string.Join("+", dtypes), cellStyle, stated);
    }

    /// <summary>
    /// The file's <c>nonlinearity</c> metadata, or RnnLab's <c>cell</c> entry (relu, tanh, exprnn, exprnn-tanh), null
    /// when neither says. An expRNN's weight_hh_l0 is exp(A) itself, so one trained with tanh is the tanh RNN it reads
    /// as, and one with modReLU an RNN with modReLU (its bias in <c>modrelu_bias_l0</c>).
    /// </summary>
    static Nonlinearity? StatedNonlinearity(SafeTensorsFile file)
    {
        Nonlinearity? result = null;
        if (file.Metadata.TryGetValue(StoredModel.CellKey, out string? cellText) && CellKinds.TryParse(cellText, out var k, out var nl)
            && k is CellKind.Rnn or CellKind.ExpRnn && !string.Equals(cellText.Trim(), "rnn", StringComparison.OrdinalIgnoreCase))
            result = nl;
        if (file.Metadata.TryGetValue(NonlinearityKey, out string? text))
            result = text.Trim().ToLowerInvariant() switch
            {
                "tanh" => Nonlinearity.Tanh,
                "relu" => Nonlinearity.Relu,
                "modrelu" => Nonlinearity.ModRelu,
                _ => throw new InvalidDataException($"{file.FileName}: metadata nonlinearity '{text}' is not tanh, relu or modrelu"),
            };
        return result;
    }

    /// <summary>RnnLab's own <c>cell</c> metadata, when present, must name the cell the shapes show (an expRNN reads as an RNN).</summary>
    static void CheckStatedCell(SafeTensorsFile file, CellKind kind)
    {
        if (!file.Metadata.TryGetValue(StoredModel.CellKey, out string? text)) return;
        if (!CellKinds.TryParse(text, out var stated, out _)) throw new InvalidDataException($"{file.FileName}: metadata cell '{text}' is not rnn, tanh, relu, lstm, gru, exprnn or exprnn-tanh");
        if (stated == CellKind.ExpRnn) stated = CellKind.Rnn;
        if (stated != kind) throw new InvalidDataException($"{file.FileName}: metadata says cell {stated.Name()} but the weights are a {kind.Name()}");
    }

    static int[] Shape(SafeTensorsFile file, string key) =>
        file.Unreadable.FirstOrDefault(u => u.Name == key) is { } u ? u.Shape : file[key].Shape;

    static void Expect(SafeTensorsFile file, string key, int[] shape, SortedSet<string> dtypes)
    {
        var t = file[key];   // an unreadable dtype in the module fails here, naming the tensor
        if (!t.Shape.AsSpan().SequenceEqual(shape))
            throw new InvalidDataException($"{file.FileName}: {key} has shape {t.ShapeText}, expected {Text(shape)}");
        if (t.DType is not (SafeTensorDType.F64 or SafeTensorDType.F32 or SafeTensorDType.F16 or SafeTensorDType.BF16))
            throw new InvalidDataException($"{file.FileName}: {key} is {t.DType}, not a floating-point tensor");
        dtypes.Add(t.DType.ToString());
    }

    static string Text(int[] shape) => "[" + string.Join(", ", shape) + "]";
}
