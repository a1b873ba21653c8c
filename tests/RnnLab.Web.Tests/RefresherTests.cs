using RnnLab.Analysis;

namespace RnnLab.Web.Tests;

[Collection(BrowserCollection.Name)]
public class RefresherTests(LessonFixture lesson)
{
    [Fact]
    public async Task Editing_the_matrix_replots_the_library_eigen_directions()
    {
        var page = await lesson.OpenAsync();
        var form = page.Locator("form[data-section=refresher]");

        // The preset: eigenvalues 1.2 and 0.7.
        await Plots.WaitForParamsAsync(page, "plot-refresher", ("a22", "1.2"));
        var preset = MatrixPowers.Profile([0.7, 0.5, 0, 1.2], 2, 30);
        var series = await Plots.SeriesAsync(page, "plot-refresher");
        Plots.AssertClose(preset.Directions[0].Log10Size, Plots.Values(series, 0, "y"), 1e-12, "preset direction 1");
        Plots.AssertClose(preset.Directions[1].Log10Size, Plots.Values(series, 1, "y"), 1e-12, "preset direction 2");
        Assert.Contains("1.2", await page.Locator("#refresher-facts").InnerTextAsync());

        // A complex pair: a rotation scaled by 0.95.
        await form.Locator("[name=a11]").FillAsync("0.6");
        await form.Locator("[name=a12]").FillAsync("-0.8");
        await form.Locator("[name=a21]").FillAsync("0.8");
        await form.Locator("[name=a22]").FillAsync("0.6");
        await Plots.WaitForParamsAsync(page, "plot-refresher", ("a11", "0.6"), ("a12", "-0.8"), ("a21", "0.8"), ("a22", "0.6"));
        var rotation = MatrixPowers.Profile([0.6, -0.8, 0.8, 0.6], 2, 30);
        series = await Plots.SeriesAsync(page, "plot-refresher");
        Plots.AssertClose(rotation.Directions[0].Log10Size, Plots.Values(series, 0, "y"), 1e-12, "rotation direction 1");
        Plots.AssertClose(rotation.Log10Norm, Plots.Values(series, 2, "y"), 1e-12, "rotation ‖A^k‖");
        await lesson.ScreenshotAsync(page, "1-refresher", "#refresher");

        // Out of range: a message beside the field, the plot stays as it was.
        await form.Locator("[name=a11]").FillAsync("99");
        var msg = form.Locator(".msg[data-for=a11]");
        await msg.WaitForAsync();
        Assert.Contains("between", await msg.InnerTextAsync());
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_defective_or_zero_matrix_is_explained_instead_of_drawn_blank()
    {
        var page = await lesson.OpenAsync();
        var form = page.Locator("form[data-section=refresher]");
        // A Jordan block: one eigen-direction, said in words.
        await form.Locator("[name=a11]").FillAsync("1");
        await form.Locator("[name=a12]").FillAsync("1");
        await form.Locator("[name=a21]").FillAsync("0");
        await form.Locator("[name=a22]").FillAsync("1");
        await Plots.WaitForParamsAsync(page, "plot-refresher", ("a11", "1"), ("a12", "1"), ("a22", "1"));
        Assert.Contains("defective", await page.Locator("#refresher-note").InnerTextAsync());

        // The zero matrix: every size is 0 from k = 1 on, which a log axis cannot draw; the plot says so.
        foreach (string entry in new[] { "a11", "a12", "a22" }) await form.Locator($"[name={entry}]").FillAsync("0");
        await Plots.WaitForParamsAsync(page, "plot-refresher", ("a11", "0"), ("a12", "0"), ("a21", "0"), ("a22", "0"));
        string note = await page.Locator("#plot-refresher .plot-note").InnerTextAsync();
        Assert.Contains("exactly 0 from power k = 1 on", note);
        Assert.Equal(0, await page.Locator("#refresher-note").CountAsync());
        await page.CloseAsync();
    }
}
