using System.Globalization;

namespace RnnLab.Cli;

/// <summary>How wide output may be: progress on standard error, tables on standard output.</summary>
public static class Terminal
{
    const int Fallback = 80;

    /// <summary>
    /// Output to a terminal fits that terminal's columns. Piped or redirected output follows the COLUMNS variable
    /// (what shells export, and what a user sets to shape a log or a file), else the width of a terminal the
    /// process still has, else 80.
    /// </summary>
    public static int Columns(bool onTerminal)
    {
        if (onTerminal && WindowWidth() is int w) return w;
        return ColumnsVariable() ?? WindowWidth() ?? Fallback;
    }

    /// <summary>The width standard output is shaped to (tables).</summary>
    public static int OutputColumns() => Columns(onTerminal: !Console.IsOutputRedirected);

    static int? ColumnsVariable() =>
        int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out int c) && c is >= 20 and <= 10_000 ? c : null;

    static int? WindowWidth()
    {
        if (Console.IsOutputRedirected && Console.IsErrorRedirected && Console.IsInputRedirected) return null;
        try { return Console.WindowWidth is int w and > 0 ? w : null; }
        catch (IOException) { return null; }
        catch (PlatformNotSupportedException) { return null; }
    }
}
