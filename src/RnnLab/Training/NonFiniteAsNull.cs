using System.Text.Json;
using System.Text.Json.Serialization;

namespace RnnLab.Training;

/// <summary>
/// JSON numbers as every JSON reader understands them: a NaN or infinite double (a diverged loss, the log10 of a
/// norm that is exactly zero) is written <c>null</c>, and <c>null</c> reads back as NaN. Named literals such as
/// "NaN" are still accepted on input, for files written before.
/// </summary>
public sealed class NonFiniteAsNull : JsonConverter<double>
{
    public override bool HandleNull => true;

    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => double.NaN,
        JsonTokenType.String => reader.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var s => throw new JsonException($"'{s}' is not a number"),
        },
        _ => reader.GetDouble(),
    };

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteNullValue();
    }
}
