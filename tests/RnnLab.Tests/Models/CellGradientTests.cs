using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Tests.Models;

/// <summary>
/// Every cell's backward pass against central finite differences of its forward pass, in float64:
/// every parameter tensor, the inputs and the initial state(s). The loss is L = Σ_t Σ R_t ⊙ h_t with a fixed
/// random R, so ∂L/∂h_t = R_t enters at every step and the whole BPTT path is exercised.
/// </summary>
public class CellGradientTests
{
    public static TheoryData<string, int, int, int, int> Cases()
    {
        var data = new TheoryData<string, int, int, int, int>();
        foreach (var cell in new[] { "tanh", "relu", "lstm", "gru", "exprnn", "exprnn-tanh" })
            foreach (var (i, h, t, b) in new[] { (1, 1, 1, 1), (3, 5, 4, 2), (2, 7, 6, 3), (4, 9, 3, 1) })
                data.Add(cell, i, h, t, b);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_matches_central_differences(string cell, int inputSize, int hidden, int steps, int batch)
    {
        var rng = new SeededRandom((ulong)(inputSize * 1000 + hidden * 100 + steps * 10 + batch));
        var (kind, act) = CellKinds.Parse(cell);
        var layer = RecurrentLayer<double>.Create(kind, inputSize, hidden, act);
        foreach (var p in layer.Parameters) rng.FillUniform<double>(p.Value, -0.6, 0.6);
        double[] x = new double[steps * batch * inputSize];
        double[] h0 = new double[batch * hidden];
        double[] c0 = new double[kind.HasCellState() ? batch * hidden : 0];
        double[] r = new double[steps * batch * hidden];
        rng.FillUniform<double>(x, -1, 1);
        rng.FillUniform<double>(h0, -0.5, 0.5);
        rng.FillUniform<double>(c0, -0.5, 0.5);
        rng.FillUniform<double>(r, -1, 1);

        double Loss()
        {
            layer.Forward(x, steps, batch, h0, c0);
            double s = 0;
            var o = layer.Output;
            for (int k = 0; k < o.Length; k++) s += r[k] * o[k];
            return s;
        }

        Loss();
        layer.ZeroGrad();
        double[] dx = new double[x.Length], dh0 = new double[h0.Length], dc0 = new double[c0.Length];
        layer.Backward(r, dx, dh0, dc0);

        var checks = layer.Parameters.Select(p => (p.Name, p.Value, (double[])p.Grad.Clone(), p.Shape)).ToList();
        checks.Add(("input", x, dx, [steps, batch, inputSize]));
        checks.Add(("h0", h0, dh0, [batch, hidden]));
        if (c0.Length > 0) checks.Add(("c0", c0, dc0, [batch, hidden]));
        foreach (var (name, values, grad, shape) in checks)
            GradientCheck.Check($"{cell}.{name}", shape, values, grad, Loss);
    }

    [Theory]
    [InlineData("tanh", 2), InlineData("tanh", 3), InlineData("lstm", 2), InlineData("lstm", 4), InlineData("gru", 3)]
    public void Truncated_bptt_equals_independent_chunks_with_constant_initial_states(string cell, int k)
    {
        const int I = 3, H = 4, T = 7, B = 2;
        var rng = new SeededRandom(42);
        var (kind, _) = CellKinds.Parse(cell);
        var full = RecurrentLayer<double>.Create(kind, I, H);
        foreach (var p in full.Parameters) rng.FillUniform<double>(p.Value, -0.7, 0.7);
        double[] x = new double[T * B * I], r = new double[T * B * H];
        rng.FillUniform<double>(x, -1, 1);
        rng.FillUniform<double>(r, -1, 1);

        full.Forward(x, T, B);
        full.ZeroGrad();
        double[] dx = new double[x.Length];
        full.Backward(r, dx, truncation: k);
        double[] states = full.HiddenStates.ToArray();
        double[] cells = full is LstmLayer<double> l ? l.CellStates.ToArray() : [];

        // Definition: cut the sequence into chunks of k steps; each chunk starts from the previous chunk's
        // final state taken as a constant; the truncated gradient is the sum of the chunks' full gradients.
        var chunk = RecurrentLayer<double>.Create(kind, I, H);
        for (int p = 0; p < 4; p++) full.Parameters[p].Value.CopyTo(chunk.Parameters[p].Value, 0);
        chunk.ZeroGrad();
        double[] dxChunks = new double[x.Length];
        for (int s = 0; s < T; s += k)
        {
            int n = Math.Min(k, T - s);
            var h0 = states.AsSpan(s * B * H, B * H);
            var c0 = cells.Length > 0 ? cells.AsSpan(s * B * H, B * H) : default;
            chunk.Forward(x.AsSpan(s * B * I, n * B * I), n, B, h0, c0);
            double[] dxc = new double[n * B * I];
            chunk.Backward(r.AsSpan(s * B * H, n * B * H), dxc);
            dxc.CopyTo(dxChunks, s * B * I);
        }
        for (int p = 0; p < 4; p++)
            GradientCheck.AssertSameGradient($"{cell}.{full.Parameters[p].Name}", chunk.Parameters[p].Grad, full.Parameters[p].Grad);
        GradientCheck.AssertSameGradient($"{cell}.input", dxChunks, dx);

        // And truncation must change something: full BPTT differs.
        full.ZeroGrad();
        full.Forward(x, T, B);
        full.Backward(r);
        Assert.NotEqual(chunk.Parameters[1].Grad, full.Parameters[1].Grad);
    }

    [Fact]
    public void Probe_records_the_norm_of_the_state_gradient_at_every_step()
    {
        var layer = new RnnLayer<double>(2, 3);
        var rng = new SeededRandom(7);
        foreach (var p in layer.Parameters) rng.FillUniform<double>(p.Value, -0.5, 0.5);
        double[] x = new double[5 * 1 * 2];
        rng.FillUniform<double>(x, -1, 1);
        layer.Forward(x, 5, 1);
        double[] dOut = new double[5 * 3];
        dOut[4 * 3 + 1] = 1; // loss on h_5 only
        layer.Backward(dOut);
        var probe = layer.StateGradientNorms.ToArray();
        Assert.Equal(1.0, probe[4], 12);
        // ∂L/∂h_4 = W_hhᵀ·diag(1 − h_5²)·e_1, computed by hand.
        var h = layer.HiddenStates;
        double[] dh4 = new double[3];
        double d = 1 - h[5 * 3 + 1] * h[5 * 3 + 1];
        for (int j = 0; j < 3; j++) dh4[j] = d * layer.WeightHH.Value[1 * 3 + j];
        Assert.Equal(Math.Sqrt(dh4.Sum(v => v * v)), probe[3], 12);
        Assert.True(probe[0] < probe[4]);
    }
}
