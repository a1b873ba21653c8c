using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Tests.Models;

/// <summary>
/// RnnLab saves a model, reads it back into a fresh layer and gets bit-identical outputs. The files are left in
/// the test output folder (rnnlab-written/) with the input and RnnLab's float64 outputs, so
/// Fixtures/check_load.py can confirm that PyTorch loads them and computes the same numbers.
/// </summary>
public class SafeTensorsExportTests
{
    [Theory]
    [InlineData("tanh", 11UL)]
    [InlineData("lstm", 12UL)]
    [InlineData("gru", 13UL)]
    public void Saved_model_reloads_with_identical_outputs(string cell, ulong seed)
        => SaveAndReload(cell, seed, Path.Combine(AppContext.BaseDirectory, "rnnlab-written"));

    /// <summary>The other direction: PyTorch 1.13 (Debian's python3-torch, installed by .ci/run) loads RnnLab's files
    /// with load_state_dict(strict=True) and reproduces RnnLab's float64 outputs to 1e-9.</summary>
    [Fact]
    public void PyTorch_loads_rnnlab_weights_and_computes_the_same_outputs()
    {
        string dir = Path.Combine(Path.GetTempPath(), "rnnlab-export-" + Guid.NewGuid().ToString("N"));
        try
        {
            SaveAndReload("tanh", 21, dir);
            SaveAndReload("lstm", 22, dir);
            SaveAndReload("gru", 23, dir);
            string script = Path.Combine(AppContext.BaseDirectory, "Fixtures", "check_load.py");
            var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3", [script, dir])
            { RedirectStandardOutput = true, RedirectStandardError = true };
            using var python = System.Diagnostics.Process.Start(start)!;
            string output = python.StandardOutput.ReadToEnd() + python.StandardError.ReadToEnd();
            python.WaitForExit();
            Assert.True(python.ExitCode == 0, $"check_load.py exited {python.ExitCode}: {output}");
            Assert.Equal(3, output.Split('\n').Count(l => l.Contains("ok")));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    static void SaveAndReload(string cell, ulong seed, string dir)
    {
        const int I = 4, H = 6, T = 9, B = 3;
        var (kind, act) = CellKinds.Parse(cell);
        var rng = new SeededRandom(seed);
        var layer = RecurrentLayer<double>.Create(kind, I, H, act);
        // float32-representable weights, so the default F32 file holds them exactly
        foreach (var p in layer.Parameters)
            for (int i = 0; i < p.Size; i++) p.Value[i] = (float)rng.Uniform(-0.5, 0.5);
        var x = new double[T * B * I];
        var h0 = new double[B * H];
        var c0 = new double[kind.HasCellState() ? B * H : 0];
        foreach (var a in new[] { x, h0, c0 })
            for (int i = 0; i < a.Length; i++) a[i] = (float)rng.Uniform(-1, 1);
        layer.Forward(x, T, B, h0, c0);
        double[] output = layer.Output.ToArray();

        string path = Path.Combine(dir, kind.Name() + ".safetensors");
        var spec = new StoredModel(kind, act, I, H, null);
        var extra = new List<NamedTensor>
        {
            NamedTensor.From<double>("fixture.x", [T, B, I], x),
            NamedTensor.From<double>("fixture.h0", [B, H], h0),
            NamedTensor.From<double>("fixture.output", [T, B, H], output, SafeTensorDType.F64),
            NamedTensor.From<double>("fixture.h_n", [B, H], layer.FinalHidden, SafeTensorDType.F64),
        };
        if (layer is LstmLayer<double> lstm)
        {
            extra.Add(NamedTensor.From<double>("fixture.c0", [B, H], c0));
            extra.Add(NamedTensor.From<double>("fixture.c_n", [B, H], lstm.FinalCell, SafeTensorDType.F64));
        }
        SafeTensors.Write(path, layer.Parameters.Select(p => NamedTensor.From(p)).Concat(extra), spec.ToMetadata());

        Assert.Equal(spec, StoredModel.Describe(path));
        var fresh = RecurrentLayer<double>.Create(kind, I, H, act);
        SafeTensors.LoadInto(path, fresh.Parameters);
        fresh.Forward(x, T, B, h0, c0);
        Assert.Equal(output, fresh.Output.ToArray());
    }
}
