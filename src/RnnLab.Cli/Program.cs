using System.CommandLine;
using RnnLab.Cli.Commands;

namespace RnnLab.Cli;

/// <summary>
/// The `rnnlab` command: each verb is a thin function over the RnnLab library, registered here in the order a
/// reader meets them in the lesson. Errors in user input exit with code 2 and one line on stderr (<see cref="Cli.Run"/>).
/// </summary>
public static class Program
{
    public static RootCommand Commands()
    {
        var root = new RootCommand("RnnLab: gradient flow through time in recurrent networks (tanh RNN, LSTM, GRU).");
        root.Subcommands.Add(TrainCommand.Create());      // one run on a long-range task, with its run folder
        root.Subcommands.Add(BenchCommand.Create());      // training steps per second, comparable with PyTorch
        return root;
    }

    public static int Main(string[] args) => Cli.Run(Commands(), args);
}
