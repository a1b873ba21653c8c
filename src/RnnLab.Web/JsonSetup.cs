using System.Text.Json;
using System.Text.Json.Serialization;
using RnnLab.Numerics;

namespace RnnLab.Web;

/// <summary>JSON as the page reads it: camelCase, ±Infinity/NaN as strings, complex numbers as [re, im].</summary>
static class JsonSetup
{
    public static void Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
        o.Converters.Add(new ComplexJsonConverter());
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
    }
}
