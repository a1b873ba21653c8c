using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace RnnLab.Web;

/// <summary>
/// Reads a request's query parameters against their caps. Every problem is collected with the name of the field it
/// belongs to, and <see cref="Problem"/> turns them into 400 <c>{ error, field, errors }</c>, which the page shows
/// beside the control. Values outside the caps are refused, never silently clamped, and a parameter given twice is
/// refused rather than read as one of its values.
/// </summary>
public sealed class Inputs(IQueryCollection query)
{
    public sealed record FieldError(string Field, string Message);

    readonly List<FieldError> errors = [];

    public IReadOnlyList<FieldError> Errors => errors;

    string? Raw(string name)
    {
        if (!query.TryGetValue(name, out var v) || v.Count == 0) return null;
        if (v.Count > 1) return Fail<string?>(name, $"{name} is given {v.Count} times; give it once", null);
        return string.IsNullOrWhiteSpace(v[0]) ? null : v[0]!.Trim();
    }

    public double Double(Control c) => c.Whole ? Int(c) : Double(c.Name, c.Min, c.Max, c.Default);

    public int Int(Control c) => Int(c.Name, (int)c.Min, (int)c.Max, (int)c.Default);

    public string Choice(Choice c) => Choice(c.Name, c.Options, c.Default);

    public double Double(string name, double min, double max, double fallback)
    {
        string? raw = Raw(name);
        if (raw is null) return fallback;
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            return Fail(name, $"{name} must be a number, got '{Shorten(raw)}'", fallback);
        if (v < min || v > max) return Fail(name, $"{name} must be between {Numbers.Exact(min)} and {Numbers.Exact(max)}", fallback);
        return v;
    }

    public int Int(string name, int min, int max, int fallback)
    {
        string? raw = Raw(name);
        if (raw is null) return fallback;
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            return Fail(name, $"{name} must be a whole number, got '{Shorten(raw)}'", fallback);
        if (v < min || v > max) return Fail(name, $"{name} must be between {min} and {max}", fallback);
        return v;
    }

    public bool Bool(string name, bool fallback)
    {
        string? raw = Raw(name);
        if (raw is null) return fallback;
        if (raw is "1" or "true" or "on") return true;
        if (raw is "0" or "false" or "off") return false;
        return Fail(name, $"{name} must be true or false", fallback);
    }

    public string Choice(string name, IReadOnlyList<string> choices, string fallback)
    {
        string? raw = Raw(name)?.ToLowerInvariant();
        if (raw is null) return fallback;
        if (!choices.Contains(raw)) return Fail(name, $"{name} must be one of {string.Join(", ", choices)}", fallback);
        return raw;
    }

    /// <summary>Adds a problem found by a check that spans several fields (the library's own validation of a configuration).</summary>
    public void Reject(string field, string message) => errors.Add(new FieldError(field, message));

    /// <summary>400 with the first problem and all of them, or null when the input is valid.</summary>
    public IResult? Problem => errors.Count == 0 ? null
        : Results.Json(new { error = errors[0].Message, field = errors[0].Field, errors }, statusCode: StatusCodes.Status400BadRequest);

    T Fail<T>(string field, string message, T fallback)
    {
        errors.Add(new FieldError(field, message));
        return fallback;
    }

    static string Shorten(string s) => s.Length <= 20 ? s : s[..20] + "…";
}
