using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RnnLab.Training;
using Xunit.Abstractions;

namespace RnnLab.Web.Tests;

/// <summary>
/// Many visitors training at once, over loopback only, bounded in time: every stream finishes, none fails, none
/// receives another's numbers, and the server's memory stays bounded. Figures go to artifacts/load-test.json.
/// </summary>
[Collection(BrowserCollection.Name)]
public class LoadTests(LessonFixture lesson, ITestOutputHelper output)
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    sealed record StreamResult(int Session, List<(int Step, double Loss)> Steps, string? Done, string? Failed, double Seconds);

    static async Task<StreamResult> ReadStream(HttpClient http, string url, int session, CancellationToken ct, int stopAfterSteps = int.MaxValue)
    {
        var clock = Stopwatch.StartNew();
        var steps = new List<(int, double)>();
        string? done = null, failed = null, evt = null;
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) evt = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                using var data = JsonDocument.Parse(line[6..]);
                if (evt == "step")
                {
                    var r = data.RootElement;
                    steps.Add((r.GetProperty("step").GetInt32(), Plots.ToDouble(r.GetProperty("loss"))));
                    if (steps.Count >= stopAfterSteps) break;
                }
                else if (evt == "done") { done = line[6..]; break; }
                else if (evt == "failed") { failed = line[6..]; break; }
            }
        }
        return new StreamResult(session, steps, done, failed, clock.Elapsed.TotalSeconds);
    }

    [Fact]
    public async Task Thirty_concurrent_training_sessions_all_finish_unmixed_with_bounded_memory_while_pages_are_served()
    {
        const int Sessions = 30, Steps = 150;   // the page's default run length
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        using var budget = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        string Query(int i) => $"task=agreement&cell={(i % 2 == 0 ? "rnn" : "lstm")}&hidden=16&steps={Steps}&distance=13&seed={i + 1}";

        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        var process = Process.GetCurrentProcess();
        process.Refresh();
        long before = process.WorkingSet64;
        long peak = before;
        using var sampler = new Timer(_ => { var p = Process.GetCurrentProcess(); if (p.WorkingSet64 > Interlocked.Read(ref peak)) Interlocked.Exchange(ref peak, p.WorkingSet64); }, null, 0, 100);

        var clock = Stopwatch.StartNew();
        var streams = Task.WhenAll(Enumerable.Range(0, Sessions).Select(i =>
            ReadStream(http, $"{lesson.Url}/api/train/stream?{Query(i)}", i, budget.Token)));
        // Meanwhile a visitor reads the page and moves a control: those requests do not wait for the trainings.
        var pageSeconds = new List<double>();
        while (!streams.IsCompleted)
        {
            foreach (string path in new[] { "/", "/api/decay?rho=0.7", "/api/limits" })
            {
                var one = Stopwatch.StartNew();
                var r = await http.GetAsync(lesson.Url + path, budget.Token);
                Assert.True(r.IsSuccessStatusCode, $"{path} answered {(int)r.StatusCode} during the load");
                pageSeconds.Add(one.Elapsed.TotalSeconds);
            }
            await Task.Delay(50);
        }
        var results = await streams;
        double wall = clock.Elapsed.TotalSeconds;

        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        process.Refresh();
        long after = process.WorkingSet64;

        foreach (var r in results)
        {
            Assert.True(r.Failed is null, $"session {r.Session} failed: {r.Failed}");
            Assert.True(r.Done is not null, $"session {r.Session} ended without a done event");
            Assert.Equal(Enumerable.Range(1, Steps), r.Steps.Select(s => s.Step));
        }
        // No mixing: each session's stream is exactly the library's run of its own configuration.
        foreach (int i in new[] { 0, 1, Sessions - 1 })
        {
            var q = new Inputs(new Microsoft.AspNetCore.Http.QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(Query(i))));
            var expected = new List<double>();
            TrainingRun.Run(LessonTraining.Config(TrainRequest.Read(q)!), onLog: s => expected.Add(s.Loss));
            Assert.Equal(expected, results[i].Steps.Select(s => s.Loss));
        }
        var gate = lesson.App.Services.GetRequiredService<TrainingGate>();
        Assert.Equal(0, gate.Running);
        Assert.Equal(0, gate.Waiting);

        double mb(long bytes) => Math.Round(bytes / 1048576.0, 1);
        var figures = new
        {
            sessions = Sessions, stepsPerSession = Steps, concurrentSlots = new LessonOptions().ConcurrentTrainingRuns,
            wallSeconds = Math.Round(wall, 2),
            slowestSessionSeconds = Math.Round(results.Max(r => r.Seconds), 2),
            fastestSessionSeconds = Math.Round(results.Min(r => r.Seconds), 2),
            workingSetBeforeMB = mb(before), workingSetPeakMB = mb(peak), workingSetAfterMB = mb(after),
            failed = results.Count(r => r.Failed is not null),
            pageRequests = pageSeconds.Count, slowestPageSeconds = Math.Round(pageSeconds.DefaultIfEmpty(0).Max(), 3),
        };
        string json = JsonSerializer.Serialize(figures, Indented);
        output.WriteLine(json);
        Directory.CreateDirectory(LessonFixture.ArtifactsDir);
        File.WriteAllText(Path.Combine(LessonFixture.ArtifactsDir, "load-test.json"), json);
        // Measured here: 167 MB before, 183 MB at the peak with 30 sessions (artifacts/load-test.json). Each run holds a few MB; the bound leaves
        // room for the test host's own noise, not for a leak of one run per session.
        Assert.True(peak - before < 200L * 1048576, $"working set peaked {mb(peak - before)} MB above its start");
        Assert.True(after - before < 150L * 1048576, $"working set grew by {mb(after - before)} MB");
        Assert.NotEmpty(pageSeconds);
        Assert.True(pageSeconds.Max() < 2, $"a page request took {pageSeconds.Max():0.00} s during the load");
    }

    [Fact]
    public async Task A_run_stops_when_its_browser_goes_away()
    {
        var gate = lesson.App.Services.GetRequiredService<TrainingGate>();
        using var http = new HttpClient();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            // A long run (LSTM at the largest distance and step budget): read two steps, then hang up.
            var r = await ReadStream(http, $"{lesson.Url}/api/train/stream?task=agreement&cell=lstm&hidden=32&steps=400&distance=40", 0, cts.Token, stopAfterSteps: 2);
            Assert.Equal(2, r.Steps.Count);
        }
        var clock = Stopwatch.StartNew();
        while (gate.Running > 0 && clock.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
        Assert.Equal(0, gate.Running);
        output.WriteLine($"slot released {clock.Elapsed.TotalMilliseconds:0} ms after the client hung up");
    }

    [Fact]
    public async Task A_full_queue_answers_503_with_Retry_After_before_the_stream_starts()
    {
        await using var app = LessonServer.Build(new LessonOptions { Urls = "http://127.0.0.1:0", ConcurrentTrainingRuns = 1, TrainingQueueLength = 0 });
        string url = await LessonServer.StartAsync(app);
        var gate = app.Services.GetRequiredService<TrainingGate>();
        using var http = new HttpClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var first = await http.GetAsync($"{url}/api/train/stream?task=agreement&cell=lstm&hidden=32&steps=400&distance=40", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        var clock = Stopwatch.StartNew();
        while (gate.Running == 0 && clock.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(20);
        Assert.Equal(1, gate.Running);

        using var second = await http.GetAsync($"{url}/api/train/stream?task=agreement", cts.Token);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter?.Delta);
        Assert.Contains("busy", await second.Content.ReadAsStringAsync(cts.Token));
    }

    [Fact]
    public async Task A_waiting_run_is_told_its_place_again_when_the_line_moves()
    {
        using var gate = new TrainingGate(1, 5);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var held = await gate.EnterAsync(_ => Task.CompletedTask, cts.Token);
        var first = new List<int>();
        var second = new List<int>();
        var a = gate.EnterAsync(n => { lock (first) first.Add(n); return Task.CompletedTask; }, cts.Token);
        while (gate.Waiting < 1) await Task.Delay(10);
        var b = gate.EnterAsync(n => { lock (second) second.Add(n); return Task.CompletedTask; }, cts.Token);
        while (gate.Waiting < 2) await Task.Delay(10);
        Assert.Equal([0], first);
        Assert.Equal([1], second);

        held!.Dispose();                      // the running one finishes: the first waiter trains
        using var slotA = await a;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(5)) { lock (second) if (second.Count == 2) break; await Task.Delay(20); }
        Assert.Equal([1, 0], second);         // ... and the second is told it is next
        slotA!.Dispose();
        using var slotB = await b;
        Assert.NotNull(slotB);
    }
}
