using RnnLab.Analysis;
using RnnLab.Models;
using RnnLab.Tests.Fixtures;

namespace RnnLab.Tests.Analysis;

/// <summary>
/// Whole PyTorch modules (Fixtures/make_module_fixtures.py) read, run and measured: the forward pass against
/// nn.Module's output, and every flow quantity against an explicit product of torch.autograd step Jacobians
/// (per layer and direction), autograd through the whole module (input connectivity) and autograd with a state
/// replaced mid-sequence (depth × time), all float64 from the file's weights.
/// </summary>
public class ModuleFixtureTests
{
    public static TheoryData<string> Cases => new() { "net_lstm2", "dp_bigru", "lstm2_bi_proj", "relu_rnn", "lstm_nobias", "gru_nobias", "lstmcell", "gru_f16", "lstm_bf16" };

    internal static (SafeTensorsFile File, CheckpointContents Contents, SafeTensorsFile Expected) Open(string name) =>
        (SafeTensors.Read(Path(name)), Checkpoint.Inspect(SafeTensors.Read(Path(name))), SafeTensors.Read(Path(name + ".expected")));

    internal static string Path(string name) => Fixture.Path(System.IO.Path.Combine("modules", name + ".safetensors"));

    internal static ModuleWeights Load(string name, (CellKind, Nonlinearity)? cell = null)
    {
        var file = SafeTensors.Read(Path(name));
        var module = Checkpoint.Select(Checkpoint.Inspect(file), null);
        var (nl, _) = Checkpoint.ResolveNonlinearity(file.FileName, module, cell ?? (name == "relu_rnn" ? (CellKind.Rnn, Nonlinearity.Relu) : null));
        return ModuleWeights.Load(file, module, nl);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_matches_PyTorch(string name)
    {
        var w = Load(name);
        var e = SafeTensors.Read(Path(name + ".expected"));
        var x = e["x"];
        int T = x.Shape[0], B = x.Shape[1];
        var zero = ModuleForward.Run(w, x.Data, T, B);
        AssertClose(name + " output", e["output"].Data, zero.Output, 1e-12);
        AssertClose(name + " h_n", e["h_n"].Data, zero.FinalHidden, 1e-12);
        var init = ModuleForward.Run(w, x.Data, T, B, e["h0"].Data, w.Kind == CellKind.Lstm ? e["c0"].Data : default);
        AssertClose(name + " output from h0", e["output_h0"].Data, init.Output, 1e-12);
        AssertClose(name + " h_n from h0", e["h_n_h0"].Data, init.FinalHidden, 1e-12);
        if (w.Kind == CellKind.Lstm)
        {
            AssertClose(name + " c_n", e["c_n"].Data, zero.FinalCell, 1e-12);
            AssertClose(name + " c_n from h0", e["c_n_h0"].Data, init.FinalCell, 1e-12);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_flow_key_matches_autograd(string name) => CheckFlow(name, Load(name), "");

    [Fact]
    public void Relu_and_tanh_give_different_numbers_each_matching_its_reference()
    {
        var relu = Load("relu_rnn", (CellKind.Rnn, Nonlinearity.Relu));
        var tanh = Load("relu_rnn", (CellKind.Rnn, Nonlinearity.Tanh));
        CheckFlow("relu_rnn", relu, "");
        CheckFlow("relu_rnn", tanh, "as_tanh.");
        var e = SafeTensors.Read(Path("relu_rnn.expected"));
        Assert.True(MaxAbs(e["flow.l0.spectral_norm"].Data, e["as_tanh.flow.l0.spectral_norm"].Data) > 0.1, "the fixture separates relu from tanh");
    }

    static void CheckFlow(string name, ModuleWeights w, string prefix)
    {
        var e = SafeTensors.Read(Path(name + ".expected"));
        var x = e["x"];
        int T = x.Shape[0], B = x.Shape[1];
        var options = new FlowOptions { TruncationTolerance = 0 };
        for (int b = 0; b < B; b++)
        {
            var tr = ModuleTrajectory.Run(w, ModuleForward.Sequence(x.Data, T, B, w.InputSize, b), T);
            var flow = ModuleFlow.Compute(tr, options);
            Assert.Equal(w.Layers * w.Directions, flow.Layers.Count);
            foreach (var layer in flow.Layers)
            {
                var f = layer.Flow;
                string key = $"{prefix}flow.{layer.Name}.";
                Compare(e, key + "spectral_norm", b, f.SpectralNorm);
                Compare(e, key + "frobenius_norm", b, f.FrobeniusNorm);
                if (w.Kind == CellKind.Lstm)
                {
                    Compare(e, key + "cell_spectral_norm", b, f.CellSpectralNorm!);
                    Compare(e, key + "hidden_from_cell_spectral_norm", b, f.HiddenFromCellSpectralNorm!);
                    Compare(e, key + "state_spectral_norm", b, f.StateSpectralNorm!);
                    Compare(e, key + "cell_path_norm", b, f.CellPathNorm!);
                }
                Assert.Equal(0, f.PowerIterationLimitHits - f.DenseSvdFallbacks);
            }
            Compare(e, prefix + "input_spectral_norm", b, FlowProfile.Pow10(flow.Log10InputSpectralNorm!));
            if (w.Directions == 2)
            {
                Compare(e, prefix + "input_spectral_norm_forward_output", b, FlowProfile.Pow10(flow.Log10InputSpectralNormForwardOutput!));
                Compare(e, prefix + "input_spectral_norm_reverse_output", b, FlowProfile.Pow10(flow.Log10InputSpectralNormReverseOutput!));
            }
            else Assert.Null(flow.Log10InputSpectralNormForwardOutput);
            if (w.Directions == 1)
                foreach (var d in flow.DepthTime!) Compare(e, $"{prefix}depth_time.l{d.Layer}", b, FlowProfile.Pow10(d.Log10SpectralNorm));
            else Assert.Null(flow.DepthTime);
        }
    }

    /// <summary>
    /// The whole-module differentiation that a bidirectional stack needs, run on the one-layer bidirectional GRU too,
    /// where ModuleFlow takes the sweep instead: both equal autograd through the module.
    /// </summary>
    [Fact]
    public void Stack_input_flow_of_one_bidirectional_layer_matches_autograd()
    {
        var w = Load("dp_bigru");
        var e = SafeTensors.Read(Path("dp_bigru.expected"));
        var x = e["x"];
        int T = x.Shape[0], B = x.Shape[1];
        for (int b = 0; b < B; b++)
        {
            var ic = StackInputFlow.Compute(ModuleTrajectory.Run(w, ModuleForward.Sequence(x.Data, T, B, w.InputSize, b), T), new FlowOptions());
            Compare(e, "input_spectral_norm", b, FlowProfile.Pow10(ic.Log10Total));
            Compare(e, "input_spectral_norm_forward_output", b, FlowProfile.Pow10(ic.Log10ForwardOutput));
            Compare(e, "input_spectral_norm_reverse_output", b, FlowProfile.Pow10(ic.Log10ReverseOutput));
        }
    }

    /// <summary>
    /// Far beyond float64's range (log10 norms down to about −600 at T = 1500): a 2-layer bidirectional tanh RNN whose
    /// reverse directions read nothing (W_ih = 0) and whose forward directions read no reverse one is the unidirectional
    /// stack of its forward directions, as far as x is concerned: ‖∂y_T/∂x_{T−k}‖ is that stack's input connectivity,
    /// which the exact sweep measures another way, and the reverse half of y_T does not depend on x at all.
    /// </summary>
    [Fact]
    public void Stack_input_flow_keeps_its_scale_over_thousands_of_decades()
    {
        const int I = 3, H = 4, T = 1500;
        var f0 = CellWeights.Random(CellKind.Rnn, I, H, seed: 11);
        var f1 = CellWeights.Random(CellKind.Rnn, 2 * H, H, seed: 12);
        CellWeights Deaf(int input, ulong seed)
        {
            var c = CellWeights.Random(CellKind.Rnn, input, H, seed);
            Array.Clear(c.WeightIH);
            return c;
        }
        var bi = new ModuleWeights(new RecurrentModule("", CellKind.Rnn, I, H, 2, 2, true, 0, "F64", false, Nonlinearity.Tanh),
            Nonlinearity.Tanh, [f0, Deaf(I, 13), f1, Deaf(2 * H, 14)]);
        var f1Forward = new double[H * H];                                  // layer 1 forward's columns reading layer 0's forward h
        for (int r = 0; r < H; r++)
        {
            f1.WeightIH.AsSpan(r * 2 * H, H).CopyTo(f1Forward.AsSpan(r * H, H));
            f1.WeightIH.AsSpan(r * 2 * H + H, H).Clear();                   // and none reading the reverse one, so the trajectories agree
        }
        var uni = new ModuleWeights(new RecurrentModule("", CellKind.Rnn, I, H, 2, 1, true, 0, "F64", false, Nonlinearity.Tanh),
            Nonlinearity.Tanh, [f0, new CellWeights(CellKind.Rnn, H, H, Nonlinearity.Tanh, f1Forward, f1.WeightHH, f1.BiasIH, f1.BiasHH)]);
        var x = AnalysisNetwork.RandomInputs(T, I, seed: 5);

        var ic = StackInputFlow.Compute(ModuleTrajectory.Run(bi, x, T), new FlowOptions());
        var reference = ModuleFlow.Compute(ModuleTrajectory.Run(uni, x, T), new FlowOptions { TruncationTolerance = 0 }).Log10InputSpectralNorm!;
        Assert.True(reference[^1] < -400, $"the reference reaches {reference[^1]:F1} decades");
        for (int k = 0; k < T; k++)
        {
            Assert.True(Math.Abs(ic.Log10Total[k] - reference[k]) < 1e-9, $"k = {k}: {ic.Log10Total[k]:R} vs {reference[k]:R}");
            Assert.True(Math.Abs(ic.Log10Total[k] - ic.Log10ForwardOutput[k]) < 1e-12, $"k = {k}: the forward half is all of it");
            Assert.True(double.IsNegativeInfinity(ic.Log10ReverseOutput[k]), $"k = {k}: the reverse half reads nothing, got {ic.Log10ReverseOutput[k]}");
        }
    }

    /// <summary>
    /// Depth × time and the input connectivity with the default deflation agree with the exact product (no deflation)
    /// over a long sequence, where the top layer's own block falls tens of decades below the lower layers' blocks.
    /// </summary>
    [Fact]
    public void Depth_time_with_deflation_matches_the_exact_product_for_every_layer()
    {
        var file = SafeTensors.Read(Fixture.Path("stack_lstm_l3.safetensors"));
        var module = Checkpoint.Select(Checkpoint.Inspect(file), null);
        var w = ModuleWeights.Load(file, module, Nonlinearity.Tanh);
        const int T = 800;
        var tr = ModuleTrajectory.Run(w, AnalysisNetwork.RandomInputs(T, w.InputSize, seed: 1), T);
        var fast = ModuleFlow.Compute(tr, new FlowOptions());
        var exact = ModuleFlow.Compute(tr, new FlowOptions { TruncationTolerance = 0 });
        for (int l = 0; l < w.Layers; l++)
            for (int k = 0; k < T; k++)
                Assert.True(Math.Abs(fast.DepthTime![l].Log10SpectralNorm[k] - exact.DepthTime![l].Log10SpectralNorm[k]) < 1e-8,
                    $"layer {l}, k = {k}: {fast.DepthTime[l].Log10SpectralNorm[k]:R} vs exact {exact.DepthTime[l].Log10SpectralNorm[k]:R}");
        for (int k = 0; k < T; k++)
            Assert.True(Math.Abs(fast.Log10InputSpectralNorm![k] - exact.Log10InputSpectralNorm![k]) < 1e-8, $"input, k = {k}");
    }

    /// <summary>Relative 1e-9 against the reference; exact zeros (∂h_T/∂c_T at k = 0) must be zero.</summary>
    static void Compare(SafeTensorsFile e, string key, int b, double[] actual)
    {
        var t = e[key];
        int T = t.Shape[1];
        Assert.Equal(T, actual.Length);
        for (int k = 0; k < T; k++)
        {
            double want = t.Data[b * T + k], got = actual[k];
            if (want == 0) Assert.True(got == 0, $"{key}[{b}, {k}]: expected 0, got {got}");
            else Assert.True(Math.Abs(got - want) <= 1e-9 * Math.Abs(want), $"{key}[{b}, {k}]: expected {want:R}, got {got:R} (rel {Math.Abs(got - want) / want:e2})");
        }
    }

    static double MaxAbs(double[] a, double[] b) => a.Zip(b, (p, q) => Math.Abs(p - q)).Max();

    static void AssertClose(string what, double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = MaxAbs(expected, actual);
        Assert.True(worst <= tolerance, $"{what}: max abs err {worst:e2} (tolerance {tolerance:e0})");
    }
}
