using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RnnLab.Numerics;

/// <summary>A complex number in JSON as the pair [re, im] (as NumPy's and JavaScript's readers take it), both ways.</summary>
public sealed class ComplexJsonConverter : JsonConverter<Complex>
{
    public override Complex Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var pair = JsonSerializer.Deserialize<double[]>(ref reader, options) ?? throw new JsonException("expected [re, im]");
        return pair.Length == 2 ? new Complex(pair[0], pair[1]) : throw new JsonException("expected [re, im]");
    }

    public override void Write(Utf8JsonWriter writer, Complex value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        JsonSerializer.Serialize(writer, value.Real, options);
        JsonSerializer.Serialize(writer, value.Imaginary, options);
        writer.WriteEndArray();
    }
}
