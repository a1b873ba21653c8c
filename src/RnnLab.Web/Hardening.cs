using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RnnLab.Web;

/// <summary>
/// What every response carries and what every request must show. Headers: no MIME sniffing, a Content-Security-Policy
/// that allows only this origin's scripts and styles and no framing, no referrer. Requests whose Host is not an address
/// this server answers to are refused, so a page on another site that rebinds its DNS name to 127.0.0.1 cannot drive
/// the lesson (or fill its training queue). Any error without a body gets a JSON one, as the page reads them.
/// </summary>
static class Hardening
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    static readonly string[] LoopbackNames = ["localhost", "127.0.0.1", "[::1]", "::1"];

    /// <summary>
    /// Host names a request may name: loopback always, and each host in <paramref name="urls"/>. Null means any host:
    /// the server listens on a wildcard address, so its name on the network cannot be known here.
    /// </summary>
    public static HashSet<string>? AllowedHosts(string urls)
    {
        var hosts = new HashSet<string>(LoopbackNames, StringComparer.OrdinalIgnoreCase);
        foreach (string url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string host = Uri.TryCreate(url.Replace("://*", "://any-host", StringComparison.Ordinal).Replace("://+", "://any-host", StringComparison.Ordinal), UriKind.Absolute, out var u)
                ? u.Host : "any-host";
            if (host is "any-host" or "0.0.0.0" or "[::]") return null;
            hosts.Add(host);
        }
        return hosts;
    }

    public static void UseHardening(this WebApplication app, LessonOptions options)
    {
        var allowed = AllowedHosts(options.Urls);
        app.Use(async (http, next) =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            if (allowed is not null && !allowed.Contains(http.Request.Host.Host))
            {
                await WriteError(http, StatusCodes.Status400BadRequest,
                    $"this server answers to {string.Join(", ", allowed.Where(h => h != "::1"))} only, not to '{http.Request.Host.Host}'");
                return;
            }
            await next(http);
            if (!http.Response.HasStarted && http.Response.StatusCode >= 400 && (http.Response.ContentLength ?? 0) == 0 && http.Response.ContentType is null)
                await WriteError(http, http.Response.StatusCode, http.Response.StatusCode switch
                {
                    StatusCodes.Status404NotFound => $"no such page or endpoint: {http.Request.Path}",
                    StatusCodes.Status405MethodNotAllowed => $"{http.Request.Method} is not allowed on {http.Request.Path}",
                    _ => $"the request was refused ({http.Response.StatusCode})",
                });
        });
    }

    static Task WriteError(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        var options = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;   // the page's JSON conventions, as every other answer
        return http.Response.WriteAsync(JsonSerializer.Serialize(new { error = message }, options));
    }
}
