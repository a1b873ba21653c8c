using System.CommandLine;
using System.Text.Json;

namespace RnnLab.Cli;

/// <summary>
/// An error in what the user asked for (a bad size, an unknown name, a malformed file): reported as one line
/// on standard error with exit code 2, never as a stack trace.
/// </summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Runs the command tree with RnnLab's error conventions and JSON settings.</summary>
public static class Cli
{
    public const int UsageError = 2;

    /// <summary>The library's JSON conventions (snake_case, NaN and ±Infinity as names, nulls left out), indented.</summary>
    public static JsonSerializerOptions Json => Training.TrainingRun.JsonIndented;

    static readonly CancellationTokenSource interrupt = new();

    /// <summary>Fires on Ctrl+C: long work stops at the next step, writes what it has (a resumable checkpoint) and exits.</summary>
    public static CancellationToken Interrupted => interrupt.Token;

    public static int Run(Command root, string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; interrupt.Cancel(); };
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        if (args.Length == 0) args = ["--help"];
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // "Required command was not provided" accompanies an unknown verb; the unknown verb is the news.
            var error = parsed.Errors.FirstOrDefault(e => !e.Message.StartsWith("Required command", StringComparison.Ordinal)) ?? parsed.Errors[0];
            stderr.WriteLine($"rnnlab: {error.Message} (see rnnlab --help)");
            return UsageError;
        }
        var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = stdout, Error = stderr };
        try
        {
            return parsed.Invoke(config);
        }
        catch (Exception e) when (IsUserError(e))
        {
            stderr.WriteLine($"rnnlab: {OneLine(e.Message)}");
            return UsageError;
        }
    }

    /// <summary>Errors that describe the user's input rather than a defect in RnnLab.</summary>
    static bool IsUserError(Exception e) => e is UsageException or ArgumentException or InvalidDataException
        or FileNotFoundException or DirectoryNotFoundException or FormatException or UnauthorizedAccessException;

    static string OneLine(string message)
    {
        int paren = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        if (paren > 0) message = message[..paren];
        return message.ReplaceLineEndings(" ");
    }

    public static void WriteJson<T>(TextWriter output, T value) => output.WriteLine(JsonSerializer.Serialize(value, Json));
}
