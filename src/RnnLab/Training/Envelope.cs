using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using RnnLab.Numerics;

namespace RnnLab.Training;

/// <summary>
/// The one shape of every JSON answer of the command line and of the JSON files meant for machines (a run's
/// summary.json, an experiment's results.json, the lesson's results.json): an object that starts with
/// <c>"rnnlab_version"</c>, <c>"schema": 1</c> and <c>"parameters"</c> (what it was made with), followed by the
/// record's own keys, with numbers as <see cref="FiniteJson"/> writes them. A reader of the record ignores the three
/// leading keys, so files keep reading back as their records.
/// </summary>
public static class Envelope
{
    /// <summary>Raised when the layout changes in a way that breaks a reader.</summary>
    public const int Schema = 1;

    /// <summary>RnnLab's version as the build stamps it on every assembly (with the commit): what --version prints.</summary>
    public static string Version { get; } =
        typeof(Envelope).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    /// <summary>The library's JSON conventions, marking NaN and ±∞ for <see cref="FiniteJson"/>.</summary>
    public static JsonSerializerOptions Marking { get; } = FiniteJson.Marking(TrainingRun.Json);

    /// <summary>Snake_case, as every other key: log10_spectral_norm → log10_spectral_norm_zero_at.</summary>
    public static string ZeroAtKey(string key) => key + "_zero_at";

    /// <summary><paramref name="value"/> as a JSON tree with the library's conventions, non-finite numbers null.</summary>
    public static JsonNode? Node(object? value) => FiniteJson.ToNode(value, Marking, ZeroAtKey);

    /// <summary>The envelope: version, schema, <paramref name="parameters"/>, then the keys of <paramref name="body"/> (an object).</summary>
    public static JsonObject Build(JsonObject parameters, object body)
    {
        var envelope = new JsonObject { ["rnnlab_version"] = Version, ["schema"] = Schema, ["parameters"] = parameters };
        if (Node(body) is not JsonObject fields)
            throw new InvalidOperationException($"an enveloped answer must be an object, not {body.GetType().Name}");
        foreach (var (key, value) in fields.ToList())
        {
            fields.Remove(key);
            envelope[key] = value;
        }
        return envelope;
    }

    /// <summary>Writes the envelope of <paramref name="body"/> to <paramref name="path"/> atomically (temp file, then rename).</summary>
    public static void WriteFile(string path, object parameters, object body, bool indented)
    {
        var envelope = Build(Node(parameters) as JsonObject ?? throw new InvalidOperationException("parameters must be an object"), body);
        AtomicFile.Write(path, s =>
        {
            using var w = new Utf8JsonWriter(s, JsonEncoding.Writer(indented));
            envelope.WriteTo(w);
        });
    }
}
