using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RnnLab.Web.Sections;

namespace RnnLab.Web;

/// <summary>
/// The interactive lesson: a minimal-API app whose endpoints return JSON computed by the RnnLab library and a
/// small embedded page that plots it. This file is the table of contents: one line per section, in the lesson's
/// order; each section's endpoints live in their own file under Sections/.
/// </summary>
public static class LessonServer
{
    public static WebApplication Build(LessonOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(options.Urls);
        // Warnings and errors only; start-up failures (such as a port in use) are reported by the caller, once.
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.Services.ConfigureHttpJsonOptions(o => JsonSetup.Configure(o.SerializerOptions));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new TrainingGate(options.ConcurrentTrainingRuns, options.TrainingQueueLength));

        var app = builder.Build();
        app.UseHardening(options);                                   // security headers, Host check, JSON error bodies
        app.MapLessonPage();                                         // the page, its script and style (embedded)
        var api = app.MapGroup("").AddEndpointFilter(JsonSetup.FiniteAnswers);   // every answer: NaN and ±∞ as null
        api.MapGet("/api/limits", () => Limits.Describe(options));   // caps shown beside the controls
        api.MapRefresher();                                          // 1. eigenvalues and matrix powers
        api.MapDecay();                                              // 2. ρ^(T−1) and the lesson's table
        api.MapJacobian();                                           // 3. spectra, flow profile, Lyapunov, horizon
        api.MapDepth();                                              // 4. feedforward layers vs recurrent steps
        api.MapSentence();                                           // 5. the lesson's sentence, subject to verb
        api.MapTraining();                                           // 5 and 6. live training, streamed (SSE)
        api.MapCellPath();                                           // 7. the LSTM cell path beside the tanh RNN
        api.MapQuiz();                                               // 8. quiz with explanations and a score
        return app;
    }

    /// <summary>Starts listening and returns the address actually bound (useful with port 0).</summary>
    public static async Task<string> StartAsync(WebApplication app, CancellationToken ct = default)
    {
        await app.StartAsync(ct).ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return addresses.First();
    }

    /// <summary>
    /// Runs until <paramref name="ct"/> is cancelled (Ctrl+C in <c>rnnlab serve</c>) or the host is told to stop
    /// (SIGTERM, handled by the host's console lifetime).
    /// </summary>
    public static async Task RunAsync(LessonOptions options, Action<string> onListening, CancellationToken ct)
    {
        await using var app = Build(options);
        onListening(await StartAsync(app, ct).ConfigureAwait(false));
        try { await app.WaitForShutdownAsync(ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
    }
}
