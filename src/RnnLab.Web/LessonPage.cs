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
    static readonly Dictionary<string, (byte[] Body, string ContentType)> Assets = Load();

    static Dictionary<string, (byte[], string)> Load()
    {
        var asm = typeof(LessonPage).Assembly;
        var table = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (string name in asm.GetManifestResourceNames())
        {
            if (!name.StartsWith("wwwroot/", StringComparison.Ordinal)) continue;
            using var s = asm.GetManifestResourceStream(name)!;
            using var m = new MemoryStream();
            s.CopyTo(m);
            table[name["wwwroot/".Length..]] = (m.ToArray(), ContentType(name));
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
        app.MapGet("/", () => Asset("index.html"));
        app.MapGet("/assets/{name}", (string name) => Asset(name));
        return app;
    }

    static IResult Asset(string name) =>
        Assets.TryGetValue(name, out var a) ? Results.Bytes(a.Body, a.ContentType) : Results.NotFound();
}
