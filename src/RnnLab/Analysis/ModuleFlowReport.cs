namespace RnnLab.Analysis;

/// <summary>
/// The JSON of <c>rnnlab flow --model</c>: today's top-level keys for the top layer's forward direction, then
/// <c>layers</c> (every layer and direction), <c>depth_time</c> and <c>input_spectral_norm</c> (with a bidirectional
/// module also <c>input_spectral_norm_forward_output</c> and <c>_reverse_output</c>, each half of y_T). Over a batch of B
/// sequences every log10 key holds the mean over sequences with <c>_min</c> and <c>_max</c> twins, and the linear key
/// beside it is 10 to that mean (the geometric mean); scalars are taken from the mean curve (decay rate, horizon)
/// or averaged (Lyapunov exponents). Keys in snake_case, as the rest of RnnLab's JSON.
/// </summary>
public static class ModuleFlowReport
{
    /// <summary>The flow keys of one layer and direction, from its profile along each sequence.</summary>
    public static Dictionary<string, object?> LayerKeys(IReadOnlyList<FlowResult> perSequence)
    {
        var first = perSequence[0];
        var o = new Dictionary<string, object?>
        {
            ["cell"] = first.Cell, ["hidden_size"] = first.HiddenSize, ["steps"] = first.Steps,
        };
        var blocks = new (string Key, Func<FlowResult, double[]?> Log10, Func<FlowResult, string?> Note)[]
        {
            ("spectral_norm", f => f.Log10SpectralNorm, f => f.Log10SpectralNormNote),
            ("frobenius_norm", f => f.Log10FrobeniusNorm, f => f.Log10FrobeniusNormNote),
            ("cell_spectral_norm", f => f.Log10CellSpectralNorm, f => f.Log10CellSpectralNormNote),
            ("hidden_from_cell_spectral_norm", f => f.Log10HiddenFromCellSpectralNorm, f => f.Log10HiddenFromCellSpectralNormNote),
            ("state_spectral_norm", f => f.Log10StateSpectralNorm, _ => null),
            ("cell_path_norm", f => f.Log10CellPathNorm, _ => null),
        };
        foreach (var (key, log10, note) in blocks)
        {
            if (log10(first) is null) continue;
            AddSeries(o, key, [.. perSequence.Select(f => log10(f)!)]);
            // a refused entry is null in the mean as in every sequence that refused it
            var notes = perSequence.Select((f, b) => note(f) is string n ? perSequence.Count == 1 ? n : $"sequence {b}: {n}" : null).OfType<string>().ToList();
            if (notes.Count > 0) o[$"log10_{key}_note"] = string.Join("; ", notes);
        }
        double[] meanSpec = Mean([.. perSequence.Select(f => f.Log10SpectralNorm)]);
        if (first.SpectralRadius is not null) o["spectral_radius"] = first.SpectralRadius;
        if (first.GateSpectralRadii is not null) o["gate_spectral_radii"] = first.GateSpectralRadii;
        double[] lyap = Mean([.. perSequence.Select(f => f.LyapunovExponents)]);
        o["lyapunov_exponents"] = lyap;
        o["effective_rho"] = lyap.Length > 0 ? Math.Exp(lyap[0]) : double.NaN;
        o["decay_rate"] = FlowProfile.DecayRate(meanSpec);
        o["horizon"] = FlowProfile.Horizon(meanSpec, first.HorizonThreshold);
        o["horizon_threshold"] = first.HorizonThreshold;
        o["rank"] = Enumerable.Range(0, first.Steps).Select(k => perSequence.Max(f => f.Rank[k])).ToArray();
        o["power_iteration_limit_hits"] = perSequence.Sum(f => f.PowerIterationLimitHits);
        o["dense_svd_fallbacks"] = perSequence.Sum(f => f.DenseSvdFallbacks);
        return o;
    }

    /// <summary>The whole report: the top layer's keys, then every layer, depth × time and the input connectivity.</summary>
    public static Dictionary<string, object?> Build(ModuleWeights w, IReadOnlyList<ModuleFlowResult> perSequence)
    {
        var o = new Dictionary<string, object?>();
        var first = perSequence[0];
        int top = (w.Layers - 1) * w.Directions;
        foreach (var (k, v) in LayerKeys([.. perSequence.Select(r => r.Layers[top].Flow)])) o[k] = v;
        o["batch"] = perSequence.Count;
        o["layers"] = Enumerable.Range(0, first.Layers.Count).Select(i =>
        {
            var l = first.Layers[i];
            var entry = new Dictionary<string, object?> { ["name"] = l.Name, ["layer"] = l.Layer, ["direction"] = l.Direction };
            foreach (var (k, v) in LayerKeys([.. perSequence.Select(r => r.Layers[i].Flow)])) entry[k] = v;
            return entry;
        }).ToList();
        if (first.DepthTime is not null)
            o["depth_time"] = Enumerable.Range(0, w.Layers).Select(l =>
            {
                var entry = new Dictionary<string, object?> { ["layer"] = l };
                AddSeries(entry, "spectral_norm", [.. perSequence.Select(r => r.DepthTime![l].Log10SpectralNorm)]);
                return entry;
            }).ToList();
        if (first.Log10InputSpectralNorm is not null) AddSeries(o, "input_spectral_norm", [.. perSequence.Select(r => r.Log10InputSpectralNorm!)]);
        else o["input_spectral_norm_note"] = first.InputNote;
        if (first.Log10InputSpectralNormForwardOutput is not null)
        {
            // Bidirectional: each half of y_T = [h^fwd_T; h^rev_T] on its own (the reverse half is 0 beyond k = 0 for one layer).
            AddSeries(o, "input_spectral_norm_forward_output", [.. perSequence.Select(r => r.Log10InputSpectralNormForwardOutput!)]);
            AddSeries(o, "input_spectral_norm_reverse_output", [.. perSequence.Select(r => r.Log10InputSpectralNormReverseOutput!)]);
        }
        o["elapsed_seconds"] = perSequence.Sum(r => r.ElapsedSeconds);
        return o;
    }

    /// <summary>KEY = 10^mean, log10_KEY = mean over sequences, and with more than one sequence log10_KEY_min / _max.</summary>
    internal static void AddSeries(Dictionary<string, object?> o, string key, IReadOnlyList<double[]> log10)
    {
        double[] mean = Mean(log10);
        o[key] = FlowProfile.Pow10(mean);
        o["log10_" + key] = mean;
        if (log10.Count > 1)
        {
            o[$"log10_{key}_min"] = Extreme(log10, Enumerable.Min);
            o[$"log10_{key}_max"] = Extreme(log10, Enumerable.Max);
        }
    }

    /// <summary>
    /// The min or max over sequences at each k; NaN (a value refused in some sequence, e.g. below the rounding floor)
    /// wherever any sequence has NaN, as in the mean. .NET's Min returns NaN there but its Max skips NaN, so the
    /// range would otherwise say one thing at its lower end and another at its upper.
    /// </summary>
    static double[] Extreme(IReadOnlyList<double[]> log10, Func<IEnumerable<double>, double> pick) =>
        [.. Enumerable.Range(0, log10[0].Length).Select(k => log10.Any(s => double.IsNaN(s[k])) ? double.NaN : pick(log10.Select(s => s[k])))];

    /// <summary>Element-wise mean of equal-length series (−∞ stays −∞: a norm exactly zero in some sequence).</summary>
    public static double[] Mean(IReadOnlyList<double[]> series)
    {
        var mean = new double[series[0].Length];
        foreach (var s in series)
            for (int k = 0; k < mean.Length; k++) mean[k] += s[k] / series.Count;
        return mean;
    }
}
