using System.Text.Encodings.Web;
using System.Text.Json;

namespace RnnLab.Numerics;

/// <summary>
/// How every JSON writer of RnnLab encodes text (run folders, the command line's --json, safetensors headers, the
/// web's answers): only what JSON itself requires is escaped (quotes, backslash, control characters), so the
/// version "1.0.0+sha", "ρ" and "‖∂h‖" are written as they are. The default encoder would write '+' as \u002B
/// (it escapes HTML-sensitive characters), and so would <c>JavaScriptEncoder.Create(UnicodeRanges.All)</c>. Leaving
/// '&lt;' unescaped is safe here: no page inserts JSON text into HTML (the web page parses its answers and escapes
/// what it shows), and the web serves JSON as application/json with nosniff.
/// </summary>
public static class JsonEncoding
{
    public static JavaScriptEncoder Encoder => JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>Options of a <see cref="Utf8JsonWriter"/> with <see cref="Encoder"/>.</summary>
    public static JsonWriterOptions Writer(bool indented = false) => new() { Indented = indented, Encoder = Encoder };
}
