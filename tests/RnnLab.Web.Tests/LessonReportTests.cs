using Microsoft.Playwright;
using RnnLab.Lesson;
using RnnLab.Training;

namespace RnnLab.Web.Tests;

/// <summary>
/// The `rnnlab lesson` page (at the seconds-long test preset) renders in headless Chromium with every chapter,
/// every plot loaded and drawn, a verdict on every finding, and nothing fetched from outside the file.
/// </summary>
[Collection(BrowserCollection.Name)]
public class LessonReportTests(LessonFixture lesson)
{
    [Fact]
    public async Task Lesson_page_renders_every_plot_and_verdict()
    {
        string dir = Directory.CreateTempSubdirectory("rnnlab-lesson").FullName;
        try
        {
            LessonReport.Run(dir, Preset.Test, threads: 2);
            var page = await lesson.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
            var external = new List<string>();
            page.Request += (_, r) => { if (!r.Url.StartsWith("file:", StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal)) external.Add(r.Url); };
            await page.GotoAsync("file://" + Path.Combine(dir, "index.html"));
            await page.WaitForFunctionAsync("() => Array.from(document.images).every(i => i.complete)");

            foreach (string chapter in new[] { "refresher", "decay", "typical-init", "depth", "long-range", "exploding", "remedies", "architecture", "budget" })
                Assert.Equal(1, await page.Locator($"section.chapter#{chapter}").CountAsync());

            foreach (string id in LessonReport.PlotIds)
            {
                var img = page.Locator($"figure.plot#fig-{id} img.plot-img[data-plot=\"{id}\"]");
                Assert.Equal(1, await img.CountAsync());
                // Loaded at its size, and drawn: more than a handful of distinct colours in the picture.
                var measured = await img.EvaluateAsync<int[]>(@"i => {
                    const c = document.createElement('canvas'); c.width = i.naturalWidth; c.height = i.naturalHeight;
                    const g = c.getContext('2d'); g.drawImage(i, 0, 0);
                    const d = g.getImageData(0, 0, c.width, c.height).data; const seen = new Set();
                    for (let p = 0; p < d.length; p += 4 * 7) seen.add((d[p] << 16) | (d[p + 1] << 8) | d[p + 2]);
                    return [i.naturalWidth, i.naturalHeight, seen.size]; }");
                int w = measured[0], h = measured[1], colours = measured[2];
                Assert.Equal(760, w);
                Assert.Equal(id == "flow-profile-rho" ? 520 : 430, h);
                Assert.True(colours > 10, $"plot {id} looks blank ({colours} colours)");
                Assert.StartsWith("data:image/png;base64,", await img.GetAttributeAsync("src"));
            }
            int findings = await page.Locator(".finding").CountAsync();
            Assert.True(findings >= 10, $"only {findings} findings");
            Assert.Equal(findings, await page.Locator(".finding .verdict").CountAsync());
            Assert.Empty(external);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(lesson.ScreenshotDir, "lesson-report.png"), FullPage = true });
            await page.CloseAsync();
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
