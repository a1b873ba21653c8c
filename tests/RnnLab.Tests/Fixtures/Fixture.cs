namespace RnnLab.Tests.Fixtures;

/// <summary>Paths of the recorded fixtures and scratch folders for tests that write files.</summary>
static class Fixture
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>A fresh empty folder under the system temp folder, removed when disposed.</summary>
    public sealed class TempFolder : IDisposable
    {
        public string Dir { get; } = Directory.CreateTempSubdirectory("rnnlab-test-").FullName;
        public string File(string name) => System.IO.Path.Combine(Dir, name);
        public void Dispose() { try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } }
    }
}
