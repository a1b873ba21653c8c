using System.CommandLine;
using RnnLab.Lesson;
using RnnLab.Numerics;
using ScottPlot;

namespace RnnLab.Cli.Commands;

/// <summary>The <c>--plot FILE.png|FILE.svg</c> option every analysis verb has.</summary>
public static class PlotFile
{
    public static Option<string?> Option() => new("--plot") { Description = "Also draw the result to FILE.png or FILE.svg." };

    /// <summary>Checks the extension and the place before any work is done, so a typo does not cost a long computation.</summary>
    public static void CheckPath(string? path)
    {
        if (path is null) return;
        if (Directory.Exists(path)) throw new UsageException($"--plot {path} is a folder, not a file");
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".png" or ".svg")) throw new UsageException($"--plot {path}: the file must end in .png or .svg");
        OutputPaths.CheckFile(path, "--plot");
    }

    /// <summary>Draws the plot only when there is a file to draw it to, and writes it atomically (temp file, then rename).</summary>
    public static void Write(Func<Plot> draw, string? path, int width = Plots.Width, int height = Plots.Height)
    {
        if (path is null) return;
        var plot = draw();
        byte[] bytes = Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase)
            ? System.Text.Encoding.UTF8.GetBytes(PlotImages.Svg(plot, width, height))
            : PlotImages.Png(plot, width, height);
        AtomicFile.Write(path, s => s.Write(bytes));
    }
}
