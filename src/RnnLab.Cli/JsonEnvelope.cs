using System.CommandLine;
using System.CommandLine.Help;
using System.Text.Json;
using System.Text.Json.Nodes;
using RnnLab.Training;

namespace RnnLab.Cli;

/// <summary>
/// The one shape of every verb's <c>--json</c> answer: an object that starts with <c>"rnnlab_version"</c> (what
/// --version prints), <c>"schema": 1</c> and <c>"parameters"</c> (every option and argument of the verb as it was
/// used: defaults applied, then what the verb learned while planning, such as the length of an --inputs file, the
/// module a --model file holds or the config of a resumed run), followed by the verb's own keys. Numbers follow
/// <see cref="FiniteJson"/>: non-finite ones are null, a log10 array's exact zeros are listed beside it.
/// </summary>
public static class JsonEnvelope
{
    /// <summary>Raised when the layout of an answer changes in a way that breaks a reader.</summary>
    public const int Schema = 1;

    static readonly JsonSerializerOptions Marking = FiniteJson.Marking(Cli.Json);

    /// <summary>Snake_case, as every other key: log10_spectral_norm → log10_spectral_norm_zero_at.</summary>
    public static string ZeroAtKey(string key) => key + "_zero_at";

    /// <summary>
    /// Writes the envelope around <paramref name="body"/> (an object: its keys follow the parameters) to the verb's
    /// output. <paramref name="used"/> sets or adds parameters (snake_case keys) that the options alone do not say;
    /// <paramref name="notApplicable"/> removes options that did not apply (a generated network's sizes beside --model).
    /// </summary>
    public static void Write(ParseResult parse, object body, IReadOnlyDictionary<string, object?>? used = null, params string[] notApplicable) =>
        parse.InvocationConfiguration.Output.WriteLine(Build(parse, body, used, notApplicable).ToJsonString(Cli.Json));

    public static JsonObject Build(ParseResult parse, object body, IReadOnlyDictionary<string, object?>? used = null, params string[] notApplicable)
    {
        var parameters = Parameters(parse);
        foreach (var (key, value) in used ?? new Dictionary<string, object?>())
            parameters[key] = FiniteJson.ToNode(value, Marking, ZeroAtKey);
        foreach (var key in notApplicable) parameters.Remove(key);
        var envelope = new JsonObject { ["rnnlab_version"] = Version.Text, ["schema"] = Schema, ["parameters"] = parameters };
        if (FiniteJson.ToNode(body, Marking, ZeroAtKey) is not JsonObject fields)
            throw new InvalidOperationException($"a --json answer must be an object, not {body.GetType().Name}");
        foreach (var (key, value) in fields.ToList())
        {
            fields.Remove(key);
            envelope[key] = value;
        }
        return envelope;
    }

    /// <summary>The verb's arguments and options (but --help, --json and --quiet: how the answer is shown, not what it is) with the values this run used, defaults included.</summary>
    static JsonObject Parameters(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var p = new JsonObject();
        foreach (var a in command.Arguments)
            p[Key(a.Name)] = FiniteJson.ToNode(parse.GetResult(a)?.GetValueOrDefault<object?>(), Marking, ZeroAtKey);
        foreach (var o in command.Options)
        {
            if (o is HelpOption || o.Name is "--json" or "--quiet") continue;
            object? value = parse.GetResult(o) is { } r ? r.GetValueOrDefault<object?>() : Unset(o.ValueType);
            p[Key(o.Name)] = FiniteJson.ToNode(value, Marking, ZeroAtKey);
        }
        return p;
    }

    /// <summary>An option that was neither typed nor has a default: its type's default (false for a flag, null for a text or a number? option).</summary>
    static object? Unset(Type type) => type.IsValueType && Nullable.GetUnderlyingType(type) is null ? Activator.CreateInstance(type) : null;

    /// <summary>--compare-rho → compare_rho; an argument's name as it is.</summary>
    static string Key(string name) => name.TrimStart('-').Replace('-', '_');
}
