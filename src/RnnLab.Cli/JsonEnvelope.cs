using System.CommandLine;
using System.CommandLine.Help;
using System.Text.Json.Nodes;
using RnnLab.Training;

namespace RnnLab.Cli;

/// <summary>
/// Every verb's <c>--json</c> answer, in the <see cref="Envelope"/>: <c>"rnnlab_version"</c> (what --version
/// prints), <c>"schema": 1</c> and <c>"parameters"</c> (every option and argument of the verb as it was
/// used: defaults applied, then what the verb learned while planning, such as the length of an --inputs file, the
/// module a --model file holds or the config of a resumed run), followed by the verb's own keys. Numbers follow
/// <see cref="FiniteJson"/>: non-finite ones are null, a log10 array's exact zeros are listed beside it.
/// </summary>
public static class JsonEnvelope
{
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
        foreach (var (key, value) in used ?? new Dictionary<string, object?>()) parameters[key] = Envelope.Node(value);
        foreach (var key in notApplicable) parameters.Remove(key);
        return Envelope.Build(parameters, body);
    }

    /// <summary>The verb's arguments and options (but --help, --json and --quiet: how the answer is shown, not what it is) with the values this run used, defaults included.</summary>
    static JsonObject Parameters(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var p = new JsonObject();
        foreach (var a in command.Arguments)
            p[Key(a.Name)] = Envelope.Node(parse.GetResult(a)?.GetValueOrDefault<object?>());
        foreach (var o in command.Options)
        {
            if (o is HelpOption || o.Name is "--json" or "--quiet") continue;
            object? value = parse.GetResult(o) is { } r ? r.GetValueOrDefault<object?>() : Unset(o.ValueType);
            p[Key(o.Name)] = Envelope.Node(value);
        }
        return p;
    }

    /// <summary>An option that was neither typed nor has a default: its type's default (false for a flag, null for a text or a number? option).</summary>
    static object? Unset(Type type) => type.IsValueType && Nullable.GetUnderlyingType(type) is null ? Activator.CreateInstance(type) : null;

    /// <summary>--compare-rho → compare_rho; an argument's name as it is.</summary>
    static string Key(string name) => name.TrimStart('-').Replace('-', '_');
}
