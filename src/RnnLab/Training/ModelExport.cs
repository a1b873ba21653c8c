using RnnLab.Models;

namespace RnnLab.Training;

/// <summary>
/// <c>model.safetensors</c>: a run's recurrent module alone, as the state dict of the <c>torch.nn.RNN/LSTM/GRU</c>
/// that computes it (PyTorch's names, every layer and direction, F32), with <c>nonlinearity</c>, <c>cell</c>,
/// <c>num_layers</c>, <c>bidirectional</c> and <c>proj_size</c> in its metadata, so
/// <c>load_state_dict(..., strict=True)</c> accepts it as it is. <c>checkpoint.safetensors</c> keeps the training
/// state (readout, optimizer, data stream). With the head, the readout is added under <c>fc.</c>, the name a
/// PyTorch model's last Linear layer usually has. An expRNN trained with tanh is saved as the tanh RNN it is (W_hh
/// = exp(A)); one with modReLU has no PyTorch module and is refused.
/// </summary>
public static class ModelExport
{
    public const string ModelFile = "model.safetensors";
    /// <summary>The readout's tensors in the checkpoint, and their names with --with-head.</summary>
    const string ReadoutPrefix = "readout.", HeadPrefix = "fc.";

    /// <summary>Writes the module of <paramref name="runDir"/>'s checkpoint to <paramref name="outPath"/> (atomically).</summary>
    public static void FromRun(string runDir, string outPath, bool withHead = false)
    {
        if (File.Exists(runDir)) throw new InvalidInputException($"{runDir} is a file, not a run folder");
        if (!Directory.Exists(runDir)) throw new DirectoryNotFoundException($"{runDir}: no such run folder");
        string config = Path.Combine(runDir, TrainingRun.ConfigFile), checkpoint = Path.Combine(runDir, TrainingRun.CheckpointFile);
        if (!File.Exists(config) || !File.Exists(checkpoint))
            throw new FileNotFoundException($"{runDir}: not a run folder (needs {TrainingRun.ConfigFile} and {TrainingRun.CheckpointFile})");
        var cell = TrainingRun.ReadJson<TrainingConfig>(config, "run configuration").Cell
            ?? throw new InvalidDataException($"{config}: no cell in the run configuration");
        FromCheckpoint(checkpoint, cell, outPath, withHead);
    }

    /// <summary>
    /// The recurrent module of a training checkpoint, for a run of <paramref name="cellText"/> (the run's --cell,
    /// which is what says tanh or ReLU: older checkpoints wrote "rnn" for both).
    /// </summary>
    public static void FromCheckpoint(string checkpointPath, string cellText, string outPath, bool withHead = false)
    {
        if (!CellKinds.TryParse(cellText, out var kind, out var nonlinearity)) throw new InvalidDataException($"unknown cell '{cellText}' in the run's configuration");
        if (nonlinearity == Nonlinearity.ModRelu)
            throw new InvalidInputException("an expRNN with modReLU has no torch.nn module that computes it, so it has no model.safetensors (an exprnn-tanh run does)");
        var file = SafeTensors.Read(checkpointPath);
        var contents = Checkpoint.Inspect(file);
        var module = contents.Modules.FirstOrDefault(m => m.Name.Length == 0)
            ?? throw new InvalidDataException($"{file.FileName}: no recurrent module at the top level");
        var tensors = new List<NamedTensor>();
        for (int l = 0; l < module.Layers; l++)
            for (int d = 0; d < module.Directions; d++)
                foreach (string p in new[] { "weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr" })
                    if (file.TryGet(module.Key(p, l, d), out var t)) tensors.Add(t with { DType = SafeTensorDType.F32 });
        if (withHead)
            foreach (string p in new[] { "weight", "bias" })
                tensors.Add(file[ReadoutPrefix + p] with { Name = HeadPrefix + p, DType = SafeTensorDType.F32 });
        var metadata = new Dictionary<string, string>
        {
            [StoredModel.CellKey] = module.Kind.Name(),
            [Checkpoint.NonlinearityKey] = Checkpoint.Name(kind == CellKind.ExpRnn ? Nonlinearity.Tanh : nonlinearity),
            ["num_layers"] = module.Layers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["bidirectional"] = module.Bidirectional ? "true" : "false",
            ["proj_size"] = module.ProjSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        SafeTensors.Write(outPath, tensors, metadata);
    }
}
