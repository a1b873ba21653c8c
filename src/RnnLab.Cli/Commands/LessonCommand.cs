using System.CommandLine;
using RnnLab.Lesson;
using RnnLab.Training;
using Spectre.Console;

namespace RnnLab.Cli.Commands;

/// <summary>`rnnlab lesson`: every experiment and the analysis, written as DIR/index.html and DIR/results.json.</summary>
public static class LessonCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "Folder for index.html and results.json.", Required = true };
        var preset = ExperimentCommand.PresetOption();
        var threads = new Option<int>("--threads")
        {
            Description = "Training runs at once, each on one thread (default: the cores this process may use and its scheduler granted; results do not depend on it).",
            DefaultValueFactory = _ => Scheduler.GrantedCpus(),
        };
        var json = CommonOptions.Json();
        var quiet = CommonOptions.Quiet();
        var command = new Command("lesson", "Run every experiment and the analysis, and write the lesson as one self-contained page with its measurements.")
        {
            outDir, preset, threads, json, quiet,
        };
        command.SetAction(parse =>
        {
            string folder = parse.GetValue(outDir)!;
            var p = Presets.Parse(parse.GetValue(preset)!);
            int n = CommonOptions.RequirePositive(parse.GetValue(threads), "--threads");
            bool asJson = parse.GetValue(json);
            OutputPaths.PrepareFolder(folder, "--out");
            LessonResults lesson;
            try
            {
                lesson = RunWithProgress(folder, p, n, ProgressLine.For(parse));
            }
            catch (SweepInterruptedException e)
            {
                throw new WorkInterruptedException($"{e.Finished} of {e.Total} training runs saved in {Path.Combine(folder, FinishedPoints.Folder)}");
            }
            if (asJson)
            {
                JsonEnvelope.Write(parse, new
                {
                    lesson.Preset, lesson.Threads, lesson.ResumedPoints, lesson.Seconds, lesson.TrainingSeconds, lesson.AnalysisSeconds, lesson.SecondsByPart,
                    Index = Path.Combine(folder, LessonReport.IndexFile), Results = Path.Combine(folder, LessonReport.ResultsFile), lesson.Findings,
                }, new Dictionary<string, object?> { ["preset"] = p.Name() });
                return 0;
            }
            var table = new Table().AddColumns("part", "verdict", "claim and measurement");
            foreach (var f in lesson.Findings) table.AddRow(Markup.Escape(f.Part), f.Verdict, Markup.Escape($"{f.Claim}\n{f.Evidence}"));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine(Markup.Escape($"{lesson.Seconds:F1} s (analysis {lesson.AnalysisSeconds:F1} s, training {lesson.TrainingSeconds:F1} s on {lesson.Threads} threads) → {Path.Combine(folder, LessonReport.IndexFile)}"));
            return 0;
        });
        return command;
    }

    static LessonResults RunWithProgress(string folder, Preset preset, int threads, ProgressLine progress)
    {
        using (progress)
            return LessonReport.Run(folder, preset, threads, pr => progress.Report(pr.Done, Math.Max(1, pr.Total), $"lesson ({preset.Name()}) {pr.Phase}: {pr.Detail}"), Cli.Interrupted);
    }
}
