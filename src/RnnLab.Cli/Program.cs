using System.CommandLine;
using RnnLab.Cli.Commands;

namespace RnnLab.Cli;

/// <summary>
/// The `rnnlab` command: each verb is a thin function over the RnnLab library, registered here in the order a
/// reader meets them in the lesson. Errors in user input exit with code 2 and one line on stderr (<see cref="Cli.Run"/>).
/// </summary>
public static class Program
{
    public static Command Commands()
    {
        // A root named after the command users type, not after the assembly (RnnLab.Cli.dll), so --help says "rnnlab".
        var root = new Command("rnnlab", "RnnLab: gradient flow through time in recurrent networks (tanh RNN, LSTM, GRU).")
        {
            new System.CommandLine.Help.HelpOption(), new VersionOption(), MemoryPlan.MaxMemory,
        };
        root.Subcommands.Add(SpectrumCommand.Create());   // eigenvalues of W_hh; the 2×2 refresher (--refresher)
        root.Subcommands.Add(TableCommand.Create());      // ρ^(T−1) and the lesson's printed numbers, checked
        root.Subcommands.Add(FlowCommand.Create());       // ‖∂h_T/∂h_{T−k}‖ over k, ρ, Lyapunov exponents, horizon
        root.Subcommands.Add(InspectCommand.Create());    // the recurrent modules a checkpoint holds
        root.Subcommands.Add(ForwardCommand.Create());    // PyTorch's output, h_n, c_n of a checkpoint's module
        root.Subcommands.Add(DepthCommand.Create());      // feedforward layers versus recurrent steps
        root.Subcommands.Add(DistanceCommand.Create());   // subject-to-verb distance on the lesson's sentence
        root.Subcommands.Add(TrainCommand.Create());      // one run on a long-range task, with its run folder
        root.Subcommands.Add(ExportCommand.Create());     // a run's recurrent module as a PyTorch state dict
        root.Subcommands.Add(ExperimentCommand.Create()); // a named experiment grid, or one shard of it, with its report
        root.Subcommands.Add(MergeCommand.Create());      // shard results of a sweep → one results.json and report
        root.Subcommands.Add(LessonCommand.Create());     // every experiment and analysis, as one page walking the lesson
        root.Subcommands.Add(BenchCommand.Create());      // training steps per second, comparable with PyTorch
        root.Subcommands.Add(ServeCommand.Create());      // the interactive lesson in the browser
        return root;
    }

    public static int Main(string[] args)
    {
        // Every verb's kernels use the cores this process may use (and its scheduler granted) unless its --threads says otherwise.
        Numerics.Parallelism.Threads = Scheduler.GrantedCpus();
        Signals.Install();
        Console.SetOut(new OutputGuard(Console.Out));   // before Spectre.Console takes hold of Console.Out
        // Spectre.Console assumes 80 columns when standard output is piped: tables fit the terminal, or COLUMNS when
        // piped (Terminal.Columns).
        Spectre.Console.AnsiConsole.Profile.Width = Terminal.OutputColumns();
        return Cli.Run(Commands(), args);
    }
}
