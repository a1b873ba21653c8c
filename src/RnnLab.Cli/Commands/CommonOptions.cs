using System.CommandLine;
using System.Globalization;
using RnnLab.Models;

namespace RnnLab.Cli.Commands;

/// <summary>Options shared by several verbs, so each is spelled, described and validated once.</summary>
public static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object instead of a table." };

    public static Option<string> Cell(string defaultValue = "rnn", string description = "Recurrent cell: rnn (tanh), relu, lstm or gru.") => new("--cell")
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<int> Positive(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
    };

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

    /// <summary>
    /// A comma-separated option value ("0.7, 0.8,0.9") as a list: each item parsed with <paramref name="parse"/> and
    /// checked with <paramref name="valid"/>; a one-line error names the option and the item otherwise.
    /// </summary>
    public static T[] ParseList<T>(string text, string name, Func<string, T> parse, Func<T, bool> valid, string requirement)
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (items.Length == 0) throw new UsageException($"{name} needs at least one value");
        return [.. items.Select(s =>
        {
            T v;
            try { v = parse(s); }
            catch (FormatException) { throw new UsageException($"{name}: '{s}' is not a number"); }
            catch (OverflowException) { throw new UsageException($"{name}: '{s}' is out of range"); }
            return valid(v) ? v : throw new UsageException($"{name}: {s} must be {requirement}");
        })];
    }

    public static double ParseDouble(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
    public static int ParseInt(string s) => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);

    /// <summary>Parses a cell name or fails with the list of choices.</summary>
    public static (CellKind Kind, Nonlinearity Nonlinearity) ParseCell(string text)
    {
        if (!CellKinds.TryParse(text, out var kind, out var act))
            throw new UsageException($"unknown cell '{text}': choose rnn, relu, lstm or gru");
        if (kind == CellKind.ExpRnn)
            throw new UsageException("exprnn is trained with 'rnnlab train --cell exprnn'; the analysis reads a trained exprnn-tanh with --model");
        return (kind, act);
    }

    /// <summary>Fails with a one-line message unless value &gt; 0.</summary>
    public static int RequirePositive(int value, string name) =>
        value > 0 ? value : throw new UsageException($"{name} must be a positive integer, got {value}");
}
