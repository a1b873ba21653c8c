using System.CommandLine;
using RnnLab.Training;
using Spectre.Console;

namespace RnnLab.Cli.Commands;

/// <summary>`rnnlab bench`: training steps per second on random data, the work bench/torch_baseline.py times in PyTorch.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var cell = CommonOptions.Cell();
        var hidden = CommonOptions.Positive("--hidden", "Hidden size H.", 128);
        var seq = CommonOptions.Positive("--seq", "Sequence length T.", 200);
        var batch = CommonOptions.Positive("--batch", "Batch size B.", 32);
        var input = CommonOptions.Positive("--input", "Input size I.", 2);
        var steps = CommonOptions.Positive("--steps", "Timed training steps (after 3 warm-up steps).", 20);
        var layers = CommonOptions.Layers();
        var bidirectional = CommonOptions.Bidirectional();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var quiet = CommonOptions.Quiet();
        var command = new Command("bench", "Time training steps (forward, MSE on a readout of output[T−1], full BPTT, clip by global norm 1.0, Adam) on random inputs.")
        {
            cell, hidden, seq, batch, input, layers, bidirectional, steps, threads, json, quiet,
        };
        command.SetAction(parse =>
        {
            var config = new BenchConfig(parse.GetValue(cell)!, parse.GetValue(hidden), parse.GetValue(seq), parse.GetValue(batch),
                parse.GetValue(input), parse.GetValue(steps), parse.GetValue(threads), Layers: parse.GetValue(layers), Bidirectional: parse.GetValue(bidirectional));
            var (kind, _) = CommonOptions.ParseCell(config.Cell);
            MemoryPlan.Check(parse, MemoryPlan.TrainingStep(kind, config.Hidden, config.Input, config.Seq, config.Batch,
                $"--seq {config.Seq} --batch {config.Batch}", config.Layers, config.Bidirectional));
            BenchResult result;
            using (var progress = ProgressLine.For(parse))
                result = TrainBenchmark.Run(config, done => progress.Report(done, config.Steps, () => $"{config.Cell} H={config.Hidden} T={config.Seq} B={config.Batch}: step {done}"));
            if (parse.GetValue(json)) { JsonEnvelope.Write(parse, result); return 0; }
            var table = new Table().AddColumns("cell", "H", "T", "B", "I", "layers", "directions", "threads", "steps/s", "forward ms", "backward ms", "update ms");
            table.AddRow(result.Cell, $"{result.Hidden}", $"{result.Seq}", $"{result.Batch}", $"{result.Input}", $"{result.Layers}", result.Bidirectional ? "2" : "1", $"{result.Threads}",
                $"{result.StepsPerS:F2}", $"{result.ForwardMs:F2}", $"{result.BackwardMs:F2}", $"{result.UpdateMs:F2}");
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
