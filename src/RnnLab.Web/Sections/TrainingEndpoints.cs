using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RnnLab.Web.Sections;

/// <summary>
/// Live training for every training section (<see cref="LessonTraining.Sections"/>), streamed as Server-Sent Events:
/// <c>queued</c> (runs ahead), <c>started</c> (the configuration trained, as the server read it), one <c>step</c> per
/// training step, then <c>done</c> or <c>failed</c>; any exception ends the stream with <c>failed</c>. A server whose
/// queue is full answers 503 with Retry-After before the stream starts. A run stops when its browser goes away
/// (the request is aborted), when the wall-time limit passes, or after its step budget. All of a run's state lives
/// in its request; the shared <see cref="TrainingGate"/> only decides who may train now.
/// </summary>
static partial class TrainingEndpoints
{
    [LoggerMessage(Level = LogLevel.Error, Message = "training stream failed for {Request}")]
    static partial void StreamFailed(ILogger logger, Exception exception, TrainRequest? request);

    public static void MapTraining(this IEndpointRouteBuilder app)
    {
        // The page checks a configuration first, so that a bad value becomes a message beside its field
        // (an EventSource cannot read a 400's body).
        app.MapGet("/api/train/check", (HttpRequest request) =>
        {
            var q = new Inputs(request.Query);
            var r = TrainRequest.Read(q);
            if (q.Problem is { } bad) return bad;
            var task = Training.TaskCatalog.Create(LessonTraining.Config(r!));
            return Results.Ok(new
            {
                request = r, description = r!.Describe(), rates = r.Rates(),
                chance = new { loss = task.ChanceLoss, metric = task.ChanceMetric, metricName = task.MetricName, strategy = task.ChanceStrategy },
            });
        });

        app.MapGet("/api/train/stream", Stream);
    }

    /// <summary>Seconds a refused client is told to wait: about one default run's length behind a full queue.</summary>
    const int BusyRetrySeconds = 10;

    static async Task Stream(HttpContext http, TrainingGate gate, LessonOptions options, IOptions<JsonOptions> json, ILogger<TrainingGate> logger)
    {
        var q = new Inputs(http.Request.Query);
        var request = TrainRequest.Read(q);
        if (q.Problem is { } bad || request is null) { await (q.Problem ?? Results.BadRequest()).ExecuteAsync(http); return; }

        var jsonOptions = json.Value.SerializerOptions;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        limit.CancelAfter(options.TrainingWallTime);
        var ct = limit.Token;

        async Task Send(string name, object data)
        {
            if (!http.Response.HasStarted)
            {
                http.Response.ContentType = "text/event-stream";
                http.Response.Headers.CacheControl = "no-cache";
            }
            await http.Response.WriteAsync($"event: {name}\ndata: {JsonSetup.Finite(data, jsonOptions)!.ToJsonString(jsonOptions)}\n\n", CancellationToken.None);
            await http.Response.Body.FlushAsync(CancellationToken.None);
        }

        try
        {
            using var slot = await gate.EnterAsync(ahead => Send("queued", new { ahead }), ct);
            if (slot is null)
            {
                // Refused before anything was written: a real status the page (and any client) can act on.
                http.Response.Headers.RetryAfter = BusyRetrySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Results.Json(new { error = $"the server is busy training other runs; try again in {BusyRetrySeconds} s" },
                    statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(http);
                return;
            }
            await Send("started", new { request, description = request.Describe(), rates = request.Rates() });

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
            bool agreement = request.Task is "agreement" or "remedies";
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
        catch (Exception e) when (!http.RequestAborted.IsCancellationRequested)
        {
            // A bug, not bad input (that was refused above): say so on the page instead of dropping the connection.
            StreamFailed(logger, e, request);
            await Send("failed", new { error = $"the server failed while training ({e.GetType().Name}: {e.Message})" });
        }
    }
}
