using System.Numerics;
using RnnLab.Models;
using RnnLab.Tests.Fixtures;

namespace RnnLab.Tests.Models;

/// <summary>
/// RnnLab's float32 layers against torch.nn.RNN / LSTM / GRU run in float32 (Fixtures/make_fixtures.py,
/// f32_*.safetensors) at hidden sizes past 32, where the float32 kernels block differently: H = 40 with
/// [T = 12, B = 4, I = 8], and H = 37 with T, B and I odd [9, 3, 7], so vector bodies and ragged tails both run.
/// Outputs, final states and the gradients of the loss L = Σ output ⊙ dout with respect to the input, the initial
/// states and every parameter. The fixture also holds the same results in float64 from the same float32 numbers,
/// which RnnLab's float64 layers must reproduce to rounding: that proves both sides hold the same network and loss,
/// so what remains between the two float32 results is float32 rounding alone.
/// </summary>
public class PyTorchFloat32ParityTests
{
    /// <summary>
    /// Largest error of a float32 tensor, relative to the tensor's largest magnitude (max |a − r| / max |r|).
    /// Each element is a float32 sum of at most n = G·H + 2 terms (the LSTM's dh_{t−1} = W_hhᵀ·dpre_t: n = 162;
    /// forward pre-activations have I + H + 2 ≤ 50 terms, weight gradients T·B ≤ 48), with u = 2⁻²⁴ ≈ 6.0·10⁻⁸.
    /// Rounding errors of such a sum grow like √n·u (Higham, Accuracy and Stability, §2.8), 12.7 u ≈ 7.7·10⁻⁷ for
    /// the longest; two implementations with different summation orders differ by up to twice that, 1.5·10⁻⁶,
    /// hence the bound 2·10⁻⁶ (the worst case of one sum, n·u ≈ 9.7·10⁻⁶, is never approached). Measured here:
    /// RnnLab float32 against PyTorch float32 at most 3.8·10⁻⁷ (dx of the H = 40 LSTM, 6 u), RnnLab against the
    /// float64 reference at most 1.8·10⁻⁷ (3 u), PyTorch against it 2.9·10⁻⁷ (5 u). A wrong lane, tail or gate
    /// block gives an error of order 1.
    /// </summary>
    const double Float32Bound = 2e-6;

    /// <summary>float64 against float64 of the same numbers: only summation order differs (measured 7.4·10⁻¹⁶).</summary>
    const double Float64Bound = 1e-12;

    public static TheoryData<string> Fixtures => new() { "rnn_h40", "lstm_h40", "gru_h40", "rnn_odd", "lstm_odd", "gru_odd" };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Float32_outputs_states_and_gradients_match_PyTorch_float32(string name)
    {
        var file = SafeTensors.Read(Fixture.Path($"f32_{name}.safetensors"));
        foreach (var (what, shape, values) in Run<float>(file))
        {
            AssertClose($"{name} {what} against PyTorch float32", file.Get("fixture." + what, shape).Data, values, Float32Bound);
            AssertClose($"{name} {what} against float64", file.Get("fixture64." + what, shape).Data, values, Float32Bound);
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Float64_reproduces_the_fixture_s_float64_reference(string name)
    {
        var file = SafeTensors.Read(Fixture.Path($"f32_{name}.safetensors"));
        foreach (var (what, shape, values) in Run<double>(file))
            AssertClose($"{name} {what}", file.Get("fixture64." + what, shape).Data, values, Float64Bound);
    }

    /// <summary>Forward over the fixture's x from its h0 (and c0), backward from dout: every result the fixture holds, by name and shape.</summary>
    static List<(string What, int[] Shape, T[] Values)> Run<T>(SafeTensorsFile file) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var spec = StoredModel.Describe(file);
        int[] xShape = file["fixture.x"].Shape;
        int steps = xShape[0], batch = xShape[1], I = spec.InputSize, H = spec.HiddenSize;
        var layer = RecurrentLayer<T>.Create(spec.Kind, I, H, spec.Nonlinearity);
        SafeTensors.LoadInto(file, layer.Parameters);
        bool lstm = spec.Kind == CellKind.Lstm;

        T[] x = file.Get("fixture.x", steps, batch, I).To<T>();                 // [T, B, I]
        T[] h0 = file.Get("fixture.h0", batch, H).To<T>();                      // [B, H]
        T[] c0 = lstm ? file.Get("fixture.c0", batch, H).To<T>() : [];          // [B, H]
        T[] dout = file.Get("fixture.dout", steps, batch, H).To<T>();           // [T, B, H]
        var (dx, dh0, dc0) = (new T[x.Length], new T[h0.Length], new T[c0.Length]);
        layer.Forward(x, steps, batch, h0, c0);
        layer.Backward(dout, dx, dh0, dc0);

        var results = new List<(string, int[], T[])>
        {
            ("output", [steps, batch, H], layer.Output.ToArray()), ("h_n", [batch, H], layer.FinalHidden.ToArray()),
            ("dx", [steps, batch, I], dx), ("dh0", [batch, H], dh0),
        };
        if (layer is LstmLayer<T> cell) results.AddRange([("c_n", [batch, H], cell.FinalCell.ToArray()), ("dc0", [batch, H], dc0)]);
        foreach (var p in layer.Parameters) results.Add(("grad_" + p.Name, p.Shape, p.Grad));
        Assert.Equal(file.Names.Count(n => n.StartsWith("fixture64.", StringComparison.Ordinal)), results.Count);
        return results;
    }

    /// <summary>max |actual − reference| within <paramref name="bound"/> times the reference's largest magnitude.</summary>
    static void AssertClose<T>(string what, double[] reference, T[] actual, double bound) where T : IFloatingPointIeee754<T>
    {
        double scale = reference.Max(Math.Abs);
        Assert.True(scale > 0, $"{what}: the reference is all zeros");
        Fixture.AssertMatches(what, reference, (ReadOnlySpan<T>)actual, bound * scale);
    }
}
