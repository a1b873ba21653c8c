namespace RnnLab.Web.Tests;

[Collection(BrowserCollection.Name)]
public class LayoutTests(LessonFixture lesson)
{
    [Theory]
    [InlineData(390, 844, "phone")]
    [InlineData(1280, 800, "laptop")]
    public async Task Page_fits_the_width_without_sideways_scrolling(int width, int height, string name)
    {
        var page = await lesson.OpenAsync(width, height);
        int overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        string widest = await page.EvaluateAsync<string>(
            "() => Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)" +
            ".map(e => e.tagName + (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal === undefined ? '.' + e.className : '')).slice(-5).join(', ')");
        Assert.True(overflow <= 1, $"page is {overflow}px wider than a {width}px viewport; too wide: {widest}");
        await lesson.ScreenshotAsync(page, $"page-{name}");
        await page.CloseAsync();
    }
}
