using System.Globalization;

namespace RnnLab;

/// <summary>
/// A request the engine cannot carry out because of what was asked (an unknown name, a value that cannot work,
/// results that do not fit together), as opposed to a defect in RnnLab. Front ends report it as the user's mistake;
/// any other exception escaping the engine is a bug.
/// </summary>
public class InvalidInputException(string message) : Exception(message);

/// <summary>
/// A parameter whose value cannot work, named as the engine names it (<c>Lr</c> of a training config, a sweep's
/// <c>Threads</c>), so each front end can say it in its own words: the command line as
/// "--lr must be a positive number, got -1", the web page beside its form field.
/// </summary>
public sealed class InvalidParameterException : InvalidInputException
{
    /// <param name="parameter">the engine's name: a property of the config or a method parameter, e.g. nameof(TrainingConfig.Lr)</param>
    /// <param name="requirement">what the value must be, e.g. "must be a positive number"</param>
    /// <param name="value">the value given</param>
    public InvalidParameterException(string parameter, string requirement, object? value) : this(parameter, requirement, value, true) { }

    InvalidParameterException(string parameter, string requirement, object? value, bool hasValue)
        : base(Say(parameter, requirement, value, hasValue))
    {
        Parameter = parameter;
        Requirement = requirement;
        Value = value;
        HasValue = hasValue;
    }

    /// <summary>A parameter that does not go with the rest of the request, whatever its value ("applies to lstm and gru").</summary>
    public static InvalidParameterException Conflict(string parameter, string requirement) => new(parameter, requirement, null, false);

    public string Parameter { get; }
    public string Requirement { get; }
    public object? Value { get; }
    public bool HasValue { get; }

    /// <summary>The message with the parameter called <paramref name="name"/> (a flag, a field label).</summary>
    public string MessageFor(string name) => Say(name, Requirement, Value, HasValue);

    static string Say(string name, string requirement, object? value, bool hasValue) =>
        hasValue ? $"{name} {requirement}, got {Show(value)}" : $"{name} {requirement}";

    static string Show(object? value) => value switch
    {
        null => "nothing",
        string s => $"'{s}'",
        double d => Numbers.Exact(d),
        float f => Numbers.Exact(f),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
