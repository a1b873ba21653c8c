using RnnLab.Analysis;
using RnnLab.Models;

namespace RnnLab.Tests.Analysis;

public class CellTrajectoryTests
{
    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void MatchesEngineForward(CellKind kind)
    {
        const int steps = 9, input = 3, hidden = 5;
        var layer = RecurrentLayer<double>.Create(kind, input, hidden);
        Initializers.Apply(layer, InitKind.PyTorch, new RnnLab.Numerics.SeededRandom(2));
        var x = AnalysisTestData.Input(steps, input, 5);
        layer.Forward(x, steps, 1);
        var tr = CellTrajectory.Run(CellWeights.From(layer), x, steps);
        var hs = layer.HiddenStates;
        for (int i = 0; i < hs.Length; i++) Assert.Equal(hs[i], tr.H[i], 12);
        if (layer is LstmLayer<double> lstm)
        {
            var cs = lstm.CellStates;
            for (int i = 0; i < cs.Length; i++) Assert.Equal(cs[i], tr.C[i], 12);
        }
    }
}
