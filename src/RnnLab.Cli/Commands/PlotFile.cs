using System.CommandLine;
using RnnLab.Lesson;
using RnnLab.Numerics;
using ScottPlot;

namespace RnnLab.Cli.Commands;

/// <summary>The <c>--plot FILE.png|FILE.svg</c> option every analysis verb has.</summary>
public static class PlotFile
{
    public static Option<string?> Option() => new("--plot") { Description = "Also draw the result to FILE.png or FILE.svg." };

    /// <summary>Checks the extension before any work is done, so a typo does not cost a long computation.</summary>
    public static void CheckPath(string? path)
    {
        if (path is null) return;
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".png" or ".svg")) throw new UsageException($"--plot {path}: the file must end in .png or .svg");
    }

    /// <summary>Writes the plot atomically (temp file, then rename).</summary>
    public static void Write(Plot plot, string? path, int width = Plots.Width, int height = Plots.Height)
    {
        if (path is null) return;
        byte[] bytes = Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase)
            ? System.Text.Encoding.UTF8.GetBytes(plot.GetSvgXml(width, height))
            : plot.GetImageBytes(width, height, ImageFormat.Png);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null && !Directory.Exists(dir)) throw new DirectoryNotFoundException($"--plot {path}: folder {dir} does not exist");
        AtomicFile.Write(path, s => s.Write(bytes));
    }
}
