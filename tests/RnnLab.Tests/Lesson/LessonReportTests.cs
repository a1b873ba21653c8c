using System.Text.Json;
using System.Text.RegularExpressions;
using RnnLab.Lesson;
using RnnLab.Training;

namespace RnnLab.Tests.Lesson;

/// <summary>The lesson page at the test preset: every chapter present, every plot an embedded PNG, results.json readable.</summary>
public sealed class LessonReportTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), $"rnnlab-lesson-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void TestPresetWritesASelfContainedPageWithEveryChapterAndPlot()
    {
        var lesson = LessonReport.Run(root, Preset.Test, threads: 2);
        string html = File.ReadAllText(Path.Combine(root, LessonReport.IndexFile));
        foreach (var (id, _) in LessonReport.Toc) Assert.Contains($"id=\"{id}\"", html);
        var images = Regex.Matches(html, "<img class=\"plot-img\" data-plot=\"([^\"]+)\"[^>]*src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");
        var ids = images.Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(LessonReport.PlotIds.Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        foreach (string id in LessonReport.PlotIds) Assert.Contains($"<figure class=\"plot\" id=\"fig-{id}\">", html);
        Assert.True(Regex.Count(html, "class=\"finding verdict-") >= 10, "fewer verdict boxes than claims");
        foreach (Match m in images)
        {
            byte[] png = Convert.FromBase64String(m.Groups[2].Value);
            Assert.True(png.Length > 1000 && png[1] == (byte)'P' && png[2] == (byte)'N' && png[3] == (byte)'G', $"{m.Groups[1].Value} is not a PNG");
        }
        Assert.DoesNotContain("src=\"http", html); // self-contained: nothing fetched
        string text = File.ReadAllText(Path.Combine(root, LessonReport.ResultsFile));
        FiniteJsonCheck.AssertFinite(text);
        using var json = JsonDocument.Parse(text);
        Assert.Equal("test", Cli.CliJson.Envelope(json.RootElement).GetProperty("preset").GetString());
        Assert.Equal("test", json.RootElement.GetProperty("preset").GetString());
        Assert.Equal(ExperimentCatalog.Names.Count, json.RootElement.GetProperty("experiments").GetArrayLength());
        Assert.NotEmpty(lesson.Findings);
        Assert.Equal(["index.html", "results.json"], Directory.GetFiles(root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
