using System.CommandLine;
using RnnLab.Lesson;
using RnnLab.Analysis;
using Spectre.Console;

namespace RnnLab.Cli.Commands;

/// <summary>`rnnlab depth`: gradient norms through a deep tanh MLP (plain and residual) beside a tanh RNN over as many steps.</summary>
public static class DepthCommand
{
    public static Command Create()
    {
        var d = new DepthOptions();
        var width = CommonOptions.Positive("--width", "Width of every layer and hidden size of the RNN.", d.Width);
        var depths = new Option<string>("--depths") { Description = "Comma-separated depths L (layers = steps).", DefaultValueFactory = _ => string.Join(",", d.Depths) };
        var gain = new Option<double>("--gain") { Description = "Weights N(0, gain²/width); 1 puts the spectral radius near 1.", DefaultValueFactory = _ => d.Gain };
        var inputScale = new Option<double>("--rnn-input-scale") { Description = "Std of the RNN's per-step inputs; 0 runs it free from h_0.", DefaultValueFactory = _ => d.RnnInputScale };
        var seed = CommonOptions.Seed();
        var plot = PlotFile.Option();
        var json = CommonOptions.Json();
        var command = new Command("depth", "Feedforward depth versus time depth: ‖∂L/∂x_l‖ through L layers (with and without residual connections) and L recurrent steps.")
        {
            width, depths, gain, inputScale, seed, plot, json,
        };
        command.SetAction(parse =>
        {
            int[] ls = CommonOptions.PositiveIntegers(parse.GetValue(depths)!, "--depths");
            double g = parse.GetValue(gain), s = parse.GetValue(inputScale);
            if (!(g > 0 && double.IsFinite(g))) throw new UsageException($"--gain must be a positive number, got {g}");
            if (!(s >= 0 && double.IsFinite(s))) throw new UsageException($"--rnn-input-scale must be zero or positive, got {s}");
            double n = parse.GetValue(width), deepest = ls.Max(), layers = ls.Sum(l => (double)l);
            // each depth builds a plain and a residual MLP (one n×n matrix per layer) and an RNN over as many steps
            MemoryPlan.Check(parse,
                new MemoryPlan.Need("one layer's weights", $"--width {n}", n * n),
                new MemoryPlan.Need("the MLPs' weights", $"--width {n} --depths {parse.GetValue(depths)}", 2 * deepest * n * n + 4 * deepest * n),
                new MemoryPlan.Need("the gradient curves", $"--depths {parse.GetValue(depths)}", 3 * layers + 2 * deepest * n));
            string? plotPath = parse.GetValue(plot);
            PlotFile.CheckPath(plotPath);
            var curves = DepthComparison.Run(new DepthOptions { Width = parse.GetValue(width), Depths = ls, Gain = g, RnnInputScale = s, Seed = parse.GetValue(seed) });
            PlotFile.Write(() => Plots.DepthComparison(curves), plotPath);
            if (parse.GetValue(json)) { JsonEnvelope.Write(parse, new { curves }, new Dictionary<string, object?> { ["depths"] = ls }); return 0; }
            var table = new Table().AddColumns("network", "depth L", "‖∂L/∂x‖ at the output", "at the input (L back)", "ratio input/output");
            foreach (var c in curves)
                table.AddRow(c.Label, $"{c.Depth}", $"{Numbers.G(c.GradientNorm[^1], 3)}", $"{Numbers.G(c.GradientNorm[0], 3)}", $"{Numbers.G(c.GradientNorm[0] / c.GradientNorm[^1], 3)}");
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
