using RnnLab.Models;

namespace RnnLab.Analysis;

/// <summary>
/// A whole recurrent module in float64 for analysis: one <see cref="CellWeights"/> per layer and direction, in
/// PyTorch's order (l0, l0_reverse, l1, …). Read from a checkpoint (any of PyTorch's shapes; F16, BF16, F32 and F64
/// widened exactly; no biases read as zero biases) or wrapped around one generated layer.
/// </summary>
public sealed class ModuleWeights
{
    public RecurrentModule Module { get; }
    public Nonlinearity Nonlinearity { get; }
    /// <summary>Index layer·D + direction.</summary>
    public IReadOnlyList<CellWeights> Cells { get; }

    public int Layers => Module.Layers;
    public int Directions => Module.Directions;
    public int InputSize => Module.InputSize;
    public int HiddenSize => Module.HiddenSize;
    public int OutputSize => Module.OutputSize;
    public CellKind Kind => Module.Kind;

    public ModuleWeights(RecurrentModule module, Nonlinearity nonlinearity, IReadOnlyList<CellWeights> cells)
    {
        if (cells.Count != module.Layers * module.Directions)
            throw new ArgumentException($"a module of {module.Layers} layers and {module.Directions} directions needs {module.Layers * module.Directions} cells, got {cells.Count}");
        Module = module;
        Nonlinearity = nonlinearity;
        Cells = cells;
    }

    public CellWeights Cell(int layer, int direction) => Cells[layer * Directions + direction];

    /// <summary>The module's tensors from the file, by PyTorch's names; shapes were checked by <see cref="Checkpoint.Inspect"/>.</summary>
    public static ModuleWeights Load(SafeTensorsFile file, RecurrentModule module, Nonlinearity nonlinearity)
    {
        var cells = new List<CellWeights>();
        for (int l = 0; l < module.Layers; l++)
            for (int d = 0; d < module.Directions; d++)
            {
                double[] Read(string p)
                {
                    var t = file[module.Key(p, l, d)];
                    Numerics.Validate.Finite<double>(t.Data, $"{file.FileName}: {t.Name}", t.Shape);
                    return (double[])t.Data.Clone();
                }
                // bias=False: zero biases. modReLU (expRNN): z has no biases, as in the engine, which neither reads nor trains them.
                bool biases = RecurrentModule.ReadsBiases(module.Bias, nonlinearity);
                cells.Add(new CellWeights(module.Kind, module.LayerInputSize(l), module.HiddenSize, nonlinearity,
                    Read("weight_ih"), Read("weight_hh"),
                    biases ? Read("bias_ih") : null, biases ? Read("bias_hh") : null,
                    module.ProjSize, module.ProjSize > 0 ? Read("weight_hr") : null,
                    nonlinearity == Nonlinearity.ModRelu ? Read(Checkpoint.ModReluBiasParameter) : null));
            }
        return new ModuleWeights(module, nonlinearity, cells);
    }

    /// <summary>One layer, one direction (a generated network) as a module.</summary>
    public static ModuleWeights Single(CellWeights cell)
    {
        var module = new RecurrentModule("", cell.Kind, cell.InputSize, cell.HiddenSize, 1, 1, true, cell.ProjSize, "F64", false,
            cell.Kind == CellKind.Rnn ? cell.Nonlinearity : null);
        return new ModuleWeights(module, cell.Nonlinearity, [cell]);
    }
}
