using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace RnnLab.Training;

/// <summary>
/// JSON that every reader takes: NaN and ±∞ are written <c>null</c>. A null would hide one meaning, which is kept
/// in a field beside it: in a log10 array (a key starting with "log10") an entry of −∞ says the norm is exactly 0
/// (a dead ReLU, the block ∂h_T/∂c_T); such entries are null and the sibling <c>&lt;key&gt;_zero_at</c>
/// (<c>&lt;key&gt;ZeroAt</c> in camelCase) lists their indices. Any other null is a NaN or an overflow.
/// </summary>
public static class FiniteJson
{
    const string NaN = "NaN", Infinity = "Infinity", MinusInfinity = "-Infinity";

    /// <summary>
    /// <paramref name="options"/> with NaN and ±∞ written as the strings "NaN", "Infinity", "-Infinity" (no
    /// <see cref="NonFiniteAsNull"/>), so <see cref="Finish"/> can tell −∞ from NaN before writing null.
    /// </summary>
    public static JsonSerializerOptions Marking(JsonSerializerOptions options)
    {
        var marking = new JsonSerializerOptions(options) { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
        foreach (var c in marking.Converters.OfType<NonFiniteAsNull>().ToList()) marking.Converters.Remove(c);
        return marking;
    }

    /// <summary>
    /// <paramref name="value"/> as a JSON tree with non-finite numbers null and each log10 array's exact zeros listed;
    /// <paramref name="zeroAtKey"/> names the sibling for a key (snake_case: key + "_zero_at").
    /// </summary>
    public static JsonNode? ToNode(object? value, JsonSerializerOptions marking, Func<string, string> zeroAtKey)
    {
        var node = JsonSerializer.SerializeToNode(value, value?.GetType() ?? typeof(object), marking);
        return Finish(node, zeroAtKey);
    }

    /// <summary>Replaces the marked non-finite numbers in <paramref name="node"/> (in place where it can) and returns it.</summary>
    public static JsonNode? Finish(JsonNode? node, Func<string, string> zeroAtKey)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToList())
                {
                    if (child is JsonArray array && key.StartsWith("log10", StringComparison.Ordinal) && ZeroAt(array) is JsonArray zeros)
                        o.Insert(o.IndexOf(key) + 1, zeroAtKey(key), zeros);
                    var finished = Finish(child, zeroAtKey);
                    if (!ReferenceEquals(finished, child)) o[key] = finished;
                }
                return o;
            case JsonArray a:
                for (int i = 0; i < a.Count; i++)
                {
                    var child = a[i];
                    var finished = Finish(child, zeroAtKey);
                    if (!ReferenceEquals(finished, child)) a[i] = finished;
                }
                return a;
            case JsonValue v when Marked(v) is not null:
                return null;
            default:
                return node;
        }
    }

    /// <summary>The indices holding −∞; null when there are none.</summary>
    static JsonArray? ZeroAt(JsonArray array)
    {
        var zeros = Enumerable.Range(0, array.Count).Where(i => array[i] is JsonValue v && Marked(v) == MinusInfinity).ToList();
        return zeros.Count == 0 ? null : new JsonArray([.. zeros.Select(i => (JsonNode)i)]);
    }

    /// <summary>"NaN", "Infinity" or "-Infinity" when <paramref name="v"/> is one of those marks, else null.</summary>
    static string? Marked(JsonValue v)
    {
        if (v.GetValueKind() != JsonValueKind.String) return null;
        string s = v.GetValue<string>();
        return s is NaN or Infinity or MinusInfinity ? s : null;
    }
}
