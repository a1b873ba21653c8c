namespace RnnLab.Web.Tests;

/// <summary>The page at a phone's and a laptop's size: no sideways scrolling, readable plot text, plots that fit the
/// screen, a navigation that stays in view, and a screenshot of every section.</summary>
[Collection(BrowserCollection.Name)]
public class LayoutTests(LessonFixture lesson)
{
    /// <summary>The page's sections in order; the test checks this is every section the page has, so none goes unscreenshot.</summary>
    static readonly string[] SectionIds = ["refresher", "decay", "jacobian", "depth", "sentence", "exploding", "lstm", "remedies", "quiz"];

    [Theory]
    [InlineData(390, 844, "phone", 11)]
    [InlineData(1366, 768, "laptop", 12)]
    public async Task Page_fits_the_screen_with_readable_plots_and_a_navigation_in_view(int width, int height, string name, double minTextPx)
    {
        var page = await lesson.OpenAsync(width, height);
        int overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        string widest = await page.EvaluateAsync<string>(
            "() => Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)" +
            ".map(e => e.tagName + (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal === undefined ? '.' + e.className : '')).slice(-5).join(', ')");
        Assert.True(overflow <= 1, $"page is {overflow}px wider than a {width}px viewport; too wide: {widest}");

        // Plot text in screen pixels: its font size times the SVG's scale on screen.
        double[] textPx = await page.EvaluateAsync<double[]>(
            "() => Array.from(document.querySelectorAll('.plot svg.plot-svg text')).map(t => parseFloat(getComputedStyle(t).fontSize) * Math.hypot(t.getScreenCTM().a, t.getScreenCTM().b))");
        string smallest = await page.EvaluateAsync<string>("() => Array.from(document.querySelectorAll('.plot svg.plot-svg text')).filter(t => !(parseFloat(getComputedStyle(t).fontSize) * Math.hypot(t.getScreenCTM().a, t.getScreenCTM().b) >= 11)).slice(0, 3).map(t => t.closest('.plot').id + ':' + t.getAttribute('class') + ':' + getComputedStyle(t).fontSize + ':' + t.getScreenCTM().a + ':' + t.textContent).join(' | ')");
        Assert.NotEmpty(textPx);
        Assert.True(textPx.Min() >= minTextPx, $"smallest plot text is {textPx.Min():0.0} px at {width} px wide: {smallest}");
        // Each plot, with its axes, fits in the viewport's height.
        double[] plotHeights = await page.EvaluateAsync<double[]>("() => Array.from(document.querySelectorAll('.plot svg.plot-svg')).map(s => s.getBoundingClientRect().height)");
        Assert.True(plotHeights.Max() <= height * 0.75, $"a plot is {plotHeights.Max():0} px tall in a {height} px viewport");

        // The navigation stays at the top while the page scrolls.
        await page.Locator("#quiz").ScrollIntoViewIfNeededAsync();
        double navTop = await page.EvaluateAsync<double>("() => document.querySelector('nav').getBoundingClientRect().top");
        Assert.Equal(0, navTop, 1);

        string[] sections = await page.EvaluateAsync<string[]>("() => Array.from(document.querySelectorAll('main section[id]')).map(s => s.id)");
        string[] linked = await page.EvaluateAsync<string[]>("() => Array.from(document.querySelectorAll('nav a[href^=\\'#\\']')).map(a => a.getAttribute('href').slice(1))");
        Assert.Equal(SectionIds, sections);
        Assert.Equal(SectionIds, linked);
        await lesson.ScreenshotAsync(page, $"page-{name}");
        foreach (string id in SectionIds) await lesson.ScreenshotAsync(page, $"{name}-{id}", "#" + id);
        await page.CloseAsync();
    }

    [Fact]
    public async Task Eigenvalue_plane_is_symmetric_and_integer_axes_have_integer_ticks()
    {
        var page = await lesson.OpenAsync();
        // The unit circle sits at the centre of the plot's frame.
        var centre = await page.EvaluateAsync<double[]>(
            "() => { const f = document.querySelector('#plot-eigen .frame').getBBox(), c = document.querySelector('#plot-eigen .unit-circle');" +
            " return [f.x + f.width / 2, +c.getAttribute('cx'), f.y + f.height / 2, +c.getAttribute('cy')]; }");
        Assert.Equal(centre[0], centre[1], 0.5);
        Assert.Equal(centre[2], centre[3], 0.5);
        // Steps, powers and distances are whole numbers: so are their ticks.
        foreach (string plot in new[] { "plot-refresher", "plot-decay", "plot-flow", "plot-depth", "plot-lstm" })
        {
            var ticks = await page.EvaluateAsync<string[]>($"() => Array.from(document.querySelectorAll('#{plot} .tick')).filter(t => t.getAttribute('text-anchor') === 'middle').map(t => t.textContent)");
            Assert.NotEmpty(ticks);
            Assert.All(ticks, t => Assert.Matches(@"^-?\d+$", t));
        }
        // The decay plot's marker for T is inside the frame, not on its edge.
        var marker = await page.EvaluateAsync<double[]>(
            "() => { const f = document.querySelector('#plot-decay .frame').getBBox(); return [+document.querySelector('#plot-decay .marker').getAttribute('x1'), f.x + f.width]; }");
        Assert.True(marker[0] < marker[1] - 4, $"T marker at x = {marker[0]}, frame ends at {marker[1]}");
        await page.CloseAsync();
    }
}
