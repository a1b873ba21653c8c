using System.CommandLine;
using RnnLab.Analysis;
using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Cli.Commands;

/// <summary>
/// `rnnlab forward`: PyTorch's <c>output</c> (and <c>h_n</c>, <c>c_n</c>) of a checkpoint's recurrent module for
/// the given inputs, so parity with one's own PyTorch code is one comparison. Computed in float64, written in the
/// file's precision (float64 for an F64 module, float32 otherwise).
/// </summary>
public static class ForwardCommand
{
    public static Command Create()
    {
        var network = new NetworkOptions();
        var inputs = new Option<string>("--inputs") { Description = "Inputs [T, I] or [T, B, I] (.npy; [B, T, I] with --batch-first).", Required = true };
        var output = new Option<string>("--out") { Description = "Where to write output [T, D·H_out] (or [T, B, D·H_out]; [B, T, ·] with --batch-first) as .npy.", Required = true };
        var states = new Option<string?>("--states") { Description = "Also write h_n [L·D, B, H_out] to this .npy file, and for the LSTM c_n [L·D, B, H] beside it (NAME_c.npy)." };
        var batchFirst = new Option<bool>("--batch-first") { Description = "--inputs and --out are [B, T, ·], as PyTorch's batch_first=True." };
        var h0 = new Option<string?>("--h0") { Description = "Initial h, [L·D, B, H_out] (.npy); zero when left out." };
        var c0 = new Option<string?>("--c0") { Description = "LSTM: initial c, [L·D, B, H] (.npy); zero when left out." };
        var command = new Command("forward", "Run a checkpoint's recurrent module (any layers, directions, bias, proj_size) on inputs and write PyTorch's output, h_n and c_n.")
        {
            inputs, output, states, batchFirst, h0, c0,
        };
        command.Options.Add(network.Cell);
        command.Options.Add(network.Model);
        command.Options.Add(network.Module);
        network.Model.Required = true;
        command.SetAction(parse =>
        {
            string outPath = parse.GetValue(output)!;
            string? statesPath = parse.GetValue(states);
            foreach (var p in new[] { outPath, statesPath })
                if (p is not null && !p.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"{p}: the file must end in .npy");
            var loaded = network.LoadModule(parse);
            var w = loaded.Weights;
            bool lstm = w.Kind == CellKind.Lstm, bf = parse.GetValue(batchFirst);
            if (!lstm && parse.GetValue(c0) is not null) throw new UsageException($"--c0: a {w.Kind.Name()} has no cell state");
            // Every file this run writes, checked before the first is written, so a refusal leaves none behind.
            var writes = new List<(string Flag, string Path)> { ("--out", outPath) };
            if (statesPath is not null) writes.Add(("--states", statesPath));
            if (statesPath is not null && lstm) writes.Add(("--states (c_n)", CellStatePath(statesPath)));
            // ... and none of them a file this run reads, which writing would destroy.
            var reads = new List<(string Flag, string Path)> { ("--inputs", parse.GetValue(inputs)!) };
            if (parse.GetValue(network.Model) is string modelPath) reads.Add(("--model", modelPath));
            if (parse.GetValue(h0) is string h0Path) reads.Add(("--h0", h0Path));
            if (parse.GetValue(c0) is string c0Path) reads.Add(("--c0", c0Path));
            for (int i = 0; i < writes.Count; i++)
            {
                OutputPaths.CheckFile(writes[i].Path, writes[i].Flag);
                for (int j = 0; j < i; j++)
                    if (Path.GetFullPath(writes[j].Path) == Path.GetFullPath(writes[i].Path))
                        throw new UsageException($"{writes[i].Flag} {writes[i].Path} is the file {writes[j].Flag} writes: give them different names");
                foreach (var (flag, path) in reads)
                    if (Path.GetFullPath(path) == Path.GetFullPath(writes[i].Path))
                        throw new UsageException($"{writes[i].Flag} {writes[i].Path} is the file {flag} reads: writing it would destroy the input; give the output another name");
            }
            var (x, T, B) = AnalysisNetwork.LoadSequences(parse.GetValue(inputs)!, w.InputSize, bf);
            bool batched = Npy.Read(parse.GetValue(inputs)!).Rank == 3;
            int rows = w.Layers * w.Directions, width = w.Directions * w.OutputSize;
            double[] h = parse.GetValue(h0) is string hp ? AnalysisNetwork.LoadInitialState(hp, "h0", rows, B, w.OutputSize) : [];
            double[] c = parse.GetValue(c0) is string cp ? AnalysisNetwork.LoadInitialState(cp, "c0", rows, B, w.HiddenSize) : [];
            var result = ModuleForward.Run(w, x, T, B, h, c);

            double[] y = result.Output;                                       // [T, B, D·H_out]
            int[] shape = batched ? (bf ? [B, T, width] : [T, B, width]) : [T, width];
            if (batched && bf) y = BatchFirst(y, T, B, width);
            bool f64 = w.Module.DType == "F64";
            Write(outPath, shape, y, f64);
            if (statesPath is not null)
            {
                int[] stateShape(int n) => batched ? [rows, B, n] : [rows, n];
                Write(statesPath, stateShape(w.OutputSize), result.FinalHidden, f64);
                if (lstm) Write(CellStatePath(statesPath), stateShape(w.HiddenSize), result.FinalCell, f64);
            }
            return 0;
        });
        return command;
    }

    /// <summary>Where --states puts c_n: h_n.npy → h_n_c.npy.</summary>
    public static string CellStatePath(string statesPath) => statesPath[..^4] + "_c.npy";

    static void Write(string path, int[] shape, double[] data, bool f64)
    {
        if (f64) Npy.Write(path, shape, data);
        else Npy.Write(path, shape, Array.ConvertAll(data, v => (float)v));
    }

    static double[] BatchFirst(double[] y, int T, int B, int width)
    {
        var r = new double[y.Length];
        for (int t = 0; t < T; t++)
            for (int b = 0; b < B; b++) y.AsSpan((t * B + b) * width, width).CopyTo(r.AsSpan((b * T + t) * width, width));
        return r;
    }
}
