using System.CommandLine;
using System.Text.Json;

namespace RnnLab.Cli;

/// <summary>
/// An error in what the user asked for (a bad size, an unknown name, a malformed file): reported as one line
/// on standard error with exit code 2, never as a stack trace.
/// </summary>
public sealed class UsageException(string message) : InvalidInputException(message);

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
    /// <summary>Exit codes: done, training diverged, the user's mistake, a defect in RnnLab (sysexits' EX_SOFTWARE).</summary>
    public const int Done = 0, Diverged = 1, UsageError = 2, Bug = 70;

    /// <summary>The library's JSON conventions (snake_case, nulls left out), indented.</summary>
    public static JsonSerializerOptions Json => Training.TrainingRun.JsonIndented;

    /// <summary>Fires on SIGINT or SIGTERM (<see cref="Signals"/>): long work stops at the next step, writes what it has and exits.</summary>
    public static CancellationToken Interrupted => Signals.Interrupted;

    public static int Run(Command root, string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        if (args.Length == 0) args = ["--help"];
        try
        {
            ParseResult parsed = root.Parse(args);
            if (ParseErrors.First(parsed) is string problem)
            {
                var command = parsed.CommandResult.Command;
                stderr.WriteLine($"rnnlab: {problem} (see rnnlab{(command == root ? "" : " " + command.Name)} --help)");
                return UsageError;
            }
            var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = stdout, Error = stderr };
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
        catch (Exception e) when (UserError(e) is string message)
        {
            stderr.WriteLine($"rnnlab: {message}");
            return UsageError;
        }
        catch (Exception e)
        {
            stderr.WriteLine(BugReport.Write(e, args));
            return Bug;
        }
    }

    /// <summary>
    /// The one-line message of an error in the user's input or surroundings (a bad value, an unreadable or
    /// unwritable file, a full disk), or null for a defect in RnnLab. Engine errors that name a parameter are said
    /// with the command line's flag for it.
    /// </summary>
    static string? UserError(Exception e) => e switch
    {
        InvalidParameterException p => OneLine(p.MessageFor(Flags.For(p.Parameter))),
        InvalidInputException or InvalidDataException => OneLine(e.Message),
        UnauthorizedAccessException => OneLine(e.Message),
        IOException => OneLine(e.Message),   // file not found, disk full, a closed pipe: the surroundings, not RnnLab
        _ => null,
    };

    static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    /// <summary>The command as a shell would take it back: <c>rnnlab</c> and the arguments, quoted where needed.</summary>
    public static string CommandLine(IEnumerable<string> args) =>
        string.Join(' ', args.Prepend("rnnlab").Select(a => a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@%+,".Contains(c))
            ? a : $"'{a.Replace("'", "'\\''")}'"));
}
