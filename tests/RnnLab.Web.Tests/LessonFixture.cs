using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace RnnLab.Web.Tests;

/// <summary>
/// One lesson server on a free loopback port and one headless Chromium (Debian's, no browser download) shared by
/// all browser tests; each test opens its own page. Screenshots go to artifacts/screenshots/ at the repository root.
/// </summary>
public sealed class LessonFixture : IAsyncLifetime
{
    public static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync", "--disable-quic",
    ];

    WebApplication? app;
    IPlaywright? playwright;
    public WebApplication App => app!;
    public IBrowser Browser { get; private set; } = null!;
    public string Url { get; private set; } = "";
    public string ScreenshotDir { get; } = Path.Combine(RepoRoot(), "artifacts", "screenshots");
    public static string ArtifactsDir { get; } = Path.Combine(RepoRoot(), "artifacts");

    public async Task InitializeAsync()
    {
        app = LessonServer.Build(new LessonOptions { Urls = "http://127.0.0.1:0" });
        Url = await LessonServer.StartAsync(app);
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
        });
        Directory.CreateDirectory(ScreenshotDir);
    }

    public async Task DisposeAsync()
    {
        await Browser.CloseAsync();
        playwright?.Dispose();
        if (app is not null) await app.DisposeAsync();
    }

    /// <summary>A fresh page on the lesson, after its first round of requests has been drawn.</summary>
    public async Task<IPage> OpenAsync(int width = 1280, int height = 900)
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        page.SetDefaultTimeout(30_000);
        var log = new List<string>();
        Logs.AddOrUpdate(page, log);
        page.Console += (_, m) => { lock (log) log.Add($"console.{m.Type}: {m.Text}"); };
        page.PageError += (_, e) => { lock (log) log.Add($"page error: {e}"); };
        await page.GotoAsync(Url);
        await page.WaitForFunctionAsync("() => document.body.dataset.ready === 'true'");
        return page;
    }

    readonly System.Runtime.CompilerServices.ConditionalWeakTable<IPage, List<string>> Logs = [];

    /// <summary>Waits for a condition in the page; on timeout fails with the given element's text and the console log.</summary>
    public async Task WaitForAsync(IPage page, string condition, string statusSelector, int timeoutMs = 60_000)
    {
        try
        {
            await page.WaitForFunctionAsync(condition, null, new PageWaitForFunctionOptions { Timeout = timeoutMs });
        }
        catch (TimeoutException)
        {
            string status = await page.Locator(statusSelector).InnerTextAsync();
            string log = Logs.TryGetValue(page, out var l) ? string.Join(" | ", l) : "";
            Assert.Fail($"timed out waiting for {condition}; status: '{status}'; console: {log}");
        }
    }

    public Task ScreenshotAsync(IPage page, string name, string? selector = null) => selector is null
        ? page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir, name + ".png"), FullPage = false })
        : page.Locator(selector).ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(ScreenshotDir, name + ".png") });

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RnnLab.slnx"))) return dir.FullName;
        return AppContext.BaseDirectory;
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<LessonFixture>
{
    public const string Name = "browser";
}

/// <summary>Reading what a plot holds: the series the page received, as window.__plots[id] keeps them.</summary>
public static class Plots
{
    /// <summary>Waits until the plot was drawn from a request with these parameter values.</summary>
    public static Task WaitForParamsAsync(IPage page, string plotId, params (string Key, string Value)[] expected) =>
        page.WaitForFunctionAsync(
            "([id, pairs]) => { const p = window.__plots[id] && window.__plots[id].params; return !!p && pairs.every(([k, v]) => p[k] === v); }",
            new object[] { plotId, expected.Select(e => new[] { e.Key, e.Value }).ToArray() });

    public static async Task<JsonElement> SeriesAsync(IPage page, string plotId) =>
        await page.EvaluateAsync<JsonElement>("id => window.__plots[id].series", plotId);

    /// <summary>A series' values as the page drew them: null is NaN, but −∞ where the series' zeroAt lists the index (a log10 of an exact 0).</summary>
    public static double[] Values(JsonElement series, int index, string axis)
    {
        var s = series[index];
        var zeros = axis == "y" && s.TryGetProperty("zeroAt", out var z) ? z.EnumerateArray().Select(v => v.GetInt32()).ToHashSet() : [];
        return [.. s.GetProperty(axis).EnumerateArray().Select((v, i) => zeros.Contains(i) ? double.NegativeInfinity : ToDouble(v))];
    }

    /// <summary>The server writes no NaN or ±∞ (they are null), so anything but a number is NaN.</summary>
    public static double ToDouble(JsonElement v) => v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;

    public static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tolerance, string what)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: {actual.Count} points plotted, library gives {expected.Count}");
        for (int i = 0; i < expected.Count; i++)
        {
            // a NaN or ±∞ of the library arrives as null (NaN here), except a log10 −∞ that the series' zeroAt restores
            bool same = expected[i].Equals(actual[i]) || Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i]))
                || (!double.IsFinite(expected[i]) && !double.IsNegativeInfinity(expected[i]) && double.IsNaN(actual[i]));
            Assert.True(same, $"{what}[{i}]: plotted {actual[i]}, library {expected[i]}");
        }
    }
}
