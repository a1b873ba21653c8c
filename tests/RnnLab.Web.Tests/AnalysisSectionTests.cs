using Microsoft.Playwright;
using RnnLab.Numerics;
using RnnLab.Lesson;
using RnnLab.Analysis;
using RnnLab.Models;

namespace RnnLab.Web.Tests;

/// <summary>Sections 2, 3, 4 and 7: move a control, then the plotted series must be the library's values for it.</summary>
[Collection(BrowserCollection.Name)]
public class AnalysisSectionTests(LessonFixture lesson)
{
    /// <summary>Range inputs cannot be typed into: set the value and fire the input event as a drag would.</summary>
    static Task SetRangeAsync(ILocator input, string value) =>
        input.EvaluateAsync("(e, v) => { e.value = v; e.dispatchEvent(new Event('input', { bubbles: true })); }", value);

    [Fact]
    public async Task Decay_curve_and_tables_follow_rho_and_T()
    {
        var page = await lesson.OpenAsync();
        var form = page.Locator("form[data-section=decay]");
        await SetRangeAsync(form.Locator("[name=rho]"), "0.7");
        await SetRangeAsync(form.Locator("[name=T]"), "40");
        await Plots.WaitForParamsAsync(page, "plot-decay", ("rho", "0.7"), ("T", "40"));

        var expected = DecayTable.Compute([0.7], Enumerable.Range(1, 40));
        var series = await Plots.SeriesAsync(page, "plot-decay");
        Plots.AssertClose(expected.Select(e => (double)e.T).ToArray(), Plots.Values(series, 0, "x"), 0, "T");
        Plots.AssertClose(expected.Select(e => e.Value).ToArray(), Plots.Values(series, 0, "y"), 1e-12, "ρ^(T−1)");

        // The lesson's printed table, with the library's verdict on each entry.
        var checks = PrintedDecayTable.CheckLesson().Take(PrintedDecayTable.LessonTable.Length).ToArray();
        var marked = await page.Locator("#decay-lesson-el td.disagrees").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.printed)");
        Assert.Equal(checks.Where(c => !c.MatchesFormula).Select(c => c.Printed).Order(), marked.Order());
        Assert.Equal(PrintedDecayTable.LessonTable.Length, await page.Locator("#decay-lesson-el td").CountAsync());
        await lesson.ScreenshotAsync(page, "2-decay", "#decay");
        await page.CloseAsync();
    }

    [Fact]
    public async Task Jacobian_lab_plots_the_library_flow_profile_and_spectrum()
    {
        var page = await lesson.OpenAsync();
        var form = page.Locator("form[data-section=jacobian]");
        await form.Locator("[name=hidden]").FillAsync("12");
        await SetRangeAsync(form.Locator("[name=rho]"), "1.2");
        await form.Locator("[name=steps]").FillAsync("40");
        await Plots.WaitForParamsAsync(page, "plot-flow", ("hidden", "12"), ("rho", "1.2"), ("steps", "40"));

        var layer = LabModels.Layer(CellKind.Rnn, 12, "orthogonal", 1.2, 1);
        var flow = FlowProfile.Compute(layer, LabModels.Sequence(40, 1), 40);
        var series = await Plots.SeriesAsync(page, "plot-flow");
        Plots.AssertClose(flow.Log10SpectralNorm, Plots.Values(series, 0, "y"), 1e-9, "log10 ‖∂h_T/∂h_{T−k}‖");
        var eig = await Plots.SeriesAsync(page, "plot-eigen");
        var expected = Spectra.Eigenvalues(layer.WeightHH.Value, 12);
        Plots.AssertClose(expected.Select(z => z.Magnitude).ToArray(),
            Plots.Values(eig, 0, "x").Zip(Plots.Values(eig, 0, "y"), (re, im) => Math.Sqrt(re * re + im * im)).ToArray(), 1e-9, "|λ| of W_hh");
        Assert.Contains(flow.Horizon + " steps", await page.Locator("#jacobian-facts").InnerTextAsync());

        // The LSTM shows one eigenvalue cloud per gate block.
        await form.Locator("[name=cell]").SelectOptionAsync("lstm");
        await Plots.WaitForParamsAsync(page, "plot-eigen", ("cell", "lstm"), ("hidden", "12"));
        Assert.Equal(4, (await Plots.SeriesAsync(page, "plot-eigen")).GetArrayLength());
        await lesson.ScreenshotAsync(page, "3-jacobian", "#jacobian");

        // A saturated LSTM: the norms below the rounding floor are gaps, and the library's note says why under the plot.
        await form.Locator("[name=init]").SelectOptionAsync("identity");
        await form.Locator("[name=hidden]").FillAsync("16");
        await SetRangeAsync(form.Locator("[name=rho]"), "3");
        await form.Locator("[name=steps]").FillAsync("200");
        await Plots.WaitForParamsAsync(page, "plot-flow", ("cell", "lstm"), ("init", "identity"), ("hidden", "16"), ("rho", "3"), ("steps", "200"));
        var saturated = FlowProfile.Compute(LabModels.Layer(CellKind.Lstm, 16, "identity", 3, 1), LabModels.Sequence(200, 1), 200);
        Assert.Contains("rounding", saturated.Log10SpectralNormNote);
        Assert.Contains("has gaps, not drawn: " + saturated.Log10SpectralNormNote, await page.Locator("#plot-flow .plot-note").InnerTextAsync());
        string summary = await page.Locator("#plot-flow svg.plot-svg > title").TextContentAsync() ?? "";
        Assert.DoesNotContain("NaN", summary);   // the last point, k = 199, is refused: the text alternative says so
        Assert.Contains("not shown (see the note) at 199", summary);
        await lesson.ScreenshotAsync(page, "3-jacobian-rounding", "#plot-flow");
        // The CSV download: the refused k has an empty y and the note in the column such plots add.
        var csv = await page.RunAndWaitForDownloadAsync(() => page.Locator("#plot-flow [data-download=csv]").ClickAsync());
        var lines = (await File.ReadAllTextAsync((await csv.PathAsync())!)).TrimEnd().Split('\n');
        Assert.Equal("series,x,y,note", lines[0]);
        string quoted = "\"" + saturated.Log10SpectralNormNote!.Replace("\"", "\"\"") + "\"";
        Assert.EndsWith(",199,," + quoted, lines[200]);     // series 0, k = 199: its rows are lines 1 to 200
        Assert.EndsWith(",0,1,", lines[1]);                 // k = 0: ‖I‖₂ = 1, reported
        await page.CloseAsync();
    }

    [Fact]
    public async Task Depth_comparison_and_lstm_cell_path_follow_their_controls()
    {
        var page = await lesson.OpenAsync();
        var depth = page.Locator("form[data-section=depth]");
        await SetRangeAsync(depth.Locator("[name=depth]"), "30");
        await depth.Locator("[name=width]").FillAsync("16");
        await SetRangeAsync(depth.Locator("[name=inputScale]"), "0");
        await Plots.WaitForParamsAsync(page, "plot-depth", ("depth", "30"), ("width", "16"), ("inputScale", "0"));
        var curves = DepthComparison.Run(new DepthOptions { Width = 16, Depths = [30], RnnInputScale = 0, Seed = 1 });
        var series = await Plots.SeriesAsync(page, "plot-depth");
        for (int i = 0; i < curves.Length; i++)
            Plots.AssertClose(curves[i].GradientNorm, Plots.Values(series, i, "y"), 1e-12, curves[i].Label);
        await lesson.ScreenshotAsync(page, "4-depth", "#depth");

        var lstm = page.Locator("form[data-section=lstm]");
        await SetRangeAsync(lstm.Locator("[name=forgetBias]"), "4");
        await lstm.Locator("[name=steps]").FillAsync("50");
        await Plots.WaitForParamsAsync(page, "plot-lstm", ("forgetBias", "4"), ("steps", "50"));
        var layer = LabModels.Layer(CellKind.Lstm, 16, "pytorch", null, 1);
        layer.BiasIH.Value.AsSpan(16, 16).Fill(4);
        layer.BiasHH.Value.AsSpan(16, 16).Clear();
        var x = LabModels.Sequence(50, 1);
        var cellPath = FlowProfile.Compute(layer, x, 50).Log10CellPathNorm!;
        var rnn = FlowProfile.Compute(LabModels.Layer(CellKind.Rnn, 16, "pytorch", null, 1), x, 50).Log10SpectralNorm;
        series = await Plots.SeriesAsync(page, "plot-lstm");
        Plots.AssertClose(cellPath, Plots.Values(series, 0, "y"), 1e-9, "LSTM cell path");
        Plots.AssertClose(rnn, Plots.Values(series, 1, "y"), 1e-9, "tanh RNN");
        Assert.True(cellPath[^1] > rnn[^1], "the cell path keeps more gradient than the tanh RNN");
        await lesson.ScreenshotAsync(page, "7-lstm", "#lstm");
        await page.CloseAsync();
    }
}
