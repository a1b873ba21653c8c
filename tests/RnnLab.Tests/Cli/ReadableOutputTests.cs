using System.Xml.Linq;

namespace RnnLab.Tests.Cli;

/// <summary>What the verbs print and draw for people: plots, progress, tables and numbers.</summary>
public class ReadableOutputTests
{
    [Fact]
    public void Plotting_prints_nothing_and_the_svg_circle_is_dashed()
    {
        // In a process of its own: Skia's native code writes its complaints straight to the stderr file descriptor.
        string dir = Directory.CreateTempSubdirectory("rnnlab-plot").FullName;
        try
        {
            var (code, output, err) = CliProcess.Run(dir, "spectrum", "--hidden", "6", "--plot", "eigen.svg", "--json");
            Assert.True(code == 0, err);
            Assert.Equal("", err);
            Assert.StartsWith("{", output.TrimStart(), StringComparison.Ordinal);
            var circles = XDocument.Load(Path.Combine(dir, "eigen.svg")).Descendants().Where(e => e.Name.LocalName == "ellipse" && e.Attribute("stroke") is not null).ToList();
            Assert.Equal(2, circles.Count);
            Assert.All(circles, c => Assert.NotNull(c.Attribute("stroke-dasharray")));
            (code, _, err) = CliProcess.Run(dir, "depth", "--width", "8", "--depths", "5,10", "--plot", "depth.png", "--json");
            Assert.True(code == 0, err);
            Assert.Equal("", err);
        }
        finally { Directory.Delete(dir, true); }
    }
}
