namespace RnnLab.Cli;

/// <summary>
/// A defect in RnnLab (an exception no user input explains): one line on stderr that says so, with the exception's
/// type, and the full trace in a log file whose path the line names, so the terminal never shows a stack trace.
/// </summary>
public static class BugReport
{
    /// <summary>Writes the log and returns the line for stderr.</summary>
    public static string Write(Exception e, string[] args)
    {
        string log = Path.Combine(Path.GetTempPath(), $"rnnlab-bug-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}.log");
        string where;
        try
        {
            File.WriteAllText(log, $"rnnlab {Version.Text}\nargs: {string.Join(' ', args)}\n\n{e}\n");
            where = $"details in {log}";
        }
        catch (Exception) { where = "and its log could not be written to " + Path.GetTempPath(); }
        string message = e.Message.ReplaceLineEndings(" ").Trim();
        return $"rnnlab: bug: {e.GetType().Name}: {message} (a defect in RnnLab, not in your input; {where})";
    }
}
