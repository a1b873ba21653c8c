using System.Text.Json;

namespace RnnLab.Tests.Cli;

/// <summary>Reading a --json answer as its envelope documents it (<see cref="RnnLab.Cli.JsonEnvelope"/>).</summary>
public static class CliJson
{
    /// <summary>Checks the envelope's first keys and returns its parameters.</summary>
    public static JsonElement Envelope(JsonElement answer)
    {
        var keys = answer.EnumerateObject().Take(3).Select(p => p.Name).ToArray();
        Assert.Equal(["rnnlab_version", "schema", "parameters"], keys);
        Assert.Equal(RnnLab.Cli.Version.Text, answer.GetProperty("rnnlab_version").GetString());
        Assert.Equal(1, answer.GetProperty("schema").GetInt32());
        return answer.GetProperty("parameters");
    }

    /// <summary>A log10 array: null is −∞ where KEY_zero_at lists the index (the norm is exactly 0), NaN elsewhere.</summary>
    public static double[] Log10(JsonElement parent, string key)
    {
        var zeros = parent.TryGetProperty(key + "_zero_at", out var z) ? z.EnumerateArray().Select(v => v.GetInt32()).ToHashSet() : [];
        return [.. parent.GetProperty(key).EnumerateArray().Select((v, i) =>
            v.ValueKind == JsonValueKind.Number ? v.GetDouble() : zeros.Contains(i) ? double.NegativeInfinity : double.NaN)];
    }
}
