using System.Text.Json.Nodes;
using RnnLab.Analysis;
using RnnLab.Models;
using RnnLab.Numerics;
using RnnLab.Training;

namespace RnnLab.Tests.Training;

/// <summary>
/// The remedies inside a training run: each resumes bit-identically (its extra state is in the checkpoint), expRNN's
/// saved W_hh is exp(A) and orthogonal after training, Ω is applied and logged, chrono sets the biases it defines.
/// </summary>
public sealed class RemedyTrainingTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), $"rnnlab-remedy-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    static TrainingConfig Small(string name) => (name switch
    {
        "exprnn-rmsprop" => new TrainingConfig { Cell = "exprnn", Optimizer = "rmsprop", Task = "copy", Seq = 6, Init = "henaff" },
        "exprnn-tanh" => new TrainingConfig { Cell = "exprnn-tanh", Task = "temporal-order", Seq = 12, SkewLr = 0.02 },
        "lstm-chrono" => new TrainingConfig { Cell = "lstm", Chrono = true, Task = "agreement-lm", Seq = 4 },
        "rnn-omega" => new TrainingConfig { Cell = "rnn", FlowRegularizer = 2.0, ClipNorm = 1, Optimizer = "sgd", Task = "temporal-order", Seq = 12 },
        _ => new TrainingConfig { Cell = "relu", Init = "identity", Task = "adding", Seq = 12 },
    }) with { Hidden = 8, Batch = 4, Steps = 30, Lr = 0.01, LogEvery = 5, EvalEvery = 10, EvalBatch = 16, CheckpointEvery = 10, Seed = 5 };

    public static TheoryData<string> Remedies => new() { "exprnn-rmsprop", "exprnn-tanh", "lstm-chrono", "rnn-omega", "irnn" };

    [Theory]
    [MemberData(nameof(Remedies))]
    public void Stopped_and_resumed_run_ends_bit_identical(string name)
    {
        var config = Small(name);
        string whole = Path.Combine(root, name + "-whole"), split = Path.Combine(root, name + "-split");
        var done = TrainingRun.Run(config, whole);
        Assert.Null(done.DivergedAt);
        using var cancel = new CancellationTokenSource();
        TrainingRun.Run(config, split, onLog: r => { if (r.Step == 15) cancel.Cancel(); }, cancel: cancel.Token);
        TrainingRun.Run(config, split, resume: true);
        Assert.True(File.ReadAllBytes(Path.Combine(whole, TrainingRun.CheckpointFile)).AsSpan()
            .SequenceEqual(File.ReadAllBytes(Path.Combine(split, TrainingRun.CheckpointFile))), $"{name}: checkpoints differ");
    }

    [Fact]
    public void ExpRnn_saves_exp_of_A_orthogonal_after_training_and_the_tanh_variant_reads_as_an_rnn()
    {
        foreach (string name in new[] { "exprnn-rmsprop", "exprnn-tanh" })
        {
            var config = Small(name) with { Steps = 200, Lr = 0.02 };
            string dir = Path.Combine(root, name);
            TrainingRun.Run(config, dir);
            var file = SafeTensors.Read(Path.Combine(dir, TrainingRun.CheckpointFile));
            int H = config.Hidden;
            var layer = new ExpRnnLayer<double>(1, H);
            SafeTensors.LoadInto(file, [layer.Skew]);
            var a = layer.SkewMatrix();
            Assert.Contains(a, v => Math.Abs(v) > 0);
            double[] w = file.Get("weight_hh_l0", [H, H]).Data;
            double[] expected = MatrixExponential.Exp(a, H);
            for (int i = 0; i < w.Length; i++) Assert.Equal(expected[i], w[i], 6);   // float32 rounding of exp(A)
            double worst = 0;
            for (int i = 0; i < H; i++)
                for (int j = 0; j < H; j++)
                {
                    double dot = 0;
                    for (int k = 0; k < H; k++) dot += w[k * H + i] * w[k * H + j];
                    worst = Math.Max(worst, Math.Abs(dot - (i == j ? 1 : 0)));
                }
            Assert.True(worst < 1e-5, $"{name}: ‖WᵀW − I‖_max = {worst}");
        }
        var tanhFile = Path.Combine(root, "exprnn-tanh", TrainingRun.CheckpointFile);
        var stored = StoredModel.Describe(tanhFile);
        Assert.Equal((CellKind.Rnn, Nonlinearity.Tanh), (stored.Kind, stored.Nonlinearity));
        var loaded = AnalysisNetwork.LoadModule(tanhFile);
        Assert.Equal((CellKind.Rnn, Nonlinearity.Tanh, NonlinearitySource.Metadata), (loaded.Weights.Kind, loaded.Weights.Nonlinearity, loaded.NonlinearitySource));
        FlowOfTrainedModReluCheckpointIsTheProductOfItsStepJacobians(Path.Combine(root, "exprnn-rmsprop", TrainingRun.CheckpointFile));
    }

    /// <summary>
    /// A trained expRNN with modReLU read from its checkpoint: the analysis' ‖∂h_T/∂h_{T−k}‖₂ equals the spectral norm of
    /// the explicit product of diag([h_t ≠ 0])·W_hh formed from the engine's own float64 forward pass of the same
    /// parameters (W_hh = exp(A) recomputed in double; the file holds it rounded to float32).
    /// </summary>
    static void FlowOfTrainedModReluCheckpointIsTheProductOfItsStepJacobians(string checkpoint)
    {
        var stored = StoredModel.Describe(checkpoint);
        Assert.Equal((CellKind.Rnn, Nonlinearity.ModRelu), (stored.Kind, stored.Nonlinearity));
        var loaded = AnalysisNetwork.LoadModule(checkpoint);
        Assert.Equal((CellKind.Rnn, Nonlinearity.ModRelu, NonlinearitySource.Metadata), (loaded.Weights.Kind, loaded.Weights.Nonlinearity, loaded.NonlinearitySource));
        var file = SafeTensors.Read(checkpoint);
        int I = stored.InputSize, H = stored.HiddenSize, T = 12;
        var cell = loaded.Weights.Cells[0];
        Assert.Equal(file["modrelu_bias_l0"].Data, cell.ModReluBias);

        var x = AnalysisNetwork.RandomInputs(T, I, seed: 3);
        var flow = FlowProfile.Compute(cell, x, T, new FlowOptions { TruncationTolerance = 0 });
        Assert.Equal("exprnn", flow.Cell);

        var layer = new ExpRnnLayer<double>(I, H);
        SafeTensors.LoadInto(file, layer.Parameters);
        layer.Forward(x, T, 1);                                          // W_hh = exp(A) in double
        double[] h = layer.HiddenStates.ToArray(), w = layer.WeightHH.Value;
        var p = new double[H * H];
        for (int i = 0; i < H; i++) p[i * H + i] = 1;
        for (int k = 0; k < T; k++)
        {
            Assert.Equal(Math.Log10(Analysis.AnalysisTestData.SpectralNorm(p, H)), flow.Log10SpectralNorm[k], 5);
            int t = T - k;                                               // P_{k+1} = P_k·J_t, J_t = diag([h_t ≠ 0])·W_hh
            var next = new double[H * H];
            for (int r = 0; r < H; r++)
                for (int c = 0; c < H; c++)
                {
                    double sum = 0;
                    for (int m = 0; m < H; m++) sum += p[r * H + m] * (h[t * H + m] != 0 ? 1 : 0) * w[m * H + c];
                    next[r * H + c] = sum;
                }
            p = next;
        }
    }

    [Fact]
    public void Omega_is_logged_and_changes_the_run()
    {
        var with = Small("rnn-omega");
        var a = TrainingRun.Run(with, Path.Combine(root, "omega"));
        var b = TrainingRun.Run(with with { FlowRegularizer = null }, Path.Combine(root, "plain"));
        var lines = File.ReadAllLines(Path.Combine(root, "omega", TrainingRun.MetricsFile)).Where(l => l.Length > 0).ToArray();
        Assert.All(lines, l => Assert.True(JsonNode.Parse(l)!["omega"]!.GetValue<double>() >= 0));
        Assert.DoesNotContain("omega", File.ReadAllText(Path.Combine(root, "plain", TrainingRun.MetricsFile)));
        Assert.NotEqual(a.TestLoss, b.TestLoss);
    }

    [Fact]
    public void Chrono_in_a_run_draws_the_keep_gate_from_the_task_length()
    {
        var trainer = new Trainer(Small("lstm-chrono") with { Hidden = 400 });
        int H = 400, T = trainer.Task.Steps;
        var bf = Enumerable.Range(0, H).Select(j => trainer.Model.Stack.Layer(0).BiasIH.Value[H + j] + trainer.Model.Stack.Layer(0).BiasHH.Value[H + j]).ToArray();
        Assert.All(bf, b => Assert.InRange(Math.Exp(b), 1 - 1e-5, T - 1 + 1e-4));
        Assert.True(bf.Max() > Math.Log(T - 1) - 0.1);
    }

    public static TheoryData<string, string> BadConfigs => new()
    {
        { "chrono on rnn", "chrono applies to lstm and gru" },
        { "omega on lstm", "--flow-regularizer applies to the tanh rnn" },
        { "omega with truncation", "--flow-regularizer needs full BPTT" },
        { "skew lr on gru", "--skew-lr applies to exprnn" },
        { "exprnn init", "--init for exprnn" },
        { "chrono max without chrono", "--chrono-max needs the chrono initialisation" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void Bad_remedy_configs_are_one_line_errors(string what, string mentioned)
    {
        var c = Small("irnn");
        c = what switch
        {
            "chrono on rnn" => c with { Cell = "rnn", Init = "pytorch", Chrono = true },
            "omega on lstm" => c with { Cell = "lstm", Init = "pytorch", FlowRegularizer = 2 },
            "omega with truncation" => c with { Cell = "rnn", Init = "pytorch", FlowRegularizer = 2, Truncation = 3 },
            "skew lr on gru" => c with { Cell = "gru", Init = "pytorch", SkewLr = 0.1 },
            "exprnn init" => c with { Cell = "exprnn", Init = "xavier" },
            _ => c with { ChronoMax = 10 },
        };
        // the engine names its parameter; the command line says it with its flag
        var e = Assert.ThrowsAny<InvalidInputException>(c.Validate);
        string said = e is InvalidParameterException p ? p.MessageFor(RnnLab.Cli.Flags.For(p.Parameter)) : e.Message;
        Assert.Contains(mentioned, said);
        Assert.DoesNotContain('\n', said);
    }
}
