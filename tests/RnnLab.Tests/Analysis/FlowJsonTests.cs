using System.Text.Json;
using RnnLab.Analysis;

namespace RnnLab.Tests.Analysis;

public class FlowJsonTests
{
    [Fact]
    public void FlowResultSerialisesToTheDocumentedFields()
    {
        var cell = CellWeights.Random(RnnLab.Models.CellKind.Lstm, 2, 4, seed: 3);
        var flow = FlowProfile.Compute(cell, AnalysisTestData.Input(20, 2, 1), 20);
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(flow, RnnLab.Cli.Cli.Json));
        foreach (string field in new[] { "spectral_norm", "frobenius_norm", "log10_spectral_norm", "log10_frobenius_norm",
                     "cell_spectral_norm", "log10_cell_spectral_norm", "spectral_radius", "gate_spectral_radii",
                     "lyapunov_exponents", "effective_rho", "decay_rate", "horizon", "rank" })
            Assert.True(doc.RootElement.TryGetProperty(field, out _), $"missing JSON field {field}");
        Assert.Equal(20, doc.RootElement.GetProperty("log10_spectral_norm").GetArrayLength());
    }
}
