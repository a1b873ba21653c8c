using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using RnnLab.Training;
using RnnLab.Tasks;

namespace RnnLab.Web.Tests;

[Collection(BrowserCollection.Name)]
public class TrainingTests(LessonFixture lesson)
{
    /// <summary>The run the server makes of a query, made here directly through the library.</summary>
    static List<StepRecord> LibraryRun(string query, out TrainingSummary outcome)
    {
        var q = new Inputs(new QueryCollection(QueryHelpers.ParseQuery(query)));
        var request = TrainRequest.Read(q);
        Assert.Empty(q.Errors);
        var steps = new List<StepRecord>();
        outcome = TrainingRun.Run(LessonTraining.Config(request!), onLog: steps.Add);
        return steps;
    }

    static Task<string> Status(Microsoft.Playwright.IPage page, string task) => page.Locator($"#{task}-status").InnerTextAsync();

    [Fact]
    public async Task Sentence_distance_and_live_agreement_training_of_both_cells()
    {
        var page = await lesson.OpenAsync();
        var sentence = page.Locator("#sentence-text");
        Assert.Equal("cat", await sentence.Locator(".subject").GetAttributeAsync("data-word"));
        Assert.Equal("was", await sentence.Locator(".verb").GetAttributeAsync("data-word"));
        Assert.Equal(Sections.SentenceEndpoints.LessonDistance.ToString(), await sentence.GetAttributeAsync("data-distance"));

        // Shorten the distance: a sentence of the grammar at distance 6, the same the library draws.
        await page.Locator("#sentence-distance").FillAsync("6");
        await page.WaitForFunctionAsync("() => document.querySelector('#sentence-text').dataset.distance === '6'");
        var words = await sentence.Locator(".tok").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.word)");
        var expected = AgreementGrammar.Generate(6, 0.5, new RandomChoices(new Numerics.SeededRandom(6)));
        Assert.Equal(expected.Words, words);

        // Train both cells at distance 6 for 30 steps and wait for both streams to finish.
        var form = page.Locator("form[data-section=agreement]");
        await form.Locator("[name=steps]").FillAsync("30");
        await form.Locator("[data-action=train]").ClickAsync();
        await lesson.WaitForAsync(page, "() => document.querySelector('form[data-section=agreement]').dataset.finished === '2'", "#agreement-status");

        var loss = await Plots.SeriesAsync(page, "plot-agreement-loss");
        var acc = await Plots.SeriesAsync(page, "plot-agreement-acc");
        foreach (var (index, cell) in new[] { (0, "rnn"), (1, "lstm") })
        {
            var run = LibraryRun($"task=agreement&cell={cell}&hidden=16&steps=30&lr=0.01&distance=6", out _);
            Plots.AssertClose(run.Select(s => (double)s.Step).ToArray(), Plots.Values(loss, index, "x"), 0, $"{cell} steps");
            Plots.AssertClose(run.Select(s => s.Loss).ToArray(), Plots.Values(loss, index, "y"), 1e-12, $"{cell} loss");
            Plots.AssertClose(run.Select(s => s.Metric).ToArray(), Plots.Values(acc, index, "y"), 1e-12, $"{cell} accuracy");
        }
        Assert.Contains("30 steps, held-out accuracy", await Status(page, "agreement"));
        Assert.Equal(new[] { 0.5 }, await page.EvaluateAsync<double[]>("() => window.__plots['plot-agreement-acc'].hlines.map(l => l.y)"));
        await lesson.ScreenshotAsync(page, "5-sentence-training", "#sentence");
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_remedies_section_trains_the_chosen_remedy_beside_the_tanh_rnn()
    {
        var page = await lesson.OpenAsync();
        var form = page.Locator("form[data-section=remedies]");
        await form.Locator("[name=cell]").SelectOptionAsync("exprnn");
        await form.Locator("[name=distance]").FillAsync("8");
        await form.Locator("[name=steps]").FillAsync("25");
        await form.Locator("[data-action=train]").ClickAsync();
        await lesson.WaitForAsync(page, "() => document.querySelector('form[data-section=remedies]').dataset.finished === '2'", "#remedies-status");

        var loss = await Plots.SeriesAsync(page, "plot-remedies-loss");
        var acc = await Plots.SeriesAsync(page, "plot-remedies-acc");
        foreach (var (index, cell) in new[] { (0, "rnn"), (1, "exprnn") })
        {
            var run = LibraryRun($"task=remedies&cell={cell}&steps=25&distance=8", out _);
            Plots.AssertClose(run.Select(s => s.Loss).ToArray(), Plots.Values(loss, index, "y"), 1e-12, $"{cell} loss");
            Plots.AssertClose(run.Select(s => s.Metric).ToArray(), Plots.Values(acc, index, "y"), 1e-12, $"{cell} accuracy");
        }
        string status = await Status(page, "remedies");
        Assert.Contains("tanh RNN: tanh RNN, distance 8, hidden 16, 25 steps", status);
        // The status states the rate each run trains with: expRNN at a third of the form's 0.01 (RMSProp), A at a tenth of that.
        Assert.Contains("tanh RNN: tanh RNN, distance 8, hidden 16, 25 steps, adam lr 0.01, seed", status);
        Assert.Contains("remedy: expRNN, distance 8, hidden 16, 25 steps, rmsprop lr 0.00333, A at 0.000333, seed", status);
        Assert.Contains("25 steps, held-out accuracy", status);
        await lesson.ScreenshotAsync(page, "8-remedies", "#remedies");

        // The library's configuration of each remedy is the remedies experiment's.
        var exprnn = LessonTraining.Config(TrainRequest.Read(new Inputs(new QueryCollection(QueryHelpers.ParseQuery("task=remedies&cell=exprnn"))))!);
        Assert.Equal(("exprnn", "rmsprop", "cayley"), (exprnn.Cell, exprnn.Optimizer, exprnn.Init));
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_distance_typed_and_trained_at_once_is_the_distance_trained_and_shown()
    {
        var page = await lesson.OpenAsync();
        var form = page.Locator("form[data-section=agreement]");
        // Type and click without waiting for the sentence to be redrawn: the click reads the field itself.
        await page.Locator("#sentence-distance").FillAsync("30");
        await form.Locator("[data-action=train]").ClickAsync();
        await lesson.WaitForAsync(page, "() => document.querySelector('form[data-section=agreement]').dataset.finished === '2'", "#agreement-status");

        Assert.Equal("30", await page.EvaluateAsync<string>("() => window.__plots['plot-agreement-loss'].params.distance"));
        string status = await Status(page, "agreement");
        Assert.Contains("tanh RNN: tanh RNN, distance 30, hidden 16, 150 steps", status);
        Assert.Contains("LSTM: LSTM, distance 30, hidden 16, 150 steps", status);
        string legend = await page.Locator("#plot-agreement-acc .legend").InnerTextAsync();
        Assert.Contains("tanh RNN, distance 30, hidden 16, 150 steps", legend);

        // What the section's text says happens at 30 steps: the tanh RNN stays near chance, the LSTM learns.
        LibraryRun("task=agreement&cell=rnn&distance=30", out var rnn);
        LibraryRun("task=agreement&cell=lstm&distance=30", out var lstm);
        Assert.InRange(rnn.TestMetric, 0.4, 0.6);
        Assert.Equal(1.0, lstm.TestMetric);
        var acc = await Plots.SeriesAsync(page, "plot-agreement-acc");
        Assert.Equal(150, Plots.Values(acc, 0, "x").Length);
        Assert.Contains($"held-out accuracy {rnn.TestMetric:0.00}", status);

        // An invalid distance is refused beside its field, and nothing is trained.
        await page.Locator("#sentence-distance").FillAsync("41");
        await form.Locator("[data-action=train]").ClickAsync();
        Assert.Contains("between 1 and 40", await page.Locator("#sentence-distance-msg").InnerTextAsync());
        Assert.StartsWith("Not started", await Status(page, "agreement"));
        Assert.Equal("false", await form.GetAttributeAsync("data-running"));
        await page.CloseAsync();
    }

    [Fact]
    public async Task At_its_defaults_the_exploding_section_lets_rho_decide_and_replays_the_run()
    {
        var page = await lesson.OpenAsync();
        var form = page.Locator("form[data-section=exploding]");
        const string Finished = "() => document.querySelector('form[data-section=exploding]').dataset.finished === '2'";
        await form.Locator("[data-action=train]").ClickAsync();
        await lesson.WaitForAsync(page, Finished, "#exploding-status");

        // ρ > 1 (the default): without clipping the run reaches NaN; with clipping it stays finite.
        var d = LessonTraining.Exploding;
        string defaults = $"task=exploding&rho={d.Number("rho").Default}&lr={d.Number("lr").Default}&steps={d.Number("steps").Default}";
        Assert.True(d.Number("rho").Default > 1);
        var off = LibraryRun(defaults + "&clipping=false", out var offOutcome);
        var on = LibraryRun(defaults + "&clipping=true", out var onOutcome);
        Assert.NotNull(offOutcome.DivergedAt);
        Assert.Null(onOutcome.DivergedAt);
        var grad = await Plots.SeriesAsync(page, "plot-exploding-grad");
        Plots.AssertClose(off.Select(s => s.GradNorm).ToArray(), Plots.Values(grad, 0, "y"), 1e-12, "gradient norm, clipping off");
        Plots.AssertClose(on.Select(s => s.GradNorm).ToArray(), Plots.Values(grad, 1, "y"), 1e-12, "gradient norm, clipping on");
        var markers = await page.EvaluateAsync<double[]>("() => window.__plots['plot-exploding-grad'].markers.map(m => m.x)");
        Assert.Equal([(double)offOutcome.DivergedAt!.Value], markers);
        Assert.Contains($"NaN at step {offOutcome.DivergedAt}", await page.Locator("#plot-exploding-grad .legend").InnerTextAsync());
        Assert.Equal(new[] { 1.0 / 6.0 }, await page.EvaluateAsync<double[]>("() => window.__plots['plot-exploding-loss'].hlines.map(l => l.y)"));
        Assert.Contains("no clipping", await Status(page, "exploding"));
        await lesson.ScreenshotAsync(page, "6-exploding", "#exploding");

        // Replay: one step at a time, then a scrubbed position; the plots show the run up to that step.
        await form.Locator("xpath=following-sibling::fieldset[contains(@class,'replay')]").WaitForAsync();
        var replay = page.Locator("#exploding .replay");
        await replay.Locator("input[type=range]").EvaluateAsync("(e) => { e.value = '10'; e.dispatchEvent(new Event('input', { bubbles: true })); }");
        Assert.Equal(10, await page.EvaluateAsync<int>("() => window.__plots['plot-exploding-grad'].series[1].x.length"));
        await replay.Locator("[data-replay=step]").ClickAsync();
        Assert.Equal(11, await page.EvaluateAsync<int>("() => window.__plots['plot-exploding-grad'].series[1].x.length"));
        Assert.Empty(await page.EvaluateAsync<double[]>("() => window.__plots['plot-exploding-grad'].markers.map(m => m.x)"));
        await replay.Locator("[data-replay=play]").ClickAsync();
        await page.WaitForFunctionAsync($"() => window.__plots['plot-exploding-grad'].series[1].x.length === {on.Count}");

        // ρ < 1 at the same learning rate: both runs stay finite; the previous runs stay behind as ghosts.
        await page.Locator("#exploding-rho").EvaluateAsync("(e) => { e.value = '0.9'; e.dispatchEvent(new Event('input', { bubbles: true })); }");
        await form.Locator("[data-action=train]").ClickAsync();
        await lesson.WaitForAsync(page, Finished + " && window.__plots['plot-exploding-grad'].params.rho === '0.9'", "#exploding-status");
        LibraryRun(defaults.Replace($"rho={d.Number("rho").Default}", "rho=0.9") + "&clipping=false", out var stable);
        Assert.Null(stable.DivergedAt);
        Assert.Empty(await page.EvaluateAsync<double[]>("() => window.__plots['plot-exploding-grad'].markers.map(m => m.x)"));
        Assert.Equal(2, await page.EvaluateAsync<int>("() => window.__plots['plot-exploding-grad'].series.filter(s => s.ghost).length"));
        await page.CloseAsync();
    }

    [Fact]
    public async Task Invalid_values_get_a_message_beside_the_field_and_stop_ends_a_run()
    {
        var page = await lesson.OpenAsync();
        var form = page.Locator("form[data-section=agreement]");
        await form.Locator("[name=hidden]").FillAsync("999");
        await form.Locator("[data-action=train]").ClickAsync();
        var msg = form.Locator(".msg[data-for=hidden]");
        await msg.WaitForAsync();
        Assert.Contains("between 1 and 32", await msg.InnerTextAsync());

        // A long run (LSTM at distance 40, 400 steps), stopped after a few steps.
        var gate = lesson.App.Services.GetRequiredService<TrainingGate>();
        await page.Locator("#sentence-distance").FillAsync("40");
        await form.Locator("[name=hidden]").FillAsync("32");
        await form.Locator("[name=steps]").FillAsync("400");
        await form.Locator("[data-action=train]").ClickAsync();
        await lesson.WaitForAsync(page, "() => (window.__plots['plot-agreement-loss']?.series[1]?.x.length ?? 0) >= 2", "#agreement-status");
        await form.Locator("[data-action=stop]").ClickAsync();
        Assert.Equal("stopped", await Status(page, "agreement"));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (gate.Running > 0 && clock.Elapsed < TimeSpan.FromSeconds(15)) await Task.Delay(50);
        Assert.Equal(0, gate.Running);
        int plotted = await page.EvaluateAsync<int>("() => window.__plots['plot-agreement-loss'].series[1].x.length");
        Assert.InRange(plotted, 2, 399);
        await page.CloseAsync();
    }
}
