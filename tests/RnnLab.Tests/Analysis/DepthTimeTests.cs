using MathNet.Numerics.LinearAlgebra;
using RnnLab.Analysis;
using RnnLab.Models;

namespace RnnLab.Tests.Analysis;

/// <summary>
/// Depth × time of unidirectional stacks whose bottom layer remembers and whose upper layers forget: the upper layers'
/// blocks of ∂h^top_T/∂s_{T−k} fall more than a thousand decades below the bottom layer's over T = 800, so a sweep
/// through all layers at once, scaled and truncated relative to its largest block, reads them as exactly zero (with
/// the default truncation and with none). Every layer is compared with the same product computed another way.
/// </summary>
public class DepthTimeTests
{
    const int I = 4, H = 8, T = 800;

    /// <summary>
    /// A layer that remembers (LSTM forget / GRU update gates biased open, an RNN at ρ(W_hh) = 1) or forgets (those
    /// gates biased shut, W_hh scaled by 0.05).
    /// </summary>
    static CellWeights Layer(CellKind kind, int input, bool remembers, ulong seed)
    {
        var c = kind == CellKind.Rnn && remembers
            ? CellWeights.Random(kind, input, H, seed, spectralRadius: 1.0)
            : CellWeights.Random(kind, input, H, seed);
        if (!remembers)
            for (int i = 0; i < c.WeightHH.Length; i++) c.WeightHH[i] *= 0.05;
        if (kind != CellKind.Rnn)
            for (int j = H; j < 2 * H; j++) c.BiasIH[j] = remembers ? 6 : -6;   // gate block 1: the LSTM's f, the GRU's z
        return c;
    }

    [Theory]
    [InlineData(CellKind.Lstm, "RFFF")]
    [InlineData(CellKind.Gru, "RFFFF")]
    [InlineData(CellKind.Rnn, "RFFF")]
    public void Every_layer_matches_a_product_scaled_per_layer(CellKind kind, string layers)
    {
        int L = layers.Length;
        var cells = Enumerable.Range(0, L).Select(l => Layer(kind, l == 0 ? I : H, layers[l] == 'R', (ulong)(10 + l))).ToList();
        var w = new ModuleWeights(new RecurrentModule("", kind, I, H, L, 1, true, 0, "F64", false, kind == CellKind.Rnn ? Nonlinearity.Tanh : null),
            Nonlinearity.Tanh, cells);
        var tr = ModuleTrajectory.Run(w, AnalysisNetwork.RandomInputs(T, I, seed: 3), T);
        var reference = ScaledPerLayer(tr);
        Assert.True(reference[1][^1] < reference[0][^1] - 1000, $"layer 1 ends {reference[0][^1] - reference[1][^1]:F0} decades below layer 0 (the case needs > 1000)");
        foreach (var (mode, options) in new[] { ("default", new FlowOptions()), ("exact", new FlowOptions { TruncationTolerance = 0 }) })
        {
            var flow = ModuleFlow.Compute(tr, options);
            for (int l = 0; l < L; l++)
                for (int k = 0; k < T; k++)
                {
                    double got = flow.DepthTime![l].Log10SpectralNorm[k], want = reference[l][k];
                    Assert.True(Math.Abs(got - want) < 1e-9, $"{mode}, layer {l}, k = {k}: {got:R} vs {want:R}");
                }
        }
    }

    /// <summary>
    /// log10 ‖∂h^top_T/∂h^(l)_{T−k}‖₂ for every layer l from dense step Jacobians, each layer's block A^(l) kept as a
    /// matrix and a log-scale of its own: A^(l)_{τ−1} = A^(l)_τ·J^(l)_τ + A^(l+1)_{τ−1}·E^(l+1)_{τ−1} (into the h columns),
    /// two terms added at the larger one's scale.
    /// </summary>
    static double[][] ScaledPerLayer(ModuleTrajectory tr)
    {
        var w = tr.Weights;
        int L = w.Layers, Ho = w.OutputSize;
        var cells = Enumerable.Range(0, L).Select(l => tr.Cell(l, 0)).ToArray();
        var block = new Matrix<double>[L];
        var scale = new double[L];                                           // ln of the factor taken out of block l
        var depth = Enumerable.Range(0, L).Select(_ => new double[T]).ToArray();
        Matrix<double> Input(int l, int t)
        {
            var e = new double[cells[l].Cell.StateSize * cells[l].Cell.InputSize];
            StepJacobian.Input(cells[l], t, e);
            return Matrix<double>.Build.DenseOfRowMajor(cells[l].Cell.StateSize, cells[l].Cell.InputSize, e);
        }
        Matrix<double> Step(int l, int t)
        {
            int s = cells[l].Cell.StateSize;
            var j = new double[s * s];
            StepJacobian.Dense(cells[l], t, j);
            return Matrix<double>.Build.DenseOfRowMajor(s, s, j);
        }
        Matrix<double> IntoH(int l, Matrix<double> a)                        // [Ho, Ho] into layer l's h columns, [Ho, S_l]
        {
            var m = Matrix<double>.Build.Dense(Ho, cells[l].Cell.StateSize);
            m.SetSubMatrix(0, 0, a);
            return m;
        }
        void Set(int l, Matrix<double> a, double la, Matrix<double>? b, double lb)
        {
            double top = b is null ? la : Math.Max(la, lb);
            var sum = a * Math.Exp(la - top);
            if (b is not null) sum += b * Math.Exp(lb - top);
            double largest = sum.Enumerate().Max(Math.Abs);
            block[l] = sum / largest;
            scale[l] = top + Math.Log(largest);
        }
        void Read(int k)
        {
            for (int l = 0; l < L; l++)
                depth[l][k] = (Math.Log(block[l].SubMatrix(0, Ho, 0, Ho).L2Norm()) + scale[l]) / Math.Log(10);
        }
        Set(L - 1, IntoH(L - 1, Matrix<double>.Build.DenseIdentity(Ho)), 0, null, 0);
        for (int l = L - 2; l >= 0; l--) Set(l, IntoH(l, block[l + 1] * Input(l + 1, T)), scale[l + 1], null, 0);
        Read(0);
        for (int k = 1; k < T; k++)
        {
            int tau = T - k + 1;
            for (int l = L - 1; l >= 0; l--)
            {
                if (l == L - 1) Set(l, block[l] * Step(l, tau), scale[l], null, 0);
                else Set(l, block[l] * Step(l, tau), scale[l], IntoH(l, block[l + 1] * Input(l + 1, tau - 1)), scale[l + 1]);
            }
            Read(k);
        }
        return depth;
    }
}
