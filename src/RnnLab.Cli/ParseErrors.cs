using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace RnnLab.Cli;

/// <summary>
/// Parse errors said in the command line's words: "--seed must be a non-negative integer, got -1" rather than the
/// parser's message naming the .NET type it wanted; and numbers that parse but are not finite (1e400, NaN) refused.
/// </summary>
public static class ParseErrors
{
    /// <summary>The first problem with the command line, or null when it is good.</summary>
    public static string? First(ParseResult parsed)
    {
        if (parsed.Errors.Count > 0)
        {
            // "Required command was not provided" accompanies an unknown verb; the unknown verb is the news.
            var error = parsed.Errors.FirstOrDefault(e => !e.Message.StartsWith("Required command", StringComparison.Ordinal)) ?? parsed.Errors[0];
            return Describe(error);
        }
        foreach (var option in Options(parsed.CommandResult))
            if (Underlying(option.Option.ValueType) == typeof(double))
                foreach (var token in option.Tokens)
                    if (double.TryParse(token.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && !double.IsFinite(v))
                        return $"{option.Option.Name} must be a finite number, got {token.Value}";
        return null;
    }

    static IEnumerable<OptionResult> Options(CommandResult result) =>
        result.Children.OfType<OptionResult>().Concat(result.Parent is CommandResult p ? Options(p) : []);

    static string Describe(ParseError error)
    {
        var option = error.SymbolResult as OptionResult ?? (error.SymbolResult as ArgumentResult)?.Parent as OptionResult;
        if (option is null || !error.Message.StartsWith("Cannot parse argument", StringComparison.Ordinal)) return error.Message.TrimEnd('.');
        string got = option.Tokens.Count > 0 ? option.Tokens[^1].Value : "";
        return $"{option.Option.Name} {Expected(Underlying(option.Option.ValueType))}, got {(got.Length == 0 ? "nothing" : got)}";
    }

    static Type Underlying(Type t) => Nullable.GetUnderlyingType(t) ?? t;

    static string Expected(Type t) =>
        t == typeof(int) ? $"must be a whole number up to {int.MaxValue}"
        : t == typeof(long) ? $"must be a whole number up to {long.MaxValue}"
        : t == typeof(ulong) ? $"must be a non-negative integer up to {ulong.MaxValue}"
        : t == typeof(double) ? "must be a number"
        : t == typeof(bool) ? "must be true or false"
        : "has a value that cannot be read";
}
