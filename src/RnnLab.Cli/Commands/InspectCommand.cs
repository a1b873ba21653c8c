using System.CommandLine;
using RnnLab.Analysis;
using RnnLab.Models;
using Spectre.Console;

namespace RnnLab.Cli.Commands;

/// <summary>`rnnlab inspect FILE.safetensors`: the recurrent modules a checkpoint holds, and its other tensors.</summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "A safetensors checkpoint (a PyTorch state dict, a whole model's, or one RnnLab wrote)." };
        var json = CommonOptions.Json();
        var command = new Command("inspect", "List every recurrent module in a checkpoint (its path, cell, sizes, layers, directions, bias, proj_size, dtype) and the other tensors.")
        {
            file, json,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            AnalysisNetwork.RequireFile(path);
            var st = SafeTensors.Read(path);
            var contents = Checkpoint.Inspect(st);
            if (parse.GetValue(json))
            {
                JsonEnvelope.Write(parse, new
                {
                    file = contents.FileName,
                    modules = contents.Modules.Select(m => new
                    {
                        name = m.Name, cell = Cell(m), input_size = m.InputSize, hidden_size = m.HiddenSize, num_layers = m.Layers,
                        bidirectional = m.Bidirectional, bias = m.UsesBias, modrelu_bias = m.ModReluBias ? true : (bool?)null,
                        ignored_tensors = m.IgnoredTensors.Count > 0 ? m.IgnoredTensors : null,
                        proj_size = m.ProjSize, dtype = m.DType, cell_keys = m.CellStyle,
                        nonlinearity = m.Kind == CellKind.Rnn ? (m.StatedNonlinearity is Nonlinearity n ? Checkpoint.Name(n) : null) : null,
                        nonlinearity_source = m.Kind == CellKind.Rnn ? (m.StatedNonlinearity is null ? "not stated (tanh assumed unless --cell relu)" : "metadata") : null,
                        layers = m.LayerShapes.Select(l => new
                        {
                            name = l.Name, layer = l.Layer, direction = l.Direction == 0 ? "forward" : "reverse",
                            input_size = l.InputSize, hidden_size = l.HiddenSize, output_size = l.OutputSize,
                        }),
                    }),
                    other_tensors = contents.OtherTensors.Select(t => new { name = t.Name, dtype = t.DType, shape = t.Shape }),
                    metadata = st.Metadata,
                });
                return 0;
            }
            var table = new Table().AddColumns("module", "cell", "input", "hidden", "layers", "directions", "bias", "proj_size", "dtype");
            foreach (var m in contents.Modules)
                table.AddRow(Markup.Escape(m.DisplayName), (m.Kind == CellKind.Rnn && m.StatedNonlinearity is null ? "rnn (tanh or relu: not stated)" : CellKinds.Label(m.Kind, m.StatedNonlinearity ?? Nonlinearity.Tanh)) + (m.CellStyle ? " (cell)" : ""),
                    $"{m.InputSize}", $"{m.HiddenSize}", $"{m.Layers}", $"{m.Directions}", Markup.Escape(m.BiasText), $"{m.ProjSize}", m.DType);
            AnsiConsole.WriteLine($"{contents.FileName}: {contents.Modules.Count} recurrent module(s)");
            AnsiConsole.Write(table);
            if (contents.OtherTensors.Count > 0)
            {
                var others = new Table().AddColumns("other tensor", "dtype", "shape");
                foreach (var t in contents.OtherTensors) others.AddRow(Markup.Escape(t.Name), t.DType, Markup.Escape("[" + string.Join(", ", t.Shape) + "]"));
                AnsiConsole.Write(others);
            }
            return 0;
        });
        return command;
    }

    /// <summary>The module's cell as every other verb labels it; an RNN whose file does not state its nonlinearity is "rnn", the tanh RNN the analysis assumes.</summary>
    static string Cell(RecurrentModule m) => CellKinds.Name(m.Kind, m.StatedNonlinearity ?? Nonlinearity.Tanh);
}
