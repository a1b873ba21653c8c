using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace RnnLab.Web;

/// <summary>
/// The page itself: index.html, its script, style and plotter, embedded in this assembly. Only the names found in
/// the assembly at start-up are served; a requested name is looked up in that fixed table, never used as a path.
/// </summary>
static class LessonPage
{
    static readonly Dictionary<string, (byte[] Body, string ContentType, string ETag)> Assets = Load();

    static Dictionary<string, (byte[], string, string)> Load()
    {
        var asm = typeof(LessonPage).Assembly;
        var table = new Dictionary<string, (byte[], string, string)>(StringComparer.Ordinal);
        foreach (string name in asm.GetManifestResourceNames())
        {
            if (!name.StartsWith("wwwroot/", StringComparison.Ordinal)) continue;
            using var s = asm.GetManifestResourceStream(name)!;
            using var m = new MemoryStream();
            s.CopyTo(m);
            byte[] body = m.ToArray();
            table[name["wwwroot/".Length..]] = (body, ContentType(name), $"\"{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(body))[..16]}\"");
        }
        return table;
    }

    static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };

    public static IEndpointRouteBuilder MapLessonPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext http) => Asset(http, "index.html"));
        app.MapGet("/assets/{name}", (HttpContext http, string name) => Asset(http, name));
        return app;
    }

    /// <summary>
    /// An embedded asset with a strong ETag (a hash of its bytes) and no-cache: the browser keeps its copy and
    /// revalidates, so a page served by a newer build is never mixed with an older script.
    /// </summary>
    static IResult Asset(HttpContext http, string name)
    {
        if (!Assets.TryGetValue(name, out var a)) return Results.NotFound();
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers.ETag = a.ETag;
        if (http.Request.Headers.IfNoneMatch.Contains(a.ETag)) return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(a.Body, a.ContentType);
    }
}
