using RnnLab.Training;

namespace RnnLab.Lesson;

/// <summary>An experiment's output folder: its results file (whole or a shard's) and, for a whole grid, its report.</summary>
public static class ExperimentFolder
{
    public const string ReportFile = "report.html";

    /// <summary>Writes results.json (or the shard's file) into <paramref name="outDir"/>, and report.html when the grid is whole.</summary>
    public static void Write(string outDir, ExperimentResults results)
    {
        Directory.CreateDirectory(outDir);
        var shard = Shard.Parse(results.Shard);
        Sweep.WriteResults(Path.Combine(outDir, Sweep.ResultsFileName(shard)), results);
        if (shard.IsWhole)
        {
            var experiment = ExperimentCatalog.Get(results.Experiment);
            var section = experiment.Report(results.Points);
            Html.WritePage(Path.Combine(outDir, ReportFile), $"{experiment.Title} ({results.Preset})",
                Html.Intro(experiment, results) + section.Body);
        }
    }
}
