using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RnnLab.Numerics;
using RnnLab.Training;

namespace RnnLab.Web;

/// <summary>
/// JSON as the page reads it: camelCase, complex numbers as [re, im], and numbers as <see cref="FiniteJson"/> writes
/// them: NaN and ±∞ are null, and a log10 array that holds −∞ (the norm is exactly 0) has the indices beside it in
/// <c>&lt;key&gt;ZeroAt</c>, which the page reads to say "exactly 0 from k on" instead of drawing nothing. A value the
/// analysis refuses (a flow norm below <see cref="Analysis.FlowProfile.RoundingFloor"/>) is null too, with the library's
/// note in <c>&lt;key&gt;Note</c> (the CLI's <c>&lt;key&gt;_note</c>), which the page prints under the plot.
/// </summary>
static class JsonSetup
{
    /// <summary>The serializer options: they mark NaN and ±∞ as strings, which <see cref="Finite"/> then turns to null.</summary>
    public static void Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.Encoder = JsonEncoding.Encoder;
        o.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
        o.Converters.Add(new ComplexJsonConverter());
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
    }

    /// <summary>camelCase, as every other key: log10Norm → log10NormZeroAt.</summary>
    static string ZeroAtKey(string key) => key + "ZeroAt";

    /// <summary><paramref name="value"/> as the page receives it (also for each server-sent event).</summary>
    public static JsonNode? Finite(object? value, JsonSerializerOptions options) => FiniteJson.ToNode(value, options, ZeroAtKey);

    /// <summary>
    /// An endpoint filter for every API answer: the value an endpoint returns (a bare object or a JSON result, with
    /// its status code) is written through <see cref="Finite"/>; results that write themselves pass through.
    /// </summary>
    public static async ValueTask<object?> FiniteAnswers(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context).ConfigureAwait(false);
        var options = context.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        return result switch
        {
            IValueHttpResult { Value: { } value } and IStatusCodeHttpResult status => Results.Json(Finite(value, options), options, statusCode: status.StatusCode),
            IResult or null => result,
            _ => Results.Json(Finite(result, options), options),
        };
    }
}
