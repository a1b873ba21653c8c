using System.CommandLine;
using System.Text.Json;

namespace RnnLab.Cli;

/// <summary>
/// An error in what the user asked for (a bad size, an unknown name, a malformed file): reported as one line
/// on standard error with exit code 2, never as a stack trace.
/// </summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Long work stopped by SIGINT or SIGTERM after saving what it had: the message says what was saved, and
/// <see cref="ContinueWith"/> is the command that continues it (by default the same command again; empty: none does).
/// </summary>
public sealed class WorkInterruptedException(string saved, string? continueWith = null) : Exception(saved)
{
    public string? ContinueWith { get; } = continueWith;
}

/// <summary>Runs the command tree with RnnLab's error conventions and JSON settings.</summary>
public static class Cli
{
    public const int UsageError = 2;

    /// <summary>The library's JSON conventions (snake_case, NaN and ±Infinity as names, nulls left out), indented.</summary>
    public static JsonSerializerOptions Json => Training.TrainingRun.JsonIndented;

    /// <summary>Fires on SIGINT or SIGTERM (<see cref="Signals"/>): long work stops at the next step, writes what it has and exits.</summary>
    public static CancellationToken Interrupted => Signals.Interrupted;

    public static int Run(Command root, string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
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
        catch (WorkInterruptedException e)
        {
            string next = e.ContinueWith ?? CommandLine(args);
            stderr.WriteLine($"rnnlab: interrupted by {Signals.Name}: {e.Message}{(next.Length > 0 ? $"; continue with: {next}" : "")}");
            return Signals.ExitCode;
        }
        catch (OperationCanceledException) when (Interrupted.IsCancellationRequested)
        {
            stderr.WriteLine($"rnnlab: interrupted by {Signals.Name} before anything was saved");
            return Signals.ExitCode;
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

    /// <summary>The command as a shell would take it back: <c>rnnlab</c> and the arguments, quoted where needed.</summary>
    public static string CommandLine(IEnumerable<string> args) =>
        string.Join(' ', args.Prepend("rnnlab").Select(a => a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@%+,".Contains(c))
            ? a : $"'{a.Replace("'", "'\\''")}'"));

    public static void WriteJson<T>(TextWriter output, T value) => output.WriteLine(JsonSerializer.Serialize(value, Json));
}
