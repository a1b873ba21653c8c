using System.Text.Json;

namespace RnnLab.Tests;

/// <summary>
/// The check that a JSON text holds no non-finite number, shared by the command-line and the web tests (compiled
/// into both): it parses (a bare NaN or Infinity token does not) and no string in it is "NaN", "Infinity" or
/// "-Infinity" (prose that mentions NaN is fine).
/// </summary>
public static class FiniteJsonCheck
{
    public static void AssertFinite(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var found = new List<string>();
        void Walk(JsonElement e, string path)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object: foreach (var p in e.EnumerateObject()) Walk(p.Value, path + "." + p.Name); break;
                case JsonValueKind.Array: int i = 0; foreach (var v in e.EnumerateArray()) Walk(v, $"{path}[{i++}]"); break;
                case JsonValueKind.String when e.GetString() is "NaN" or "Infinity" or "-Infinity": found.Add($"{path} = {e.GetString()}"); break;
            }
        }
        Walk(doc.RootElement, "");
        Assert.Empty(found);
    }
}
