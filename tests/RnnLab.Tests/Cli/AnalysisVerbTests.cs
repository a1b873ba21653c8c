using System.Text.Json;
using RnnLab.Analysis;
using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Tests.Cli;

/// <summary>The analysis verbs print what the library computes, and reject bad files with one line.</summary>
public class AnalysisVerbTests
{
    static JsonElement Json(params string[] args)
    {
        var (code, output, err) = CliErrorTests.Run([.. args, "--json"]);
        Assert.True(code == 0, err);
        return JsonDocument.Parse(output).RootElement;
    }

    [Fact]
    public void Flow_json_has_the_documented_fields_and_the_library_values()
    {
        var j = Json("flow", "--cell", "lstm", "--hidden", "6", "--input", "3", "--seq", "30", "--rho", "0.9", "--seed", "4");
        foreach (var field in new[] { "spectral_norm", "frobenius_norm", "log10_spectral_norm", "cell_spectral_norm", "spectral_radius", "lyapunov_exponents", "decay_rate", "horizon" })
            Assert.True(j.TryGetProperty(field, out _), $"missing {field}");
        var layer = AnalysisNetwork.Generate(CellKind.Lstm, 3, 6, InitKind.PyTorch, 0.9, 4);
        var expected = FlowProfile.Compute(layer, AnalysisNetwork.RandomInputs(30, 3, 4), 30);
        var spectral = j.GetProperty("spectral_norm").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(30, spectral.Length);
        for (int k = 0; k < 30; k++) Assert.Equal(expected.SpectralNorm[k], spectral[k], 12);
        Assert.Equal(0.9, j.GetProperty("spectral_radius").GetDouble(), 9);
    }

    [Fact]
    public void Flow_reads_inputs_from_npy_and_rejects_nan_with_the_index()
    {
        string dir = Directory.CreateTempSubdirectory("rnnlab-flow").FullName;
        try
        {
            string good = Path.Combine(dir, "x.npy"), bad = Path.Combine(dir, "bad.npy");
            var x = AnalysisNetwork.RandomInputs(12, 2, 1);
            Npy.Write(good, [12, 2], (ReadOnlySpan<double>)x);
            var j = Json("flow", "--input", "2", "--hidden", "4", "--inputs", good);
            Assert.Equal(12, j.GetProperty("steps").GetInt32());
            x[7] = double.NaN;
            Npy.Write(bad, [12, 2], (ReadOnlySpan<double>)x);
            var (code, _, err) = CliErrorTests.Run("flow", "--input", "2", "--hidden", "4", "--inputs", bad);
            Assert.Equal(2, code);
            Assert.Contains("bad.npy: value at [3, 1] is NaN", err);
            var (code2, _, err2) = CliErrorTests.Run("flow", "--input", "3", "--hidden", "4", "--inputs", good);
            Assert.Equal(2, code2);
            Assert.Contains("inputs must have shape [T, 3], file has (12, 2)", err2);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_misshaped_or_incomplete_model_file_is_named_in_one_line()
    {
        string dir = Directory.CreateTempSubdirectory("rnnlab-model").FullName;
        try
        {
            var layer = RecurrentLayer<double>.Create(CellKind.Gru, 3, 4);
            string missing = Path.Combine(dir, "missing.safetensors");
            SafeTensors.Write(missing, layer.Parameters.Where(p => p.Name != "bias_ih_l0").Select(p => NamedTensor.From(p)));
            var (code, _, err) = CliErrorTests.Run("flow", "--model", missing);
            Assert.Equal(2, code);
            Assert.Contains("bias_hh_l0 is there but bias_ih_l0 is not", err);

            string misshaped = Path.Combine(dir, "misshaped.safetensors");
            SafeTensors.Write(misshaped, layer.Parameters.Select(p => p.Name == "bias_hh_l0"
                ? NamedTensor.From<double>(p.Name, [5], new double[5]) : NamedTensor.From(p)));
            (code, _, err) = CliErrorTests.Run("spectrum", "--model", misshaped);
            Assert.Equal(2, code);
            Assert.Contains("bias_hh_l0 has shape [5], expected [12]", err);
            Assert.Single(err.TrimEnd().Split('\n'));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Table_distance_spectrum_and_depth_answer_in_json()
    {
        var table = Json("table");
        Assert.Equal(9, table.GetProperty("table").GetArrayLength());
        Assert.Contains(table.GetProperty("lesson").EnumerateArray(), c => c.GetProperty("printed").GetString() == "0.387" && c.GetProperty("matches_formula").GetBoolean());
        var distance = Json("distance");
        Assert.Equal(13, distance.GetProperty("result").GetProperty("subject_to_verb").GetInt32());
        var spectrum = Json("spectrum", "--cell", "gru", "--hidden", "5", "--rho", "0.8");
        Assert.Equal(3, spectrum.GetProperty("blocks").GetArrayLength());
        Assert.Equal(Spectra.SolverName(Spectra.Solver), spectrum.GetProperty("solver").GetString());
        foreach (var b in spectrum.GetProperty("blocks").EnumerateArray())
        {
            Assert.Equal(0.8, b.GetProperty("spectral_radius").GetDouble(), 9);
            // a random block has one eigenvalue or one complex pair of largest modulus: power iteration settles on it
            Assert.Equal(0.8, b.GetProperty("power_iteration_radius").GetDouble(), 9);
            Assert.False(b.TryGetProperty("power_iteration_radius_note", out _));
        }
        var depth = Json("depth", "--depths", "5", "--width", "8");
        Assert.Equal(3, depth.GetProperty("curves").GetArrayLength());
        Assert.Equal([5], CliJson.Envelope(depth).GetProperty("depths").EnumerateArray().Select(d => d.GetInt32()));
    }

    [Fact]
    public void Spectrum_of_a_large_matrix_says_each_phase_on_stderr_and_of_a_small_one_nothing()
    {
        var (code, output, err) = CliErrorTests.Run("spectrum", "--hidden", $"{RnnLab.Cli.Commands.SpectrumCommand.PhaseLinesFromHidden}", "--json");
        Assert.True(code == 0, err);
        Assert.Equal(500, JsonDocument.Parse(output).RootElement.GetProperty("hidden").GetInt32());
        var lines = err.TrimEnd().Split('\n');
        Assert.Equal(4, lines.Length);
        for (int i = 0; i < 3; i++)
            Assert.Matches($@"^rnnlab: spectrum: {new[] { "eigenvalues", "singular values", "power iteration" }[i]}… \([0-9.e+-]+ s\)$", lines[i]);
        Assert.Matches($@"^rnnlab: spectrum: done in [0-9.e+-]+ s \({Spectra.SolverName(Spectra.Solver)}\)$", lines[3]);
        (code, _, err) = CliErrorTests.Run("spectrum", "--hidden", "40", "--json");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        (code, _, err) = CliErrorTests.Run("spectrum", "--hidden", $"{RnnLab.Cli.Commands.SpectrumCommand.PhaseLinesFromHidden}", "--json", "--quiet");
        Assert.Equal(0, code);
        Assert.Equal("", err);
    }

    [Fact]
    public void Plots_are_written_as_png_or_svg()
    {
        string dir = Directory.CreateTempSubdirectory("rnnlab-plot").FullName;
        try
        {
            string png = Path.Combine(dir, "flow.png"), svg = Path.Combine(dir, "eig.svg");
            Assert.Equal(0, CliErrorTests.Run("flow", "--seq", "20", "--hidden", "8", "--plot", png, "--json").Code);
            Assert.Equal(0, CliErrorTests.Run("spectrum", "--hidden", "8", "--plot", svg, "--json").Code);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
            Assert.Contains("<svg", File.ReadAllText(svg));
        }
        finally { Directory.Delete(dir, true); }
    }
}
