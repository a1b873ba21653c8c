namespace RnnLab.Cli;

/// <summary>
/// Output paths checked before any work, so a typo or a read-only place costs nothing: a folder that is a file, a
/// file that is a folder, a parent that does not exist, a place where nothing may be written. Each check writes a
/// probe file and removes it again.
/// </summary>
public static class OutputPaths
{
    /// <summary>Creates <paramref name="dir"/> if needed and proves a file can be written in it.</summary>
    public static void PrepareFolder(string dir, string flag)
    {
        if (File.Exists(dir)) throw new UsageException($"{flag} {dir} is a file, not a folder");
        try { Directory.CreateDirectory(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UsageException($"{flag} {dir}: cannot create the folder ({Reason(e)})"); }
        Probe(dir, $"{flag} {dir}");
    }

    /// <summary>Checks that <paramref name="path"/> can be written as a file: not a folder, in a writable folder that exists.</summary>
    public static void CheckFile(string path, string flag)
    {
        if (Directory.Exists(path)) throw new UsageException($"{flag} {path} is a folder, not a file");
        string dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        if (File.Exists(dir)) throw new UsageException($"{flag} {path}: {dir} is a file, not a folder");
        if (!Directory.Exists(dir)) throw new UsageException($"{flag} {path}: folder {dir} does not exist");
        Probe(dir, $"{flag} {path}");
    }

    static void Probe(string dir, string what)
    {
        string probe = Path.Combine(dir, $".rnnlab-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{what}: cannot write there ({Reason(e)})");
        }
        finally
        {
            if (File.Exists(probe)) File.Delete(probe);
        }
    }

    static string Reason(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        FileNotFoundException or DirectoryNotFoundException => "files cannot be created there",
        _ => e.Message.Split(" : ")[0].Split(" '")[0].TrimEnd('.'),
    };
}
