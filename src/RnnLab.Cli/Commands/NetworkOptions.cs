using System.CommandLine;
using RnnLab.Analysis;
using RnnLab.Models;

namespace RnnLab.Cli.Commands;

/// <summary>
/// The network an analysis verb looks at: generated (--cell, --hidden, --input, --init, --rho, --seed) or loaded
/// from a PyTorch checkpoint (--model, --module). Shared by `rnnlab flow`, `rnnlab spectrum` and `rnnlab forward`
/// so they read the same network.
/// </summary>
public sealed class NetworkOptions
{
    public Option<string?> Cell { get; } = new("--cell") { Description = "rnn (tanh), relu, lstm or gru (default rnn; with --model, checked against the file; for a G = 1 file without nonlinearity metadata it chooses tanh or relu)." };
    public Option<int> Hidden { get; } = CommonOptions.Positive("--hidden", "Hidden size H of a generated network.", 64);
    public Option<int> Input { get; } = CommonOptions.Positive("--input", "Input size I of a generated network.", AnalysisNetwork.DefaultInputSize);
    public Option<string> Init { get; } = new("--init") { Description = "pytorch, xavier, orthogonal or identity.", DefaultValueFactory = _ => "pytorch" };
    public Option<double?> Rho { get; } = new("--rho") { Description = "Rescale W_hh (each gate block) to this spectral radius." };
    public Option<string?> Model { get; } = new("--model") { Description = "A PyTorch checkpoint (.safetensors) holding torch.nn.RNN/LSTM/GRU weights (any layers, directions, bias, proj_size) instead of a generated network." };
    public Option<string?> Module { get; } = new("--module") { Description = "With --model: the recurrent module to read, by its path in the state dict (rnn, module.encoder.rnn); needed when the file holds several (rnnlab inspect lists them)." };
    public Option<ulong> Seed { get; } = CommonOptions.Seed();

    /// <summary>Options that describe a generated network, so they cannot apply to --model.</summary>
    Option[] GeneratorOnly => [Hidden, Input, Init, Rho];

    /// <summary>Their keys among a --json answer's parameters, which a --model answer leaves out.</summary>
    public static readonly string[] GeneratorOnlyKeys = ["hidden", "input", "init", "rho"];

    public void AddTo(Command command)
    {
        foreach (Option o in new Option[] { Cell, Hidden, Input, Init, Rho, Model, Module, Seed }) command.Options.Add(o);
    }

    /// <summary>--model's path, after checking that no option of a generated network came with it.</summary>
    public string? ModelPath(ParseResult parse)
    {
        string? path = parse.GetValue(Model);
        if (path is null)
        {
            if (parse.GetValue(Module) is not null) throw new UsageException("--module names a module of --model: give --model FILE too");
            return null;
        }
        foreach (var o in GeneratorOnly)
            if (parse.GetResult(o) is { Implicit: false })
                throw new UsageException($"{o.Name} describes a generated network and cannot apply to --model (the file gives the sizes and weights)");
        return path;
    }

    /// <summary>The --cell choice, parsed (null when not given).</summary>
    public (CellKind Kind, Nonlinearity Nonlinearity)? CellChoice(ParseResult parse) =>
        parse.GetValue(Cell) is string text ? CommonOptions.ParseCell(text) : null;

    /// <summary>The generated network's cell as every answer labels it (<see cref="CellKinds.Name(CellKind, Nonlinearity)"/>), rnn by default.</summary>
    public string CellName(ParseResult parse) => CellChoice(parse) is var (kind, nonlinearity) ? CellKinds.Name(kind, nonlinearity) : CellKinds.Name(CellKind.Rnn, Nonlinearity.Tanh);

    /// <summary>The module of --model (with --module and --cell checked against the file).</summary>
    public AnalysisNetwork.LoadedModule LoadModule(ParseResult parse) =>
        AnalysisNetwork.LoadModule(ModelPath(parse) ?? throw new UsageException("--model FILE is required"), parse.GetValue(Module), CellChoice(parse));

    /// <summary>A generated float64 layer; <paramref name="rho"/> overrides --rho (for --compare-rho).</summary>
    public RecurrentLayer<double> Generate(ParseResult parse, double? rho = null)
    {
        var cell = CellChoice(parse);
        return AnalysisNetwork.Generate(cell?.Kind ?? CellKind.Rnn, parse.GetValue(Input), parse.GetValue(Hidden),
            Initializers.Parse(parse.GetValue(Init)!), rho ?? parse.GetValue(Rho), parse.GetValue(Seed), cell?.Nonlinearity ?? Nonlinearity.Tanh);
    }

    /// <summary>What --model echoes in JSON: the module as read and where its nonlinearity came from.</summary>
    public static Dictionary<string, object?> Describe(AnalysisNetwork.LoadedModule loaded)
    {
        var m = loaded.Weights.Module;
        var o = new Dictionary<string, object?>
        {
            ["model"] = loaded.FileName,
            ["module"] = m.Name,
            ["cell"] = CellKinds.Name(m.Kind, loaded.Weights.Nonlinearity),
            ["nonlinearity"] = m.Kind == CellKind.Rnn ? Checkpoint.Name(loaded.Weights.Nonlinearity) : null,
            ["nonlinearity_source"] = m.Kind == CellKind.Rnn ? Checkpoint.Name(loaded.NonlinearitySource) : null,
            ["input_size"] = m.InputSize,
            ["hidden_size"] = m.HiddenSize,
            ["num_layers"] = m.Layers,
            ["bidirectional"] = m.Bidirectional,
            ["bias"] = m.UsesBias,
            ["modrelu_bias"] = m.ModReluBias ? true : null,
            ["proj_size"] = m.ProjSize,
            ["dtype"] = m.DType,
        };
        foreach (var key in o.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList()) o.Remove(key);
        return o;
    }

    /// <summary>
    /// Checks the network options before any work: options a loaded model would ignore are refused (as
    /// <see cref="ModelPath"/> does), the model file exists, names are known. Returns the cell and the weights' size
    /// (gates G, H, I) of a generated network for the caller's memory estimate; null for --model, whose sizes are
    /// known only once it is read (its reading is bounded by the file's size).
    /// </summary>
    public (CellKind Kind, int Gates, int Hidden, int Input)? Plan(ParseResult parse, bool generatesNetworks = false)
    {
        var cell = CellChoice(parse);
        if (ModelPath(parse) is string path)
        {
            if (generatesNetworks) throw new UsageException("--compare-rho generates its networks: leave out --model");
            if (Directory.Exists(path)) throw new UsageException($"--model {path} is a folder, not a .safetensors file");
            if (!File.Exists(path)) throw new UsageException($"--model {path}: no such file");
            return null;
        }
        Initializers.Parse(parse.GetValue(Init)!);
        var kind = cell?.Kind ?? CellKind.Rnn;
        return (kind, kind.Gates(), parse.GetValue(Hidden), parse.GetValue(Input));
    }

    /// <summary>The weights of a generated network, for <see cref="MemoryPlan.Check"/>.</summary>
    public static MemoryPlan.Need[] Weights(int gates, int hidden, int input) =>
    [
        new("W_hh", $"--hidden {hidden}", (double)gates * hidden * hidden),
        new("W_ih", $"--hidden {hidden} --input {input}", (double)gates * hidden * input),
    ];
}
