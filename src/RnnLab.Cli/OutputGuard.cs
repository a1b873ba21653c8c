namespace RnnLab.Cli;

/// <summary>
/// Standard output that says what failed when it cannot be written (a full disk, <c>&gt; /dev/full</c>, a closed
/// pipe): "cannot write to standard output: No space left on device" instead of a bare system message.
/// </summary>
public sealed class OutputGuard(TextWriter inner) : TextWriter
{
    public override System.Text.Encoding Encoding => inner.Encoding;

    public override void Write(char value) => Guard(() => inner.Write(value));
    public override void Write(string? value) => Guard(() => inner.Write(value));
    public override void Write(char[] buffer, int index, int count) => Guard(() => inner.Write(buffer, index, count));
    public override void WriteLine(string? value) => Guard(() => inner.WriteLine(value));
    public override void Flush() => Guard(inner.Flush);

    static void Guard(Action write)
    {
        try { write(); }
        catch (IOException e) { throw new IOException($"cannot write to standard output: {e.Message}", e); }
    }
}
