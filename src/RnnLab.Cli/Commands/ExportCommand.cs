using System.CommandLine;
using RnnLab.Training;

namespace RnnLab.Cli.Commands;

/// <summary>`rnnlab export RUN_DIR --out FILE.safetensors`: a run's recurrent module as a PyTorch state dict (see <see cref="ModelExport"/>).</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "A run folder (rnnlab train --out, or one run of an experiment)." };
        var output = new Option<string>("--out") { Description = "The .safetensors file to write.", Required = true };
        var head = new Option<bool>("--with-head") { Description = "Also write the readout, as fc.weight and fc.bias." };
        var command = new Command("export", "Write a run's recurrent module as the state dict torch.nn.RNN/LSTM/GRU(...).load_state_dict(..., strict=True) accepts (the file every run folder holds as model.safetensors).")
        {
            run, output, head,
        };
        command.SetAction(parse =>
        {
            string outPath = parse.GetValue(output)!;
            if (!outPath.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"--out {outPath}: the file must end in .safetensors");
            OutputPaths.CheckFile(outPath, "--out");
            ModelExport.FromRun(parse.GetValue(run)!, outPath, parse.GetValue(head));
            return 0;
        });
        return command;
    }
}
