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
        outcome = TrainingRun.Run(LessonTraining.Config(request), onLog: steps.Add);
        return steps;
    }

    [Fact]
    public async Task Sentence_distance_and_live_agreement_training_of_both_cells()
    {
        var page = await lesson.OpenAsync();
        var sentence = page.Locator("#sentence-text");
        Assert.Equal("cat", await sentence.Locator(".subject").GetAttributeAsync("data-word"));
        Assert.Equal("was", await sentence.Locator(".verb").GetAttributeAsync("data-word"));
        Assert.Equal("13", await sentence.GetAttributeAsync("data-distance"));

        // Shorten the distance: a sentence of the grammar at distance 6, the same the library draws.
        await page.Locator("form[data-section=sentence] [name=distance]").FillAsync("6");
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
        Assert.Contains("30 steps, held-out accuracy", await page.Locator("#agreement-status").InnerTextAsync());
        await lesson.ScreenshotAsync(page, "5-sentence-training", "#sentence");
        await page.CloseAsync();
    }

    [Fact]
    public async Task Exploding_run_marks_the_NaN_step_and_clipping_keeps_the_loss_finite()
    {
        var page = await lesson.OpenAsync();
        var form = page.Locator("form[data-section=exploding]");
        await form.Locator("[data-action=train]").ClickAsync();
        await lesson.WaitForAsync(page, "() => document.querySelector('form[data-section=exploding]').dataset.finished === '2'", "#exploding-status");

        var off = LibraryRun("task=exploding&cell=rnn&rho=2.5&lr=0.3&clip=1&steps=60&clipping=false", out var offOutcome);
        var on = LibraryRun("task=exploding&cell=rnn&rho=2.5&lr=0.3&clip=1&steps=60&clipping=true", out var onOutcome);
        Assert.NotNull(offOutcome.DivergedAt);
        Assert.Null(onOutcome.DivergedAt);

        var grad = await Plots.SeriesAsync(page, "plot-exploding-grad");
        Plots.AssertClose(off.Select(s => s.GradNorm).ToArray(), Plots.Values(grad, 0, "y"), 1e-12, "gradient norm, clipping off");
        Plots.AssertClose(on.Select(s => s.GradNorm).ToArray(), Plots.Values(grad, 1, "y"), 1e-12, "gradient norm, clipping on");
        var markers = await page.EvaluateAsync<double[]>("() => window.__plots['plot-exploding-grad'].markers.map(m => m.x)");
        Assert.Equal([(double)offOutcome.DivergedAt!.Value], markers);
        Assert.Contains($"NaN at step {offOutcome.DivergedAt}", await page.Locator("#plot-exploding-grad .legend").InnerTextAsync());
        await lesson.ScreenshotAsync(page, "6-exploding", "#exploding");
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
        await page.Locator("form[data-section=sentence] [name=distance]").FillAsync("40");
        await page.WaitForFunctionAsync("() => document.querySelector('#sentence-text').dataset.distance === '40'");
        await form.Locator("[name=hidden]").FillAsync("32");
        await form.Locator("[name=steps]").FillAsync("400");
        await form.Locator("[data-action=train]").ClickAsync();
        await lesson.WaitForAsync(page, "() => (window.__plots['plot-agreement-loss']?.series[1]?.x.length ?? 0) >= 2", "#agreement-status");
        await form.Locator("[data-action=stop]").ClickAsync();
        Assert.Equal("stopped", await page.Locator("#agreement-status").InnerTextAsync());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (gate.Running > 0 && clock.Elapsed < TimeSpan.FromSeconds(15)) await Task.Delay(50);
        Assert.Equal(0, gate.Running);
        int plotted = await page.EvaluateAsync<int>("() => window.__plots['plot-agreement-loss'].series[1].x.length");
        Assert.InRange(plotted, 2, 399);
        await page.CloseAsync();
    }
}
