namespace RnnLab.Numerics;

/// <summary>
/// Writes a file so that readers see either the old content or the complete new content, never a torn file:
/// the bytes go to a temporary file in the same directory (so the rename stays on one file system), which then
/// replaces the target with <see cref="File.Move(string, string, bool)"/>.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Speak of the file asked for, not of the temporary one beside it.
            string reason = e is UnauthorizedAccessException ? "permission denied" : e.Message.Replace(temp, full, StringComparison.Ordinal);
            throw new IOException($"cannot write {path}: {reason}", e);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
