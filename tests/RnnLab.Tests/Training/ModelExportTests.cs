using RnnLab.Analysis;
using RnnLab.Models;
using RnnLab.Numerics;
using RnnLab.Training;

namespace RnnLab.Tests.Training;

/// <summary>
/// Round trip with PyTorch: every run folder's model.safetensors (and `rnnlab export`) loads into
/// torch.nn.RNN/LSTM/GRU with strict=True through the README's snippet (examples/load_rnnlab_model.py) and computes
/// what RnnLab computes; the README's other snippet (examples/save_for_rnnlab.py) writes a checkpoint RnnLab reads.
/// </summary>
public sealed class ModelExportTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("rnnlab-export-").FullName;

    public void Dispose() { try { Directory.Delete(root, true); } catch (IOException) { } }

    static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RnnLab.slnx"))) return Path.Combine(dir.FullName, relative);
        throw new FileNotFoundException("RnnLab.slnx not found above the test folder");
    }

    static string Python(params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3", args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(start)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"python3 {string.Join(' ', args)} exited {p.ExitCode}: {output}");
        return output;
    }

    [Theory]
    [InlineData("lstm", 2, false, 3)]
    [InlineData("relu", 1, true, 0)]
    [InlineData("gru", 2, true, 0)]
    public void Every_run_folder_has_a_model_PyTorch_loads_strictly_and_computes_alike(string cell, int layers, bool bidirectional, int proj)
    {
        var config = new TrainingConfig
        {
            Task = "adding", Cell = cell, Seq = 8, Hidden = 6, Layers = layers, Bidirectional = bidirectional, ProjSize = proj,
            Batch = 4, Steps = 6, LogEvery = 3, EvalEvery = 6, EvalBatch = 8, Seed = 5,
        };
        string run = Path.Combine(root, cell);
        TrainingRun.Run(config, run);
        string model = Path.Combine(run, ModelExport.ModelFile);
        var contents = Checkpoint.Inspect(SafeTensors.Read(model));
        var module = Assert.Single(contents.Modules);
        Assert.Empty(contents.OtherTensors);                       // the module alone: no readout, no optimizer state
        Assert.Equal((layers, bidirectional ? 2 : 1, proj), (module.Layers, module.Directions, module.ProjSize));
        var loaded = AnalysisNetwork.LoadModule(model);
        Assert.Equal(cell == "relu" ? Nonlinearity.Relu : Nonlinearity.Tanh, loaded.Weights.Nonlinearity);
        Assert.Equal(NonlinearitySource.Metadata, loaded.NonlinearitySource);

        const int T = 7, B = 2;
        var x = new double[T * B * module.InputSize];
        new SeededRandom(9).FillGaussian<double>(x, 0, 1);
        Npy.Write(Path.Combine(root, "x.npy"), [T, B, module.InputSize], x);
        string script = RepoFile("examples/load_rnnlab_model.py");
        Python(script, model, Path.Combine(root, "x.npy"), Path.Combine(root, "y.npy"));
        var torch = Npy.Read(Path.Combine(root, "y.npy"));
        var ours = ModuleForward.Run(loaded.Weights, x, T, B);
        Assert.Equal(ours.Output.Length, torch.Data.Length);
        double worst = ours.Output.Zip(torch.Data, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 1e-12, $"{cell}: PyTorch and RnnLab differ by {worst:e2}");

        string exported = Path.Combine(root, cell + ".head.safetensors");
        var (code, _, err) = Cli.CliErrorTests.Run("export", run, "--out", exported, "--with-head");
        Assert.True(code == 0, err);
        Assert.Contains("with the head", Python(script, exported));
        Assert.Equal(["fc.bias", "fc.weight"], Checkpoint.Inspect(SafeTensors.Read(exported)).OtherTensors.Select(t => t.Name).Order());
    }

    [Fact]
    public void A_checkpoint_written_by_the_README_snippet_is_read_and_measured()
    {
        string file = Path.Combine(root, "net.safetensors");
        Python(RepoFile("examples/save_for_rnnlab.py"), file);
        var loaded = AnalysisNetwork.LoadModule(file);
        Assert.Equal(("rnn", CellKind.Gru, 2, 2), (loaded.Weights.Module.Name, loaded.Weights.Kind, loaded.Weights.Layers, loaded.Weights.Directions));
        var (code, _, err) = Cli.CliErrorTests.Run("flow", "--model", file, "--seq", "10", "--json");
        Assert.True(code == 0, err);
    }

    [Fact]
    public void The_README_shows_both_snippets_as_they_are()
    {
        string readme = File.ReadAllText(RepoFile("README.md"));
        foreach (string script in new[] { "examples/load_rnnlab_model.py", "examples/save_for_rnnlab.py" })
            Assert.Contains(File.ReadAllText(RepoFile(script)).Trim(), readme);
    }

    [Fact]
    public void Export_refuses_what_is_not_a_run_and_what_no_torch_module_computes()
    {
        var (code, _, err) = Cli.CliErrorTests.Run("export", root, "--out", Path.Combine(root, "m.safetensors"));
        Assert.Equal(2, code);
        Assert.Contains("not a run folder", err);
        (code, _, err) = Cli.CliErrorTests.Run("export", root, "--out", Path.Combine(root, "m.bin"));
        Assert.Equal(2, code);
        Assert.Contains("the file must end in .safetensors", err);
        var e = Assert.Throws<InvalidInputException>(() => ModelExport.FromCheckpoint("unused", "exprnn", Path.Combine(root, "m.safetensors")));
        Assert.Contains("modReLU", e.Message);
    }
}
