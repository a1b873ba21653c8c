using RnnLab.Training;

namespace RnnLab.Lesson;

/// <summary>An experiment's output folder: its results file (whole or a shard's) and, for a whole grid, its report.</summary>
public static class ExperimentFolder
{
    public const string ReportFile = "report.html";

    /// <summary>
    /// Writes results.json (or the shard's file) into <paramref name="outDir"/>, and report.html when the grid is whole;
    /// then the journal of these points (<see cref="FinishedPoints"/>) is no longer needed and goes.
    /// </summary>
    public static void Write(string outDir, ExperimentResults results)
    {
        Directory.CreateDirectory(outDir);
        var shard = Shard.Parse(results.Shard);
        Sweep.WriteResults(Path.Combine(outDir, Sweep.ResultsFileName(shard)), results);
        var experiment = ExperimentCatalog.Get(results.Experiment);
        if (shard.IsWhole)
        {
            var section = experiment.Report(results.Points);
            Html.WritePage(Path.Combine(outDir, ReportFile), $"{experiment.Title} ({results.Preset})",
                Html.Intro(experiment, results) + section.Body);
        }
        var preset = Presets.Parse(results.Preset);
        FinishedPoints.Remove([.. results.Points.Select(p => FinishedPoints.FileOf(outDir, experiment.Name, preset, p.Index)).Where(File.Exists)],
            shared: !shard.IsWhole);
    }

    /// <summary>
    /// Refuses, before any work, an output folder that holds another experiment's (or another preset's) results or
    /// unfinished points: writing there would mix two grids or replace the other's results.
    /// </summary>
    public static void CheckOwner(string outDir, string experiment, Preset preset, GridShape? shape = null)
    {
        shape ??= GridShape.One;
        if (File.Exists(outDir)) throw new InvalidInputException($"--out {outDir} is a file, not a folder");
        if (!Directory.Exists(outDir)) return;
        string mine = Sweep.Describe(new ExperimentResults { Experiment = experiment, Preset = preset.Name(), Shard = Shard.Whole.ToString(), Layers = shape.Layers, Bidirectional = shape.Bidirectional });
        foreach (string file in Directory.GetFiles(outDir, "results*.json").Order(StringComparer.Ordinal))
        {
            var held = Sweep.ReadResults(file);
            if (held.Experiment != experiment || held.Preset != preset.Name() || held.Shape != shape)
                throw new InvalidInputException($"{outDir} holds results of {Sweep.Describe(held)} ({Path.GetFileName(file)}): give {mine} another --out");
        }
        string journal = Path.Combine(outDir, FinishedPoints.Folder);
        string prefix = $"{experiment}-{preset.Name()}-";
        if (Directory.Exists(journal)
            && Directory.GetFiles(journal, "*.json").Select(Path.GetFileName).FirstOrDefault(f => !f!.StartsWith(prefix, StringComparison.Ordinal)) is string other)
            throw new InvalidInputException($"{outDir} holds unfinished points of another experiment or preset ({FinishedPoints.Folder}/{other}): give {mine} another --out");
    }
}
