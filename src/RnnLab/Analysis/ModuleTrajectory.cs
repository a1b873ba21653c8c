namespace RnnLab.Analysis;

/// <summary>
/// One sequence through a whole module in float64, as PyTorch's nn.RNN/LSTM/GRU runs it: layer by layer, each
/// direction a <see cref="CellTrajectory"/> over its own inputs (the reverse direction over the reversed sequence),
/// layer l + 1 fed the concatenation [forward, reverse] of layer l's outputs at each time.
/// </summary>
public sealed class ModuleTrajectory
{
    public ModuleWeights Weights { get; }
    public int Steps { get; }
    /// <summary>Per layer and direction (index layer·D + d), in that direction's processing order.</summary>
    public IReadOnlyList<CellTrajectory> Cells { get; }
    /// <summary>PyTorch's <c>output</c> for this sequence: the top layer's h at each time, directions concatenated, [T, D·H_out].</summary>
    public double[] Output { get; }

    ModuleTrajectory(ModuleWeights weights, int steps, IReadOnlyList<CellTrajectory> cells, double[] output)
    {
        Weights = weights;
        Steps = steps;
        Cells = cells;
        Output = output;
    }

    public CellTrajectory Cell(int layer, int direction) => Cells[layer * Weights.Directions + direction];

    /// <summary>
    /// Runs x [T, I] from h0 [L·D, H_out] and c0 [L·D, H] (PyTorch's layout for one sequence; empty = zero).
    /// </summary>
    public static ModuleTrajectory Run(ModuleWeights w, ReadOnlySpan<double> x, int steps, ReadOnlySpan<double> h0 = default, ReadOnlySpan<double> c0 = default)
    {
        int D = w.Directions, Ho = w.OutputSize, H = w.HiddenSize;
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), $"sequence length must be positive, got {steps}");
        if (x.Length != steps * w.InputSize) throw new ArgumentException($"input has {x.Length} values, expected [T={steps}, I={w.InputSize}]");
        if (!h0.IsEmpty && h0.Length != w.Layers * D * Ho) throw new ArgumentException($"h0 has {h0.Length} values, expected [{w.Layers * D}, {Ho}]");
        if (!c0.IsEmpty && c0.Length != w.Layers * D * H) throw new ArgumentException($"c0 has {c0.Length} values, expected [{w.Layers * D}, {H}]");
        var cells = new List<CellTrajectory>();
        double[] layerInput = x.ToArray();                                    // [T, I_l]
        for (int l = 0; l < w.Layers; l++)
        {
            int inSize = w.Module.LayerInputSize(l);
            var next = new double[steps * D * Ho];                            // [T, D·H_out]
            for (int d = 0; d < D; d++)
            {
                int idx = l * D + d;
                var cell = w.Cell(l, d);
                double[] seq = d == 0 ? layerInput : Reverse(layerInput, steps, inSize);
                var tr = CellTrajectory.Run(cell, seq, steps,
                    h0.IsEmpty ? default : h0.Slice(idx * Ho, Ho),
                    c0.IsEmpty || cell.Kind != Models.CellKind.Lstm ? default : c0.Slice(idx * H, H));
                cells.Add(tr);
                for (int t = 1; t <= steps; t++)
                {
                    int time = d == 0 ? t - 1 : steps - t;                   // processing step t lands at this time
                    tr.HiddenAt(t).CopyTo(next.AsSpan(time * D * Ho + d * Ho, Ho));
                }
            }
            layerInput = next;
        }
        return new ModuleTrajectory(w, steps, cells, layerInput);
    }

    /// <summary>h_n [L·D, H_out]: every layer and direction's last state in its processing order, as PyTorch returns it.</summary>
    public double[] FinalHidden()
    {
        int Ho = Weights.OutputSize;
        var h = new double[Cells.Count * Ho];
        for (int i = 0; i < Cells.Count; i++) Cells[i].HiddenAt(Steps).CopyTo(h.AsSpan(i * Ho, Ho));
        return h;
    }

    /// <summary>c_n [L·D, H] (LSTM).</summary>
    public double[] FinalCell()
    {
        int H = Weights.HiddenSize;
        var c = new double[Cells.Count * H];
        for (int i = 0; i < Cells.Count; i++) Cells[i].CellAt(Steps).CopyTo(c.AsSpan(i * H, H));
        return c;
    }

    static double[] Reverse(double[] x, int steps, int width)
    {
        var r = new double[x.Length];
        for (int t = 0; t < steps; t++) x.AsSpan(t * width, width).CopyTo(r.AsSpan((steps - 1 - t) * width, width));
        return r;
    }
}

/// <summary>
/// PyTorch's forward of a module over a batch, in float64: x [T, B, I] (time-major) and h0 [L·D, B, H_out],
/// c0 [L·D, B, H] give output [T, B, D·H_out], h_n [L·D, B, H_out] and c_n [L·D, B, H], each sequence through
/// <see cref="ModuleTrajectory"/>.
/// </summary>
public static class ModuleForward
{
    public sealed record Result(double[] Output, double[] FinalHidden, double[] FinalCell);

    public static Result Run(ModuleWeights w, ReadOnlySpan<double> x, int steps, int batch, ReadOnlySpan<double> h0 = default, ReadOnlySpan<double> c0 = default)
    {
        int I = w.InputSize, D = w.Directions, Ho = w.OutputSize, H = w.HiddenSize, LD = w.Layers * D;
        bool lstm = w.Kind == Models.CellKind.Lstm;
        var output = new double[steps * batch * D * Ho];
        var hn = new double[LD * batch * Ho];
        var cn = lstm ? new double[LD * batch * H] : [];
        for (int b = 0; b < batch; b++)
        {
            var tr = ModuleTrajectory.Run(w, Sequence(x, steps, batch, I, b), steps, Sequence(h0, LD, batch, Ho, b), Sequence(c0, LD, batch, H, b));
            for (int t = 0; t < steps; t++) tr.Output.AsSpan(t * D * Ho, D * Ho).CopyTo(output.AsSpan((t * batch + b) * D * Ho, D * Ho));
            Scatter(tr.FinalHidden(), hn, LD, batch, Ho, b);
            if (lstm) Scatter(tr.FinalCell(), cn, LD, batch, H, b);
        }
        return new Result(output, hn, cn);
    }

    /// <summary>Sequence b of a [rows, B, width] array as [rows, width] (empty stays empty).</summary>
    public static double[] Sequence(ReadOnlySpan<double> a, int rows, int batch, int width, int b)
    {
        if (a.IsEmpty) return [];
        var s = new double[rows * width];
        for (int r = 0; r < rows; r++) a.Slice((r * batch + b) * width, width).CopyTo(s.AsSpan(r * width, width));
        return s;
    }

    static void Scatter(double[] s, double[] a, int rows, int batch, int width, int b)
    {
        for (int r = 0; r < rows; r++) s.AsSpan(r * width, width).CopyTo(a.AsSpan((r * batch + b) * width, width));
    }
}
