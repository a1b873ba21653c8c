using System.Numerics;

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

    /// <summary>What PyTorch wrote against what RnnLab computed: the largest absolute error, named with its flat index, within <paramref name="tolerance"/>.</summary>
    public static void AssertMatches<T>(string what, double[] expected, ReadOnlySpan<T> actual, double tolerance) where T : IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        int at = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(expected[i] - double.CreateTruncating(actual[i]));
            if (err > worst) (worst, at) = (err, i);
        }
        Assert.True(worst <= tolerance, $"{what}: max abs err {worst:e2} at flat index {at} (tolerance {tolerance:e0})");
    }
}
