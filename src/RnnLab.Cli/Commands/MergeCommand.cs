using System.CommandLine;
using RnnLab.Lesson;
using RnnLab.Training;

namespace RnnLab.Cli.Commands;

/// <summary>`rnnlab merge DIR...`: combine the shard results of one experiment into results.json and report.html.</summary>
public static class MergeCommand
{
    public static Command Create()
    {
        var dirs = new Argument<string[]>("dirs") { Description = "Folders holding the shards' results.shard-I-of-N.json (or those files).", Arity = ArgumentArity.OneOrMore };
        var outDir = new Option<string?>("--out") { Description = "Folder for the merged results.json and report.html (default: the first folder)." };
        var json = CommonOptions.Json();
        var command = new Command("merge", "Combine shard results (rnnlab experiment --shard i/n) into one results file and report.") { dirs, outDir, json };
        command.SetAction(parse =>
        {
            var paths = parse.GetValue(dirs)!;
            var files = Sweep.FindResultsFiles(paths);
            var parts = files.Select(f => (f, Sweep.ReadResults(f))).ToArray();
            Sweep.CheckShards(parts);
            var merged = ExperimentCatalog.Merge([.. parts.Select(p => p.Item2)]);
            string folder = parse.GetValue(outDir) ?? (Directory.Exists(paths[0]) ? paths[0] : Path.GetDirectoryName(Path.GetFullPath(paths[0]))!);
            OutputPaths.PrepareFolder(folder, "--out");
            ExperimentFolder.Write(folder, merged);
            ExperimentCommand.Report(parse, parse.GetValue(json), folder, merged, new Dictionary<string, object?> { ["out"] = folder });
            return 0;
        });
        return command;
    }
}
