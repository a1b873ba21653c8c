using Microsoft.Playwright;

namespace RnnLab.Web.Tests;

/// <summary>The page as a class uses it: by keyboard, through a screen reader, from a shared link, with the server gone.</summary>
[Collection(BrowserCollection.Name)]
public class PageTests(LessonFixture lesson)
{
    static readonly HashSet<string> ControlRoles = ["slider", "spinbutton", "combobox", "textbox", "radio", "button", "checkbox", "link"];

    [Fact]
    public async Task Every_control_has_an_accessible_name_in_the_browsers_accessibility_tree()
    {
        var page = await lesson.OpenAsync();
        var cdp = await page.Context.NewCDPSessionAsync(page);
        var tree = (await cdp.SendAsync("Accessibility.getFullAXTree"))!.Value;
        var unnamed = new List<string>();
        var roles = new Dictionary<string, int>();
        foreach (var node in tree.GetProperty("nodes").EnumerateArray())
        {
            if (node.TryGetProperty("ignored", out var ignored) && ignored.GetBoolean()) continue;
            string role = node.TryGetProperty("role", out var r) ? r.GetProperty("value").GetString() ?? "" : "";
            if (!ControlRoles.Contains(role)) continue;
            roles[role] = roles.GetValueOrDefault(role) + 1;
            string name = node.TryGetProperty("name", out var n) && n.TryGetProperty("value", out var v) ? v.GetString() ?? "" : "";
            if (string.IsNullOrWhiteSpace(name)) unnamed.Add($"{role} #{node.GetProperty("backendDOMNodeId")}");
        }
        Assert.True(unnamed.Count == 0, $"controls without a name: {string.Join(", ", unnamed)}");
        Assert.True(roles.GetValueOrDefault("slider") >= 9, $"sliders found: {roles.GetValueOrDefault("slider")}");
        Assert.True(roles.GetValueOrDefault("radio") >= 16);

        // The names are the labels: a slider is found by what it controls.
        Assert.Equal(1, await page.GetByRole(AriaRole.Slider, new() { Name = "ρ", Exact = true }).CountAsync());
        Assert.Equal(1, await page.GetByRole(AriaRole.Slider, new() { Name = "forget-gate bias" }).CountAsync());
        // Each section's status is a live region; messages are tied to their inputs.
        Assert.True(await page.Locator("section [role=status]").CountAsync() >= 8);
        Assert.Equal("decay-rho-msg", await page.Locator("#decay-rho").GetAttributeAsync("aria-describedby"));
        // Each plot has a text alternative: a summary naming its series and its data as a table.
        foreach (var plot in await page.Locator(".plot:has(svg.plot-svg)").AllAsync())
        {
            Assert.False(string.IsNullOrWhiteSpace(await plot.Locator("svg.plot-svg").GetAttributeAsync("aria-label")));
            Assert.True(await plot.Locator(".plot-data table tr").CountAsync() >= 1);
        }
        // The lesson table's verdicts are text on the page, not only in a hover.
        string verdicts = await page.Locator("#decay-lesson").InnerTextAsync();
        Assert.Contains("✗", verdicts);
        Assert.Contains("0.9^", verdicts.Replace("ρ", ""));
        await page.CloseAsync();
    }

    /// <summary>Presses Tab until the element matching <paramref name="selector"/> has the focus.</summary>
    static async Task TabToAsync(IPage page, string selector, int limit = 60)
    {
        for (int i = 0; i < limit; i++)
        {
            if (await page.EvaluateAsync<bool>("s => document.activeElement === document.querySelector(s)", selector)) return;
            await page.Keyboard.PressAsync("Tab");
        }
        Assert.Fail($"{selector} not reached by {limit} presses of Tab");
    }

    [Fact]
    public async Task Every_section_can_be_used_with_the_keyboard_alone()
    {
        var page = await lesson.OpenAsync();
        // Each analysis section: reach a control from the navigation with Tab, change it with the arrow keys.
        var steps = new (string Nav, string Control, string Key, string Plot, string Param, string Value)[]
        {
            ("refresher", "#refresher-k", "ArrowRight", "plot-refresher", "k", "31"),
            ("decay", "#decay-rho", "ArrowLeft", "plot-decay", "rho", "0.79"),
            ("jacobian", "#jacobian-rho", "ArrowRight", "plot-flow", "rho", "0.95"),
            ("depth", "#depth-depth", "ArrowRight", "plot-depth", "depth", "51"),
            ("lstm", "#lstm-forgetBias", "ArrowRight", "plot-lstm", "forgetBias", "3.5"),
        };
        foreach (var s in steps)
        {
            await page.Locator($"nav a[href='#{s.Nav}']").FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await TabToAsync(page, s.Control);
            await page.Keyboard.PressAsync(s.Key);
            await Plots.WaitForParamsAsync(page, s.Plot, (s.Param, s.Value));
        }
        // The sentence: a number field takes the arrow keys too.
        await page.Locator("nav a[href='#sentence']").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await TabToAsync(page, "#sentence-distance");
        await page.Keyboard.PressAsync("ArrowDown");
        await page.WaitForFunctionAsync($"() => document.querySelector('#sentence-text').dataset.distance === '{Sections.SentenceEndpoints.LessonDistance - 1}'");
        // Training: Enter on the button starts both runs.
        await TabToAsync(page, "#exploding [data-action=train]", 120);
        await page.Keyboard.PressAsync("Enter");
        await lesson.WaitForAsync(page, "() => document.querySelector('form[data-section=exploding]').dataset.finished === '2'", "#exploding-status");
        // The quiz: arrow keys choose within a question, Enter checks.
        await TabToAsync(page, "input[name=q0]", 80);
        await page.Keyboard.PressAsync("Space");
        await TabToAsync(page, "#quiz-submit", 80);
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#quiz-score[data-score]").WaitForAsync();
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_copied_link_reproduces_every_control_and_the_same_plots()
    {
        var page = await lesson.OpenAsync();
        await page.Locator("#decay-rho").EvaluateAsync("(e) => { e.value = '0.7'; e.dispatchEvent(new Event('input', { bubbles: true })); }");
        await page.Locator("#jacobian-cell").SelectOptionAsync("gru");
        await page.Locator("#jacobian-hidden").FillAsync("12");
        await Plots.WaitForParamsAsync(page, "plot-flow", ("cell", "gru"), ("hidden", "12"));
        await Plots.WaitForParamsAsync(page, "plot-decay", ("rho", "0.7"));
        await page.Locator("#jacobian [data-action=copy-link]").ClickAsync();
        string link = await page.Locator("#jacobian .link").InputValueAsync();
        Assert.Contains("jacobian.cell=gru", link);
        Assert.EndsWith("#jacobian", link);
        string before = (await Plots.SeriesAsync(page, "plot-flow")).GetRawText();

        var again = await lesson.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        await again.GotoAsync(link);
        await again.WaitForFunctionAsync("() => document.body.dataset.ready === 'true'");
        Assert.Equal("gru", await again.Locator("#jacobian-cell").InputValueAsync());
        Assert.Equal("0.7", await again.Locator("#decay-rho").InputValueAsync());
        Assert.Equal(before, (await Plots.SeriesAsync(again, "plot-flow")).GetRawText());
        Assert.Equal("0.7", await again.EvaluateAsync<string>("() => window.__plots['plot-decay'].params.rho"));

        // Reset brings the section back to its defaults, and the address forgets them.
        await again.Locator("#jacobian [data-action=reset]").ClickAsync();
        await Plots.WaitForParamsAsync(again, "plot-flow", ("cell", "rnn"), ("hidden", "16"));
        Assert.DoesNotContain("jacobian.", again.Url);
        Assert.Contains("decay.rho=0.7", again.Url);

        // A preset sets several sections at once.
        await again.Locator("[data-preset=exploding]").ClickAsync();
        await Plots.WaitForParamsAsync(again, "plot-flow", ("rho", "1.5"));
        Assert.Contains("jacobian.rho=1.5", again.Url);
        await again.CloseAsync();
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_server_that_is_gone_is_reported_in_one_line_per_section()
    {
        var app = LessonServer.Build(new LessonOptions { Urls = "http://127.0.0.1:0" });
        string url = await LessonServer.StartAsync(app);
        var page = await lesson.Browser.NewPageAsync();
        await page.GotoAsync(url);
        await page.WaitForFunctionAsync("() => document.body.dataset.ready === 'true'");
        await app.DisposeAsync();

        await page.Locator("#decay-T").EvaluateAsync("(e) => { e.value = '50'; e.dispatchEvent(new Event('input', { bubbles: true })); }");
        await page.Locator("#jacobian-hidden").FillAsync("8");
        await page.Locator("#depth-width").FillAsync("8");
        await page.Locator("#sentence-distance").FillAsync("5");
        await page.Locator("#lstm-hidden").FillAsync("8");
        await page.Locator("#refresher-a11").FillAsync("0.5");
        foreach (string id in new[] { "refresher", "decay", "jacobian", "depth", "sentence", "lstm" })
            await page.WaitForFunctionAsync("id => (document.querySelector('#' + id + ' .section-status').textContent || '').includes('not answering')", id);
        await page.Locator("#exploding [data-action=train]").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('#exploding-status').textContent.includes('not answering')");
        await page.Locator("#quiz-submit").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('#quiz-score').textContent.includes('not answering')");
        await page.CloseAsync();
    }

    [Fact]
    public async Task Text_contrast_is_at_least_4_5_to_1_everywhere_on_the_page()
    {
        var page = await lesson.OpenAsync();
        // For every element with its own text: WCAG's contrast ratio of its colour against the first opaque
        // background behind it. Disabled controls are exempt (WCAG 1.4.3), as are dimmed stale plots.
        string[] failures = await page.EvaluateAsync<string[]>(@"() => {
            const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
            const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
              .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
            const background = (e) => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || c[3] > 0.9) return c.slice(0, 3); } return [255, 255, 255]; };
            const out = [];
            for (const e of document.querySelectorAll('body *')) {
              if (!Array.from(e.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
              if (e.closest(':disabled, [hidden], .stale, svg') || !e.getClientRects().length) continue;
              const fg = rgb(getComputedStyle(e).color).slice(0, 3), bg = background(e);
              const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
              const ratio = (a + 0.05) / (b + 0.05);
              if (ratio < 4.5) out.push(`${e.tagName}.${e.className}: ${ratio.toFixed(2)} (${e.textContent.trim().slice(0, 30)})`);
            }
            return out.slice(0, 10);
        }");
        Assert.True(failures.Length == 0, "low contrast: " + string.Join(" | ", failures));
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_plot_reads_out_the_nearest_point_and_downloads_its_data_and_image()
    {
        var page = await lesson.OpenAsync();
        var svg = page.Locator("#plot-decay svg.plot-svg");
        await svg.HoverAsync();   // scrolled into view, the pointer at the plot's centre
        var readout = page.Locator("#plot-decay .readout");
        await page.WaitForFunctionAsync("() => document.querySelector('#plot-decay .readout').textContent.includes('sequence length T =')");
        int index = int.Parse(await readout.GetAttributeAsync("data-index") ?? "-1", System.Globalization.CultureInfo.InvariantCulture);
        var series = await Plots.SeriesAsync(page, "plot-decay");
        double t = Plots.Values(series, 0, "x")[index];
        Assert.Contains($"T = {t}", await readout.InnerTextAsync());

        var csv = await page.RunAndWaitForDownloadAsync(() => page.Locator("#plot-decay [data-download=csv]").ClickAsync());
        string text = await File.ReadAllTextAsync((await csv.PathAsync())!);
        var lines = text.TrimEnd().Split('\n');
        Assert.Equal("series,x,y", lines[0]);
        Assert.Equal(Plots.Values(series, 0, "x").Length + 1, lines.Length);
        double[] y = Plots.Values(series, 0, "y");
        Assert.Equal(y[^1], double.Parse(lines[^1].Split(',')[^1], System.Globalization.CultureInfo.InvariantCulture), 12);

        var svgFile = await page.RunAndWaitForDownloadAsync(() => page.Locator("#plot-decay [data-download=svg]").ClickAsync());
        Assert.StartsWith("<svg", await File.ReadAllTextAsync((await svgFile.PathAsync())!));
        var png = await page.RunAndWaitForDownloadAsync(() => page.Locator("#plot-decay [data-download=png]").ClickAsync());
        byte[] bytes = await File.ReadAllBytesAsync((await png.PathAsync())!);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes[..4]);
        Assert.True(bytes.Length > 2000, $"PNG of {bytes.Length} bytes");
        await page.CloseAsync();
    }
}
