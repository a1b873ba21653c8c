using System.CommandLine;
using System.Globalization;
using RnnLab.Models;

namespace RnnLab.Cli.Commands;

/// <summary>Options shared by several verbs, so each is spelled, described and validated once.</summary>
public static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object instead of a table." };

    /// <summary>--quiet for verbs that show progress (<see cref="ProgressLine"/>).</summary>
    public static Option<bool> Quiet(string? progress = null) => new("--quiet")
    {
        Description = "Print no progress on stderr (errors still are). " +
            (progress ?? $"Progress is a bar on a terminal, else a plain line every {ProgressLine.PlainIntervalVariable} seconds (default 5)."),
    };

    public static Option<string> Cell(string defaultValue = "rnn", string description = "Recurrent cell: rnn (tanh), relu, lstm or gru.") => new("--cell")
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary>A positive integer, refused at parse time (before any work) when it is 0 or negative.</summary>
    public static Option<int> Positive(string name, string description, int defaultValue)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            // only a value that parsed: a non-number is the parser's error to report
            if (result.Tokens.Count > 0 && int.TryParse(result.Tokens[^1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v <= 0)
                result.AddError($"{name} must be a positive integer, got {v}");
        });
        return option;
    }

    public static Option<int> Layers() => new("--layers")
    {
        Description = "Stacked recurrent layers (PyTorch's num_layers): layer l+1 reads the outputs of layer l.",
        DefaultValueFactory = _ => 1,
    };

    public static Option<bool> Bidirectional() => new("--bidirectional")
    {
        Description = "Add a reverse direction to every layer (PyTorch's bidirectional). A readout of the last step reads " +
            "output[T−1], both directions concatenated as in PyTorch: there the reverse direction has seen only the last input x_T.",
    };

    /// <summary>--threads for the matrix products, defaulting to the cores this process may use and its scheduler granted (<see cref="Scheduler.GrantedCpus"/>).</summary>
    public static Option<int> Threads(string description = "Threads for the matrix products (default: the cores this process may use; results do not depend on it).") => new("--threads")
    {
        Description = description,
        DefaultValueFactory = _ => Scheduler.GrantedCpus(),
    };

    public static Option<ulong> Seed() => new("--seed")
    {
        Description = "Random seed: the same seed gives bit-identical results on the same machine.",
        DefaultValueFactory = _ => 0UL,
    };

    /// <summary>True when the user typed the option (not just its default).</summary>
    public static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>Parses a cell name or fails with the list of choices.</summary>
    public static (CellKind Kind, Nonlinearity Nonlinearity) ParseCell(string text)
    {
        if (!CellKinds.TryParse(text, out var kind, out var act))
            throw new UsageException($"unknown cell '{text}': choose rnn, relu, lstm or gru");
        if (kind == CellKind.ExpRnn)
            throw new UsageException("exprnn is trained with 'rnnlab train --cell exprnn'; the analysis reads a trained one with --model RUN/checkpoint.safetensors");
        return (kind, act);
    }

    /// <summary>Fails with a one-line message unless value &gt; 0.</summary>
    public static int RequirePositive(int value, string name) =>
        value > 0 ? value : throw new UsageException($"{name} must be a positive integer, got {value}");

    /// <summary>A comma-separated list of positive integers (--seq 10,30,100; --depths 5,50).</summary>
    public static int[] PositiveIntegers(string text, string name) => List<int>(text, name, "positive integers",
        s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : null);

    /// <summary>A comma-separated list of finite positive numbers (--rho 0.9,0.8; --compare-rho).</summary>
    public static double[] PositiveNumbers(string text, string name) => List<double>(text, name, "finite positive numbers",
        s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 && double.IsFinite(v) ? v : null);

    static T[] List<T>(string text, string name, string what, Func<string, T?> parse) where T : struct
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries);
        if (items.All(s => s.Length == 0)) throw new UsageException($"{name} needs a comma-separated list of {what}, got an empty list");
        return [.. items.Select(s => parse(s) ?? throw new UsageException($"{name} must be a comma-separated list of {what}, got '{s}' in '{text}'"))];
    }
}
