using System.Numerics;
using RnnLab.Models;
using RnnLab.Numerics;
using RnnLab.Tests.Fixtures;

namespace RnnLab.Tests.Models;

/// <summary>
/// Stacked and bidirectional networks against PyTorch in both directions: outputs recorded from
/// torch.nn.RNN / LSTM / GRU with num_layers, bidirectional and proj_size (Fixtures/make_stack_fixtures.py) are
/// reproduced from the loaded state dict, and weights RnnLab trains load into PyTorch with strict=True and give
/// RnnLab's outputs (Fixtures/check_load.py).
/// </summary>
public class PyTorchStackParityTests
{
    /// <summary>The fixtures' networks, as make_stack_fixtures.py builds them (input 3, hidden 5).</summary>
    static readonly Dictionary<string, (CellKind Kind, int Layers, bool Bidirectional, int Proj)> Networks = new()
    {
        ["rnn_l2_bi"] = (CellKind.Rnn, 2, true, 0),
        ["lstm_l2_bi"] = (CellKind.Lstm, 2, true, 0),
        ["gru_l2_bi"] = (CellKind.Gru, 2, true, 0),
        ["lstm_l3"] = (CellKind.Lstm, 3, false, 0),
        ["lstm_l2_bi_proj"] = (CellKind.Lstm, 2, true, 3),
    };

    public static TheoryData<string> Names() => [.. Networks.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Float64_forward_matches_PyTorch(string name) => Check<double>(name, 1e-12);

    [Theory]
    [MemberData(nameof(Names))]
    public void Float32_forward_matches_PyTorch(string name) => Check<float>(name, 1e-5);

    static void Check<T>(string name, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int I = 3, H = 5, Steps = 7, B = 2;
        var (kind, layers, bidirectional, proj) = Networks[name];
        var file = SafeTensors.Read(Fixture.Path($"stack_{name}.safetensors"));
        var stack = new RecurrentStack<T>(kind, I, H, layers, bidirectional, projectionSize: proj);
        int n = layers * stack.Directions, S = stack.StateSize, O = file["readout.weight"].Shape[0];
        var readout = new Readout<T>(stack.OutputSize, O);
        SafeTensors.LoadInto(file, [.. stack.Parameters, .. readout.Parameters]);
        Assert.Equal(file.Tensors.Count(t => !t.Name.StartsWith("fixture.", StringComparison.Ordinal)), stack.Parameters.Count + 2);

        T[] h0 = file.Get("fixture.h0", n, B, S).To<T>();
        T[] c0 = kind.HasCellState() ? file.Get("fixture.c0", n, B, H).To<T>() : [];
        stack.Forward(file.Get("fixture.x", Steps, B, I).To<T>(), Steps, B, h0, c0);

        Fixture.AssertMatches($"{name}.output", file.Get("fixture.output", Steps, B, stack.OutputSize).Data, stack.Output, tolerance);
        double[] hn = file.Get("fixture.h_n", n, B, S).Data;
        for (int k = 0; k < n; k++)
            Fixture.AssertMatches($"{name}.h_n[{k}]", hn.AsSpan(k * B * S, B * S).ToArray(), stack.Layers[k].FinalHidden, tolerance);
        if (kind.HasCellState())
        {
            double[] cn = file.Get("fixture.c_n", n, B, H).Data;
            for (int k = 0; k < n; k++)
                Fixture.AssertMatches($"{name}.c_n[{k}]", cn.AsSpan(k * B * H, B * H).ToArray(), ((LstmLayer<T>)stack.Layers[k]).FinalCell, tolerance);
        }
        readout.Forward(stack.LastOutput, B);
        Fixture.AssertMatches($"{name}.readout(output[-1])", file.Get("fixture.readout", B, O).Data, readout.Output, tolerance);
    }

    /// <summary>
    /// Trains float32 models for a few Adam steps, saves their weights as RnnLab saves them and RnnLab's float64
    /// forward pass from those weights; PyTorch loads each file with load_state_dict(strict=True) into the module
    /// built from the names alone, and must reproduce output, h_n, c_n and the readout to 1e-9.
    /// </summary>
    [Fact]
    public void PyTorch_loads_trained_stacks_and_computes_the_same_outputs()
    {
        using var dir = new Fixture.TempFolder();
        var networks = new[] { ("lstm", 2, true, 3), ("gru", 3, false, 0), ("tanh", 2, true, 0) };
        foreach (var (cell, layers, bidirectional, proj) in networks)
            TrainAndSave(cell, layers, bidirectional, proj, dir.File($"{cell}_l{layers}.safetensors"));
        string script = Fixture.Path("check_load.py");
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3", [script, dir.Dir])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var python = System.Diagnostics.Process.Start(start)!;
        string output = python.StandardOutput.ReadToEnd() + python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, $"check_load.py exited {python.ExitCode}: {output}");
        Assert.Equal(networks.Length, output.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal) && l.Contains("readout")));
    }

    static void TrainAndSave(string cell, int layers, bool bidirectional, int proj, string path)
    {
        const int I = 4, H = 6, Steps = 9, B = 3, O = 2;
        var (kind, act) = CellKinds.Parse(cell);
        var rng = new SeededRandom(77);
        var model = new SequenceModel<float>(new RecurrentStack<float>(kind, I, H, layers, bidirectional, 0.2, proj, act), O,
            ReadoutMode.EveryStep, LossKind.MeanSquaredError);   // every step: a last-step loss leaves the top reverse W_hh untrained (its only step starts from h0 = 0)
        model.Stack.DropoutRandom = new SeededRandom(78);
        Initializers.Apply(model.Stack, InitKind.PyTorch, rng);
        Initializers.Apply(model.Readout, InitKind.PyTorch, rng);
        var before = model.Parameters.Select(p => (float[])p.Value.Clone()).ToList();
        var adam = new Adam<float>(model.Parameters, 0.01);
        var xTrain = new float[Steps * B * I];
        var y = new float[Steps * B * O];
        for (int step = 0; step < 5; step++)
        {
            rng.FillGaussian<float>(xTrain, 0, 1);
            rng.FillGaussian<float>(y, 0, 1);
            model.ZeroGrad();
            model.Forward(xTrain, Steps, B, y);
            model.Backward();
            adam.Step();
        }
        for (int p = 0; p < before.Count; p++) Assert.False(before[p].SequenceEqual(model.Parameters[p].Value), $"{cell}: {model.Parameters[p].Name} did not train");

        // RnnLab's float64 forward pass from the trained float32 weights, in evaluation mode (no dropout).
        var eval = new RecurrentStack<double>(kind, I, H, layers, bidirectional, 0.2, proj, act) { Training = false };
        var readout = new Readout<double>(eval.OutputSize, O);
        IReadOnlyList<Parameter<double>> evalParameters = [.. eval.Parameters, .. readout.Parameters];
        for (int p = 0; p < evalParameters.Count; p++)
            for (int i = 0; i < evalParameters[p].Size; i++) evalParameters[p].Value[i] = model.Parameters[p].Value[i];
        int n = layers * eval.Directions;
        var x = new double[Steps * B * I];
        var h0 = new double[n * B * eval.StateSize];
        var c0 = new double[kind.HasCellState() ? n * B * H : 0];
        foreach (var a in new[] { x, h0, c0 })
            for (int i = 0; i < a.Length; i++) a[i] = (float)rng.Uniform(-1, 1);
        eval.Forward(x, Steps, B, h0, c0);
        readout.Forward(eval.LastOutput, B);

        var extra = new List<NamedTensor>
        {
            NamedTensor.From<double>("fixture.x", [Steps, B, I], x),
            NamedTensor.From<double>("fixture.h0", [n, B, eval.StateSize], h0),
            NamedTensor.From<double>("fixture.output", [Steps, B, eval.OutputSize], eval.Output, SafeTensorDType.F64),
            NamedTensor.From<double>("fixture.h_n", [n, B, eval.StateSize], [.. eval.Layers.SelectMany(l => l.FinalHidden.ToArray())], SafeTensorDType.F64),
            NamedTensor.From<double>("fixture.readout", [B, O], readout.Output, SafeTensorDType.F64),
        };
        if (kind.HasCellState())
        {
            extra.Add(NamedTensor.From<double>("fixture.c0", [n, B, H], c0));
            extra.Add(NamedTensor.From<double>("fixture.c_n", [n, B, H], [.. eval.Layers.SelectMany(l => ((LstmLayer<double>)l).FinalCell.ToArray())], SafeTensorDType.F64));
        }
        var metadata = new StoredModel(kind, act, I, H, O).ToMetadata();
        SafeTensors.Write(path, model.Parameters.Select(p => NamedTensor.From(p)).Concat(extra), metadata);
    }
}
