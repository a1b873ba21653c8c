using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Tests.Models;

/// <summary>
/// Stacks of 2 and 3 layers, one or two directions, against central finite differences in float64: every
/// parameter tensor, the input and the initial states. The loss is L = Σ R ⊙ output with a fixed random R, so a
/// gradient enters at every step of the top layer and reaches every layer through the inter-layer inputs.
/// </summary>
public class RecurrentStackTests
{
    public static TheoryData<string, int, bool, int, double> Cases()
    {
        var data = new TheoryData<string, int, bool, int, double>();
        foreach (var cell in new[] { "tanh", "relu", "lstm", "gru" })
            foreach (int layers in new[] { 2, 3 })
                foreach (bool bidirectional in new[] { false, true })
                    data.Add(cell, layers, bidirectional, 0, 0);
        data.Add("lstm", 2, false, 3, 0);     // proj_size
        data.Add("lstm", 3, true, 2, 0);
        data.Add("gru", 2, true, 0, 0.4);     // dropout between layers, masks fixed by the seed
        data.Add("lstm", 3, true, 3, 0.3);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_matches_central_differences(string cell, int layers, bool bidirectional, int proj, double dropout)
    {
        const int I = 3, H = 5, T = 4, B = 3;
        var (kind, act) = CellKinds.Parse(cell);
        var stack = new RecurrentStack<double>(kind, I, H, layers, bidirectional, dropout, proj, act);
        var rng = new SeededRandom((ulong)(layers * 100 + (bidirectional ? 10 : 0) + proj) + (ulong)kind);
        foreach (var p in stack.Parameters) rng.FillUniform<double>(p.Value, -0.6, 0.6);
        int n = layers * stack.Directions, S = stack.StateSize;
        double[] x = new double[T * B * I], h0 = new double[n * B * S], c0 = new double[kind.HasCellState() ? n * B * H : 0];
        double[] r = new double[T * B * stack.OutputSize];
        foreach (var a in new[] { x, h0, c0, r }) rng.FillUniform<double>(a, -1, 1);

        double Loss()
        {
            stack.DropoutRandom = new SeededRandom(99);   // the same masks at every evaluation
            stack.Forward(x, T, B, h0, c0);
            double s = 0;
            var o = stack.Output;
            for (int k = 0; k < o.Length; k++) s += r[k] * o[k];
            return s;
        }

        Loss();
        stack.ZeroGrad();
        double[] dx = new double[x.Length], dh0 = new double[h0.Length], dc0 = new double[c0.Length];
        stack.Backward(r, dx, dh0, dc0);

        string name = $"{cell} L={layers} D={stack.Directions} P={proj} p={dropout}";
        Assert.Equal(layers * stack.Directions * (proj > 0 ? 5 : 4), stack.Parameters.Count);
        var checks = stack.Parameters.Select(p => (p.Name, p.Value, (double[])p.Grad.Clone(), p.Shape)).ToList();
        checks.Add(("input", x, dx, [T, B, I]));
        checks.Add(("h0", h0, dh0, [n, B, S]));
        if (c0.Length > 0) checks.Add(("c0", c0, dc0, [n, B, H]));
        foreach (var (tensor, values, grad, shape) in checks)
            GradientCheck.Check($"{name}: {tensor}", shape, values, grad, Loss);
    }

    [Fact]
    public void Names_and_shapes_are_PyTorchs()
    {
        var lstm = new RecurrentStack<float>(CellKind.Lstm, 3, 8, numLayers: 2, bidirectional: true, projectionSize: 5);
        Assert.Equal(
        [
            "weight_ih_l0 [32, 3]", "weight_hh_l0 [32, 5]", "bias_ih_l0 [32]", "bias_hh_l0 [32]", "weight_hr_l0 [5, 8]",
            "weight_ih_l0_reverse [32, 3]", "weight_hh_l0_reverse [32, 5]", "bias_ih_l0_reverse [32]", "bias_hh_l0_reverse [32]", "weight_hr_l0_reverse [5, 8]",
            "weight_ih_l1 [32, 10]", "weight_hh_l1 [32, 5]", "bias_ih_l1 [32]", "bias_hh_l1 [32]", "weight_hr_l1 [5, 8]",
            "weight_ih_l1_reverse [32, 10]", "weight_hh_l1_reverse [32, 5]", "bias_ih_l1_reverse [32]", "bias_hh_l1_reverse [32]", "weight_hr_l1_reverse [5, 8]",
        ], lstm.Parameters.Select(p => $"{p.Name} {p.ShapeText}"));
        Assert.Equal(10, lstm.OutputSize);
        var gru = new RecurrentStack<float>(CellKind.Gru, 2, 4, numLayers: 3);
        Assert.Equal(["weight_ih_l2 [12, 4]", "weight_hh_l2 [12, 4]", "bias_ih_l2 [12]", "bias_hh_l2 [12]"], gru.Parameters.Skip(8).Select(p => $"{p.Name} {p.ShapeText}"));
    }

    [Fact]
    public void Projection_and_bad_sizes_are_refused_with_PyTorchs_rules()
    {
        Assert.Throws<ArgumentException>(() => new RecurrentStack<float>(CellKind.Gru, 2, 4, projectionSize: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrentStack<float>(CellKind.Lstm, 2, 4, projectionSize: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrentStack<float>(CellKind.Lstm, 2, 4, numLayers: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrentStack<float>(CellKind.Rnn, 2, 4, numLayers: 2, dropout: 1));
        var bi = new RecurrentStack<double>(CellKind.Rnn, 2, 3, bidirectional: true);
        bi.Forward(new double[4 * 1 * 2], 4, 1);
        Assert.Throws<ArgumentException>(() => bi.Backward(new double[4 * 1 * 6], truncation: 2));
    }

    [Theory]
    [InlineData("tanh", 2, 2), InlineData("lstm", 3, 3), InlineData("gru", 2, 3)]
    public void Truncated_bptt_through_a_stack_equals_independent_chunks_with_constant_initial_states(string cell, int layers, int k)
    {
        const int I = 3, H = 4, T = 7, B = 2;
        var (kind, _) = CellKinds.Parse(cell);
        var full = new RecurrentStack<double>(kind, I, H, layers);
        var rng = new SeededRandom(43);
        foreach (var p in full.Parameters) rng.FillUniform<double>(p.Value, -0.7, 0.7);
        double[] x = new double[T * B * I], r = new double[T * B * H];
        rng.FillUniform<double>(x, -1, 1);
        rng.FillUniform<double>(r, -1, 1);
        full.Forward(x, T, B);
        full.ZeroGrad();
        double[] dx = new double[x.Length];
        full.Backward(r, dx, truncation: k);

        // Definition: each chunk of k steps starts every layer from that layer's state at the chunk's start in the full
        // run, taken as a constant; the truncated gradient is the sum of the chunks' full gradients.
        var chunk = new RecurrentStack<double>(kind, I, H, layers);
        for (int p = 0; p < full.Parameters.Count; p++) full.Parameters[p].Value.CopyTo(chunk.Parameters[p].Value, 0);
        chunk.ZeroGrad();
        double[] dxChunks = new double[x.Length];
        for (int s = 0; s < T; s += k)
        {
            int n = Math.Min(k, T - s);
            var h0 = full.Layers.SelectMany(l => l.HiddenStates.Slice(s * B * H, B * H).ToArray()).ToArray();
            var c0 = kind.HasCellState() ? full.Layers.SelectMany(l => ((LstmLayer<double>)l).CellStates.Slice(s * B * H, B * H).ToArray()).ToArray() : [];
            chunk.Forward(x.AsSpan(s * B * I, n * B * I), n, B, h0, c0);
            double[] dxc = new double[n * B * I];
            chunk.Backward(r.AsSpan(s * B * H, n * B * H), dxc);
            dxc.CopyTo(dxChunks, s * B * I);
        }
        for (int p = 0; p < full.Parameters.Count; p++)
            GradientCheck.AssertSameGradient($"{cell}.{full.Parameters[p].Name}", chunk.Parameters[p].Grad, full.Parameters[p].Grad);
        GradientCheck.AssertSameGradient($"{cell}.input", dxChunks, dx);

        // Truncation changes the bottom layer's recurrent gradient (so the comparison above could fail).
        full.ZeroGrad();
        full.Forward(x, T, B);
        full.Backward(r);
        Assert.NotEqual(chunk.Parameters[1].Grad, full.Parameters[1].Grad);
    }

    [Fact]
    public void Reverse_direction_runs_the_layer_over_the_reversed_sequence()
    {
        const int I = 2, H = 3, T = 5, B = 2;
        var stack = new RecurrentStack<double>(CellKind.Gru, I, H, bidirectional: true);
        var rng = new SeededRandom(5);
        foreach (var p in stack.Parameters) rng.FillUniform<double>(p.Value, -0.8, 0.8);
        double[] x = new double[T * B * I];
        rng.FillUniform<double>(x, -1, 1);
        stack.Forward(x, T, B);
        double[] output = stack.Output.ToArray();

        // The same weights in a lone layer, fed x_T..x_1 by hand.
        var lone = new GruLayer<double>(I, H);
        for (int p = 0; p < 4; p++) stack.Layer(0, 1).Parameters[p].Value.CopyTo(lone.Parameters[p].Value, 0);
        double[] reversed = new double[x.Length];
        for (int t = 0; t < T; t++) x.AsSpan((T - 1 - t) * B * I, B * I).CopyTo(reversed.AsSpan(t * B * I));
        lone.Forward(reversed, T, B);
        for (int t = 0; t < T; t++)
            for (int b = 0; b < B; b++)
                for (int j = 0; j < H; j++)
                {
                    Assert.Equal(stack.Layer(0, 0).Output[(t * B + b) * H + j], output[(t * B + b) * 2 * H + j]);
                    Assert.Equal(lone.Output[((T - 1 - t) * B + b) * H + j], output[(t * B + b) * 2 * H + H + j]);
                }
    }

    [Fact]
    public void Probe_is_kept_per_layer_and_direction_in_the_inputs_time()
    {
        // A loss on output[T−1] only: the forward direction's gradient reaches every earlier step, while the reverse
        // direction's h←_t for t < T is computed after h←_T and cannot affect it, so its probe is zero there.
        const int I = 2, H = 3, T = 6, B = 2;
        var stack = new RecurrentStack<double>(CellKind.Rnn, I, H, numLayers: 2, bidirectional: true);
        var rng = new SeededRandom(8);
        foreach (var p in stack.Parameters) rng.FillUniform<double>(p.Value, -0.6, 0.6);
        double[] x = new double[T * B * I];
        rng.FillUniform<double>(x, -1, 1);
        stack.Forward(x, T, B);
        double[] dOut = new double[T * B * 2 * H];
        for (int i = (T - 1) * B * 2 * H; i < dOut.Length; i++) dOut[i] = 1;
        stack.Backward(dOut);
        double expected = Math.Sqrt(B * H);
        Assert.Equal(expected, stack.StateGradientNorm(1, 0, T), 12);
        Assert.Equal(expected, stack.StateGradientNorm(1, 1, T), 12);
        for (int t = 1; t < T; t++)
        {
            Assert.True(stack.StateGradientNorm(1, 0, t) > 0, $"top forward probe at t={t}");
            Assert.Equal(0, stack.StateGradientNorm(1, 1, t));
            Assert.True(stack.StateGradientNorm(0, 0, t) > 0, $"bottom forward probe at t={t}");
            Assert.True(stack.StateGradientNorm(0, 1, t) > 0, $"bottom reverse probe at t={t}");   // reaches h→_T of the top through the layer above
        }
    }

    [Fact]
    public void Dropout_acts_between_layers_only_while_training_and_follows_its_seed()
    {
        const int I = 3, H = 16, T = 20, B = 8;
        var stack = new RecurrentStack<float>(CellKind.Lstm, I, H, numLayers: 2, dropout: 0.5);
        var noDropout = new RecurrentStack<float>(CellKind.Lstm, I, H, numLayers: 2);
        var rng = new SeededRandom(3);
        Initializers.Apply(stack, InitKind.PyTorch, rng);
        for (int p = 0; p < stack.Parameters.Count; p++) stack.Parameters[p].Value.CopyTo(noDropout.Parameters[p].Value, 0);
        float[] x = new float[T * B * I];
        rng.FillGaussian<float>(x, 0, 1);

        float[] Run(ulong seed, bool training)
        {
            stack.Training = training;
            stack.DropoutRandom = new SeededRandom(seed);
            stack.Forward(x, T, B);
            return stack.Output.ToArray();
        }
        noDropout.Forward(x, T, B);
        Assert.Equal(noDropout.Output.ToArray(), Run(1, training: false));
        float[] a = Run(1, training: true), b = Run(1, training: true), c = Run(2, training: true);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(noDropout.Output.ToArray(), a);
        // The bottom layer sees no dropout: its output is the same with and without.
        Assert.Equal(noDropout.Layer(0).Output.ToArray(), stack.Layer(0).Output.ToArray());
    }

    [Fact]
    public void Dropout_zeroes_about_p_and_scales_survivors_by_one_over_one_minus_p()
    {
        var dropout = new Dropout<double>(0.3);
        double[] x = Enumerable.Repeat(1.0, 100_000).ToArray(), y = new double[x.Length];
        dropout.Forward(x, y, new SeededRandom(11));
        double zeros = y.Count(v => v == 0) / (double)y.Length;
        Assert.InRange(zeros, 0.29, 0.31);
        Assert.All(y, v => Assert.True(v == 0 || Math.Abs(v - 1 / 0.7) < 1e-15));
        double[] dx = new double[x.Length];
        dropout.Backward(x, dx);
        Assert.Equal(y, dx);
    }
}
