using System.CommandLine;
using RnnLab.Analysis;
using RnnLab.Models;

namespace RnnLab.Cli.Commands;

/// <summary>
/// The network an analysis verb looks at: generated (--cell, --hidden, --input, --init, --rho, --seed) or loaded
/// from a PyTorch state dict (--model). Shared by `rnnlab flow` and `rnnlab spectrum` so both read the same network.
/// </summary>
public sealed class NetworkOptions
{
    public Option<string?> Cell { get; } = new("--cell") { Description = "rnn (tanh), relu, lstm or gru (default rnn; with --model, checked against the file)." };
    public Option<int> Hidden { get; } = CommonOptions.Positive("--hidden", "Hidden size H of a generated network.", 64);
    public Option<int> Input { get; } = CommonOptions.Positive("--input", "Input size I of a generated network.", 8);
    public Option<string> Init { get; } = new("--init") { Description = "pytorch, xavier, orthogonal or identity.", DefaultValueFactory = _ => "pytorch" };
    public Option<double?> Rho { get; } = new("--rho") { Description = "Rescale W_hh (each gate block) to this spectral radius." };
    public Option<string?> Model { get; } = new("--model") { Description = "A PyTorch state dict (.safetensors) of torch.nn.RNN/LSTM/GRU instead of a generated network." };
    public Option<ulong> Seed { get; } = CommonOptions.Seed();

    public void AddTo(Command command)
    {
        foreach (Option o in new Option[] { Cell, Hidden, Input, Init, Rho, Model, Seed }) command.Options.Add(o);
    }

    /// <summary>The loaded or generated layer, float64; <paramref name="rho"/> overrides --rho (for --compare-rho).</summary>
    public RecurrentLayer<double> Build(ParseResult parse, double? rho = null)
    {
        string? cellText = parse.GetValue(Cell);
        var cell = cellText is null ? ((CellKind, Nonlinearity)?)null : CommonOptions.ParseCell(cellText);
        if (parse.GetValue(Model) is string path)
        {
            if (rho is not null) throw new UsageException("--compare-rho generates its networks: leave out --model");
            return AnalysisNetwork.Load(path, cell?.Item1);
        }
        return AnalysisNetwork.Generate(cell?.Item1 ?? CellKind.Rnn, parse.GetValue(Input), parse.GetValue(Hidden),
            Initializers.Parse(parse.GetValue(Init)!), rho ?? parse.GetValue(Rho), parse.GetValue(Seed), cell?.Item2 ?? Nonlinearity.Tanh);
    }
}
