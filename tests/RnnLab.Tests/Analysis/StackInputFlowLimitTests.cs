using RnnLab.Analysis;
using RnnLab.Models;

namespace RnnLab.Tests.Analysis;

/// <summary>
/// A bidirectional stack whose input gradients would take more than the memory limit: the input connectivity is
/// refused with the amount it needs in a note, and every other number is still computed, equal to a run under the limit.
/// The limit is lowered for the test so that a small module reaches it.
/// </summary>
public class StackInputFlowLimitTests
{
    [Fact]
    public void Above_the_limit_the_input_connectivity_is_a_note_and_the_rest_is_computed()
    {
        const int I = 3, H = 16, T = 320;
        var module = new RecurrentModule("", CellKind.Gru, I, H, 2, 2, true, 0, "F64", false, null);
        var cells = module.LayerShapes.Select((s, i) => CellWeights.Random(CellKind.Gru, s.InputSize, H, seed: (ulong)(20 + i))).ToList();
        var w = new ModuleWeights(module, Nonlinearity.Tanh, cells);
        var tr = ModuleTrajectory.Run(w, AnalysisNetwork.RandomInputs(T, I, seed: 4), T);
        double needed = StackInputFlow.Bytes(w, T);                          // 2·T·(2·H)·(2·H)·8 bytes = 5 MiB
        Assert.Equal(5.0 * (1 << 20), needed);

        var within = ModuleFlow.Compute(tr, new FlowOptions(), progress: null, stackInputFlowBytes: needed);
        var above = ModuleFlow.Compute(tr, new FlowOptions(), progress: null, stackInputFlowBytes: 4 << 20);

        Assert.Null(within.InputNote);
        Assert.NotNull(within.Log10InputSpectralNorm);
        Assert.Equal("not computed: the input gradients of this bidirectional stack over T = 320 need 5.0 MiB, above the 4 MiB limit", above.InputNote);
        Assert.Null(above.Log10InputSpectralNorm);
        Assert.Null(above.Log10InputSpectralNormForwardOutput);
        Assert.Null(above.Log10InputSpectralNormReverseOutput);
        Assert.Equal(within.Layers.Select(l => l.Name), above.Layers.Select(l => l.Name));
        for (int i = 0; i < within.Layers.Count; i++)
        {
            Assert.Equal(within.Layers[i].Flow.Log10SpectralNorm, above.Layers[i].Flow.Log10SpectralNorm);
            Assert.Equal(within.Layers[i].Flow.LyapunovExponents, above.Layers[i].Flow.LyapunovExponents);
            Assert.All(above.Layers[i].Flow.Log10SpectralNorm, v => Assert.True(double.IsFinite(v)));
        }

        var json = ModuleFlowReport.Build(w, [above]);
        Assert.Equal(above.InputNote, json["input_spectral_norm_note"]);
        Assert.False(json.ContainsKey("input_spectral_norm"));
        Assert.Equal(4, ((System.Collections.IList)json["layers"]!).Count);
        Assert.Equal(within.Layers[2].Flow.SpectralNorm, (double[])json["spectral_norm"]!);   // the top layer's forward direction
    }

    [Fact]
    public void The_note_names_the_amount_and_the_real_limit_in_GiB()
    {
        // A 2-layer bidirectional LSTM with H_out = 256 over T = 4096: 2·4096·512·512·8 bytes = 16 GiB.
        var module = new RecurrentModule("", CellKind.Lstm, 3, 256, 2, 2, true, 0, "F64", false, null);
        var w = new ModuleWeights(module, Nonlinearity.Tanh, [.. module.LayerShapes.Select(s => new CellWeights(CellKind.Lstm, s.InputSize, 256))]);
        Assert.Equal(16.0 * (1 << 30), StackInputFlow.Bytes(w, 4096));
        Assert.Equal("not computed: the input gradients of this bidirectional stack over T = 4096 need 16.0 GiB, above the 2 GiB limit",
            ModuleFlow.StackInputNote(4096, StackInputFlow.Bytes(w, 4096), ModuleFlow.StackInputFlowBytes));
    }
}
