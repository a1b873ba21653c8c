using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RnnLab.Web;

/// <summary>JSON as the page reads it: camelCase, ±Infinity/NaN as strings, complex numbers as [re, im].</summary>
static class JsonSetup
{
    public static void Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
        o.Converters.Add(new ComplexConverter());
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
    }

    sealed class ComplexConverter : JsonConverter<Complex>
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
}
