using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace RnnLab.Web.Sections;

/// <summary>
/// Live training for sections 5 and 6, streamed as Server-Sent Events: <c>queued</c> (runs ahead), <c>started</c>,
/// one <c>step</c> per training step, then <c>done</c> or <c>failed</c>. A run stops when its browser goes away
/// (the request is aborted), when the wall-time limit passes, or after its step budget. All of a run's state lives
/// in its request; the shared <see cref="TrainingGate"/> only decides who may train now.
/// </summary>
static class TrainingEndpoints
{
    public static void MapTraining(this IEndpointRouteBuilder app)
    {
        // The page checks a configuration first, so that a bad value becomes a message beside its field
        // (an EventSource cannot read a 400's body).
        app.MapGet("/api/train/check", (HttpRequest request) =>
        {
            var q = new Inputs(request.Query);
            var r = TrainRequest.Read(q);
            return q.Problem ?? Results.Ok(r);
        });

        app.MapGet("/api/train/stream", Stream);
    }

    static async Task Stream(HttpContext http, TrainingGate gate, LessonOptions options, IOptions<JsonOptions> json)
    {
        var q = new Inputs(http.Request.Query);
        var request = TrainRequest.Read(q);
        if (q.Problem is { } bad) { await bad.ExecuteAsync(http); return; }

        var jsonOptions = json.Value.SerializerOptions;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        limit.CancelAfter(options.TrainingWallTime);
        var ct = limit.Token;

        async Task Send(string name, object data)
        {
            await http.Response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(data, jsonOptions)}\n\n", CancellationToken.None);
            await http.Response.Body.FlushAsync(CancellationToken.None);
        }

        try
        {
            await Send("open", new { request });
            using var slot = await gate.EnterAsync(ahead => Send("queued", new { ahead }), ct);
            if (slot is null)
            {
                await Send("failed", new { error = "the server is busy training other runs; try again in a minute" });
                return;
            }
            await Send("started", new { request });

            var steps = Channel.CreateUnbounded<TrainStep>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var run = Task.Factory.StartNew(() =>
            {
                try { return LessonTraining.Run(request, s => steps.Writer.TryWrite(s), ct); }
                finally { steps.Writer.TryComplete(); }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

            await foreach (var s in steps.Reader.ReadAllAsync(CancellationToken.None))
                if (!http.RequestAborted.IsCancellationRequested) await Send("step", s);
            var outcome = await run;

            if (http.RequestAborted.IsCancellationRequested) return;
            bool agreement = request.Task == "agreement";
            string text = outcome.DivergedAt is int n ? $"diverged at step {n}: loss or gradient NaN"
                : outcome.Stopped ? $"stopped at the {options.TrainingWallTime.TotalSeconds:0} s limit after {outcome.Steps} steps"
                : agreement ? $"{outcome.Steps} steps, held-out accuracy {outcome.TestMetric:0.00} (chance {outcome.ChanceMetric:0.00})"
                : $"{outcome.Steps} steps, held-out loss {outcome.TestLoss:0.###} (chance {outcome.ChanceLoss:0.###})";
            await Send("done", new
            {
                steps = outcome.Steps, outcome.Loss, outcome.Metric, outcome.TestLoss, outcome.TestMetric, outcome.ChanceLoss,
                outcome.ChanceMetric, outcome.MetricName, nanStep = outcome.DivergedAt, timedOut = outcome.Stopped, text,
            });
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Left while waiting in line, or the wall time passed while queued.
            if (!http.RequestAborted.IsCancellationRequested)
                await Send("failed", new { error = $"waited longer than the {options.TrainingWallTime.TotalSeconds:0} s limit for a free slot" });
        }
        catch (IOException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The browser went away mid-write; the run has already been cancelled through the same token.
        }
    }
}
