using System.CommandLine;
using RnnLab.Lesson;
using RnnLab.Analysis;
using Spectre.Console;

namespace RnnLab.Cli.Commands;

/// <summary>`rnnlab table`: ρ^(T−1) for lists of ρ and T, and every decay number the lesson prints, checked.</summary>
public static class TableCommand
{
    public static Command Create()
    {
        var rhos = new Option<string>("--rho") { Description = "Comma-separated spectral radii ρ.", DefaultValueFactory = _ => "0.9,0.8,0.7" };
        var lengths = new Option<string>("--seq") { Description = "Comma-separated sequence lengths T.", DefaultValueFactory = _ => "10,30,100" };
        var plot = PlotFile.Option();
        var json = CommonOptions.Json();
        var command = new Command("table", "The decay table ρ^(T−1), and the lesson's printed numbers with a verdict for each.") { rhos, lengths, plot, json };
        command.SetAction(parse =>
        {
            double[] r = CommonOptions.PositiveNumbers(parse.GetValue(rhos)!, "--rho");
            int[] t = CommonOptions.PositiveIntegers(parse.GetValue(lengths)!, "--seq");
            MemoryPlan.Check(parse, new MemoryPlan.Need("the table", $"--rho and --seq with {r.Length} × {t.Length} entries", 8.0 * r.Length * t.Length));
            string? plotPath = parse.GetValue(plot);
            PlotFile.CheckPath(plotPath);
            var entries = DecayTable.Compute(r, t);
            var lesson = PrintedDecayTable.CheckLesson();
            PlotFile.Write(() => Plots.DecayCurves(r, t.Max()), plotPath);
            if (parse.GetValue(json)) { JsonEnvelope.Write(parse, new { table = entries, lesson }, new Dictionary<string, object?> { ["rho"] = r, ["seq"] = t }); return 0; }
            var table = new Table().AddColumn("T");
            foreach (double rho in r) table.AddColumn($"ρ = {Numbers.Exact(rho)}");
            foreach (int len in t)
                table.AddRow([$"{len}", .. r.Select(rho => $"{Numbers.G(entries.First(e => e.Rho == rho && e.T == len).Value, 3)}")]);
            AnsiConsole.MarkupLine("ρ^(T−1):");
            AnsiConsole.Write(table);
            var checks = new Table().AddColumns("lesson's number", "printed", "formula", "formula gives", "verdict (ρ^(T−1) for the table)");
            foreach (var c in lesson)
                checks.AddRow(Markup.Escape(c.Claim), Markup.Escape(c.Printed), Markup.Escape(c.Formula), $"{Numbers.G(c.FormulaValue, 3)}",
                    Markup.Escape(c.Note));
            AnsiConsole.Write(checks);
            return 0;
        });
        return command;
    }
}
