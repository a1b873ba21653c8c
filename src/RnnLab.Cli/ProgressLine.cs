using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace RnnLab.Cli;

/// <summary>
/// Progress of long work, on standard error so standard output keeps only results. On a terminal: one line redrawn
/// in place (a bar, the percentage, elapsed time and what is being done), cut to the terminal's width so it never
/// wraps. Anywhere else (a log file, a pipe, a scheduler's output): plain lines without carriage returns or escape
/// codes, at most one every <see cref="PlainIntervalVariable"/> seconds (5 by default). With <c>--quiet</c>: nothing.
/// Safe to report from several threads.
/// </summary>
public sealed class ProgressLine : IDisposable
{
    /// <summary>Seconds between plain progress lines (default 5); 0 writes every report.</summary>
    public const string PlainIntervalVariable = "RNNLAB_PROGRESS_SECONDS";

    /// <summary>Redraws of the terminal line at most this often: fast enough to look live, cheap beside any step.</summary>
    static readonly TimeSpan TerminalInterval = TimeSpan.FromMilliseconds(100);

    const int BarWidth = 20;

    readonly TextWriter? output;   // null: quiet
    readonly bool terminal;
    readonly TimeSpan interval;
    readonly Stopwatch clock = Stopwatch.StartNew();
    readonly Lock gate = new();
    readonly Timer? heartbeat;
    TimeSpan last;
    (double Done, double Total, Func<string> Text)? latest;   // the last state reported
    bool shown;        // the latest state is on screen (or in the log)
    bool lineOpen;     // a terminal line was drawn and not yet ended

    /// <param name="plainInterval">time between plain lines (default: <see cref="PlainIntervalVariable"/>, else 5 s)</param>
    public ProgressLine(TextWriter error, bool quiet, TimeSpan? plainInterval = null)
    {
        output = quiet ? null : error;
        terminal = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        interval = terminal ? TerminalInterval : plainInterval ?? PlainInterval();
        last = terminal ? -TerminalInterval : TimeSpan.Zero;   // a terminal shows the bar at once; a log's first line comes after one interval
        // Work that reports rarely (one long eigen decomposition) still shows it is alive: the clock on a terminal,
        // the latest state again in a log.
        var beat = terminal ? TimeSpan.FromSeconds(1) : interval < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : interval;
        if (output is not null) heartbeat = new Timer(_ => Beat(), null, beat, beat);
    }

    /// <summary>The progress line of a verb that has <see cref="Commands.CommonOptions.Quiet"/>.</summary>
    public static ProgressLine For(ParseResult parse) => new(parse.InvocationConfiguration.Error, parse.GetValue<bool>("--quiet"));

    public void Report(double done, double total, string text) => Report(done, total, () => text);

    /// <summary>
    /// <paramref name="done"/> of <paramref name="total"/> units are finished; <paramref name="text"/> says what is
    /// being done (called only when a line is written, so a report per step costs nothing between lines).
    /// </summary>
    public void Report(double done, double total, Func<string> text)
    {
        if (output is null) return;
        lock (gate)
        {
            latest = (done, total, text);
            shown = false;
            if (clock.Elapsed - last >= interval) Show();
        }
    }

    void Beat()
    {
        lock (gate)
            if (latest is not null && output is not null && clock.Elapsed - last >= interval) Show();
    }

    /// <summary>Writes the latest state (under the lock).</summary>
    void Show()
    {
        var (done, total, text) = latest!.Value;
        var now = clock.Elapsed;
        if (terminal)
        {
            output!.Write("\r" + TerminalLine(done, total, text(), now, Terminal.Columns(onTerminal: true)) + "\u001b[K");   // to the line's start, draw, erase the rest of the old line
            lineOpen = true;
        }
        else output!.WriteLine(PlainText(done, total, text(), now));
        output.Flush();
        last = now;
        shown = true;
    }

    /// <summary>On a terminal: the last state drawn and the line ended, so what follows starts on a line of its own.</summary>
    public void Dispose()
    {
        heartbeat?.Dispose();
        if (output is null || !terminal) return;
        lock (gate)
        {
            if (latest is not null && !shown) Show();
            if (lineOpen) output.WriteLine();
            lineOpen = false;
        }
    }

    /// <summary>The bar, percentage, elapsed time and text, cut to fit <paramref name="columns"/> without touching the last column (which makes some terminals wrap).</summary>
    public static string TerminalLine(double done, double total, string text, TimeSpan elapsed, int columns)
    {
        double f = Fraction(done, total);
        int full = (int)Math.Round(f * BarWidth);
        string line = $"{new string('█', full)}{new string('░', BarWidth - full)} {Percent(f),4} {Clock(elapsed)} {text}";
        int width = columns - 1;
        return line.Length <= width ? line : line[..Math.Max(0, width - 1)] + "…";
    }

    public static string PlainText(double done, double total, string text, TimeSpan elapsed)
    {
        double f = Fraction(done, total);
        string left = f > 0 && f < 1 ? $", about {Clock(elapsed * ((1 - f) / f))} left" : "";
        return $"progress {Percent(f)} ({done.ToString(CultureInfo.InvariantCulture)} of {total.ToString(CultureInfo.InvariantCulture)}) after {Clock(elapsed)}{left}: {text}";
    }

    static double Fraction(double done, double total) => total > 0 ? Math.Clamp(done / total, 0, 1) : 0;

    static string Percent(double f) => ((int)Math.Floor(100 * f)).ToString(CultureInfo.InvariantCulture) + "%";

    static string Clock(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}")
        : string.Create(CultureInfo.InvariantCulture, $"{t.Minutes:00}:{t.Seconds:00}");

    static TimeSpan PlainInterval() =>
        double.TryParse(Environment.GetEnvironmentVariable(PlainIntervalVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s >= 0 && double.IsFinite(s)
            ? TimeSpan.FromSeconds(s) : TimeSpan.FromSeconds(5);
}
