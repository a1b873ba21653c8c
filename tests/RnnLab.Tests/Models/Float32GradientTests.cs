using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Tests.Models;

/// <summary>
/// The float32 layers (the ones training runs) against the float64 layers of the same network, at a hidden size
/// past two full AVX-512 float vectors (H = 40 = 2·16 + 8), so the vector bodies and the ragged tails of every
/// kernel are in play. The float64 layers are checked against finite differences elsewhere; here they are the
/// reference for the float32 code paths, which finite differences cannot check.
/// </summary>
public class Float32GradientTests
{
    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void Float32_outputs_and_gradients_match_float64_of_the_same_network(CellKind kind)
    {
        const int T = 15, B = 3, I = 5, H = 40;
        var l64 = RecurrentLayer<double>.Create(kind, I, H);
        var l32 = RecurrentLayer<float>.Create(kind, I, H);
        var rng = new SeededRandom(21);
        foreach (var p in l64.Parameters) rng.FillUniform<double>(p.Value, -0.25, 0.25);
        for (int i = 0; i < l64.Parameters.Count; i++)
        {
            // Round the float64 weights to float first, so both layers hold exactly the same network.
            var (p64, p32) = (l64.Parameters[i], l32.Parameters[i]);
            for (int j = 0; j < p64.Size; j++) { p32.Value[j] = (float)p64.Value[j]; p64.Value[j] = p32.Value[j]; }
        }
        var x64 = new double[T * B * I];
        var d64 = new double[T * B * H];
        rng.FillUniform<double>(x64, -1, 1);
        rng.FillUniform<double>(d64, -1, 1);
        float[] x32 = Array.ConvertAll(x64, v => (float)v), d32 = Array.ConvertAll(d64, v => (float)v);
        x64 = Array.ConvertAll(x32, v => (double)v);
        d64 = Array.ConvertAll(d32, v => (double)v);
        var dx64 = new double[x64.Length];
        var dx32 = new float[x32.Length];
        l64.Forward(x64, T, B);
        l32.Forward(x32, T, B);
        l64.Backward(d64, dx64);
        l32.Backward(d32, dx32);

        // Norm-wise relative error of each tensor, in float32's unit roundoff u = 2⁻²⁴ ≈ 6·10⁻⁸: measured at most
        // 2.5·10⁻⁷ (about 4 u) over every tensor of the three cells; the bound 2·10⁻⁶ (about 34 u) leaves room for
        // other CPUs' summation orders and is far below the O(1) error of a wrong derivative or a misplaced lane.
        const double Bound = 2e-6;
        Check("output", l64.Output.ToArray(), l32.Output.ToArray());
        Check("dx", dx64, dx32);
        for (int i = 0; i < l64.Parameters.Count; i++) Check(l64.Parameters[i].Name + ".grad", l64.Parameters[i].Grad, l32.Parameters[i].Grad);

        void Check(string what, double[] reference, float[] actual)
        {
            double diff = 0, norm = 0;
            for (int j = 0; j < reference.Length; j++) { double d = actual[j] - reference[j]; diff += d * d; norm += reference[j] * reference[j]; }
            double rel = Math.Sqrt(diff / Math.Max(norm, 1e-300));
            Assert.True(rel <= Bound, $"{kind} {what}: float32 differs from float64 by {rel:g3} (norm-wise relative), bound {Bound:g3}");
        }
    }
}
