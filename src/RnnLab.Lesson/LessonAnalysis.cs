using System.Diagnostics;
using System.Globalization;
using RnnLab.Analysis;
using RnnLab.Models;
using RnnLab.Training;
using ScottPlot;

namespace RnnLab.Lesson;

/// <summary>
/// The analysis parts of the lesson page, computed without training by <c>RnnLab.Analysis</c> in float64: the
/// refresher's matrix powers, the spectrum of a default-initialised W_hh, the lesson's decay numbers, measured flow
/// profiles against ρ^k for ρ = 0.7…1.2, the subject–verb distance of the lesson's sentence, and feedforward
/// depth against recurrent depth.
/// </summary>
public static class LessonAnalysis
{
    public static IReadOnlyList<(string Id, Func<Preset, LessonPart> Build)> Parts { get; } =
    [
        ("refresher", Timed(Refresher)), ("spectrum", Timed(Spectrum)), ("decay-table", Timed(Decay)),
        ("flow-profile", Timed(FlowProfiles)), ("depth", Timed(Depth)), ("token-distance", Timed(Tokens)),
    ];

    static Func<Preset, LessonPart> Timed(Func<Preset, LessonPart> build) => preset =>
    {
        var clock = Stopwatch.StartNew();
        var part = build(preset);
        return part with { Seconds = clock.Elapsed.TotalSeconds };
    };

    static string S(double v, string f = "G3") => Html.Num(v, f);
    static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Sizes per preset: hidden size and sequence length of the flow profiles, and the depth comparison's depths.</summary>
    static (int Hidden, int Steps, int[] Depths) Size(Preset p) => p switch
    {
        Preset.Test => (16, 30, [10, 30]),
        Preset.Quick => (64, 100, [10, 50, 100]),
        _ => (128, 300, [10, 50, 100, 300]),
    };

    /// <summary>The powers k of the refresher's table; the web page and <c>rnnlab spectrum --refresher</c> show the same rows.</summary>
    internal static readonly int[] RefresherPowers = [1, 2, 5, 10, 20];

    static LessonPart Refresher(Preset preset)
    {
        var rows = RefresherExample.Rows(RefresherPowers);
        string body = Html.P("A = V·diag(0.7, 1.2)·V⁻¹ with eigenvectors v₁ = (1, 0) and v₂ = (1, 1). A^k v = λ^k v, so after k steps the 0.7-direction has size 0.7^k and the 1.2-direction 1.2^k; ‖A^k‖₂ is measured from the powers themselves (rnnlab spectrum --refresher).");
        body += Html.Table(["k", "0.7-direction: 0.7^k", "1.2-direction: 1.2^k", "‖A^k‖₂"],
            rows.Select(r => (IReadOnlyList<string>)[I(r.K), S(r.CoefficientSmall, "G4"), S(r.CoefficientLarge, "G4"), S(r.SpectralNorm, "G4")]));
        var checks = PrintedDecayTable.CheckLesson().Where(c => c.Claim.StartsWith("refresher", StringComparison.Ordinal)).ToArray();
        var ten = rows.First(r => r.K == 10);
        var findings = new List<Finding>
        {
            new("A^k is dominated by the spectral radius raised to the power k: 1.2^10 ≈ 6.2 while 0.7^10 ≈ 0.028.",
                checks.All(c => c.MatchesFormula) ? Verdict.Supports : Verdict.Qualifies,
                $"At k = 10: {S(ten.CoefficientLarge, "G4")} along the 1.2-eigenvector, {S(ten.CoefficientSmall, "G4")} along the 0.7-eigenvector, ‖A^10‖₂ = {S(ten.SpectralNorm, "G4")}. " +
                string.Join(" ", checks.Select(c => $"{c.Claim}: {c.Note}.")) +
                $" ‖A^k‖₂ is not ρ^k for small k ({S(rows[0].SpectralNorm, "G3")} at k = 1): A is not normal, and the eigenvector directions are not orthogonal."),
        };
        return new LessonPart("refresher", "Powers of a 2×2 matrix with eigenvalues 0.7 and 1.2", body, findings,
            new Dictionary<string, double> { ["k10_small"] = ten.CoefficientSmall, ["k10_large"] = ten.CoefficientLarge, ["k10_norm"] = ten.SpectralNorm }, 0);
    }

    /// <summary>The network of the spectrum part: what <c>rnnlab spectrum --hidden H --seed 1</c> reads.</summary>
    internal static RecurrentLayer<double> SpectrumNetwork(int hidden) =>
        AnalysisNetwork.Generate(CellKind.Rnn, AnalysisNetwork.DefaultInputSize, hidden, InitKind.PyTorch, seed: 1);

    static LessonPart Spectrum(Preset preset)
    {
        int H = Size(preset).Hidden;
        var spec = GateSpectra.Analyze(CellKind.Rnn, SpectrumNetwork(H).WeightHH.Value, H)[0];
        double predicted = 1 / Math.Sqrt(3); // circular law: entries of variance 1/(3H) → radius √(H·1/(3H))
        string body = Html.Figure("spectrum-eigenvalues", Plots.Eigenvalues(spec.Eigenvalues, $"Eigenvalues of a default-initialised W_hh (H = {H})"),
            $"Eigenvalues of W_hh with PyTorch's default U(−1/√H, 1/√H) entries: inside the unit circle, at radius {S(spec.SpectralRadius)} (rnnlab spectrum --hidden {H} --seed 1).");
        var findings = new List<Finding>
        {
            new("The spectral radius of W_h depends on how the weights were initialised.", Verdict.Supports,
                $"PyTorch's default initialisation gives ρ(W_hh) = {S(spec.SpectralRadius)} at H = {H} (the circular law predicts 1/√3 ≈ {S(predicted)} for any H), " +
                $"and a largest singular value ‖W_hh‖₂ = {S(spec.SpectralNorm)}. Before tanh' shrinks anything, the default already sits well below 1."),
        };
        return new LessonPart("spectrum", "The spectrum of a typical recurrent matrix", body, findings,
            new Dictionary<string, double> { ["spectral_radius"] = spec.SpectralRadius, ["spectral_norm"] = spec.SpectralNorm, ["hidden"] = H }, 0);
    }

    static LessonPart Decay(Preset preset)
    {
        var checks = PrintedDecayTable.CheckLesson();
        string body = Html.Figure("decay-curves", Plots.DecayCurves([0.7, 0.8, 0.9, 1.0, 1.1, 1.2], 100),
            "ρ^(T−1) against T for ρ = 0.7…1.2: below 1 a straight line down on the log scale, above 1 up.");
        body += Html.Table(["where", "printed", "formula", "formula value", "matches", "note"],
            checks.Select(c => (IReadOnlyList<string>)[c.Claim, c.Printed, c.Formula, S(c.FormulaValue, "G3"), c.MatchesFormula ? "yes" : "no", c.Note]));
        var table = checks.Where(c => c.Claim.StartsWith("table", StringComparison.Ordinal)).ToArray();
        int match = table.Count(c => c.MatchesFormula), alt = table.Count(c => !c.MatchesFormula && c.MatchesAlternative);
        var findings = new List<Finding>
        {
            new("With an effective spectral radius ρ < 1 the gradient decays like ρ^(T−1); the lesson's table gives its values.",
                match == table.Length ? Verdict.Supports : Verdict.Qualifies,
                $"{match} of the table's {table.Length} entries match ρ^(T−1) at their printed precision" +
                (alt > 0 ? $"; {alt} match ρ^T instead ({string.Join("; ", table.Where(c => !c.MatchesFormula && c.MatchesAlternative).Select(c => $"{c.Claim}: {c.Note}"))})" : "") +
                ". The formula's shape is right; whether a given network decays at its ρ(W_h) is measured in the flow profiles below."),
        };
        return new LessonPart("decay-table", "The lesson's decay numbers", body, findings,
            new Dictionary<string, double> { ["table_entries"] = table.Length, ["table_match_rho_T_minus_1"] = match, ["table_match_rho_T"] = alt }, 0);
    }

    /// <summary>The spectral radii of the flow-profile part.</summary>
    internal static readonly double[] FlowRhos = [0.7, 0.8, 0.9, 1.0, 1.1, 1.2];

    /// <summary>The command that prints the flow-profile part's numbers at this preset.</summary>
    internal static string FlowCommand(Preset preset) => string.Create(CultureInfo.InvariantCulture,
        $"rnnlab flow --compare-rho {string.Join(",", FlowRhos)} --hidden {Size(preset).Hidden} --seq {Size(preset).Steps} --seed 1");

    static LessonPart FlowProfiles(Preset preset)
    {
        var (H, T, _) = Size(preset);
        // The networks and inputs of `rnnlab flow --compare-rho … --seed 1`: generated tanh RNNs, PyTorch's default
        // initialisation with W_hh rescaled to each ρ, inputs N(0, 1).
        var x = AnalysisNetwork.RandomInputs(T, AnalysisNetwork.DefaultInputSize, 1);
        var results = FlowRhos.Select(rho => (Rho: rho, Flow: FlowProfile.Compute(
            AnalysisNetwork.Generate(CellKind.Rnn, AnalysisNetwork.DefaultInputSize, H, InitKind.PyTorch, rho, seed: 1), x, T))).ToList();
        var plot = Plots.FlowAcrossSpectralRadii(results);
        string body = Html.Figure("flow-profile-rho", plot,
            $"Exact Jacobian products in float64, W_hh rescaled to each spectral radius; solid: measured, dashed: ρ(W_hh)^k in the same colour ({FlowCommand(preset)}).", 760, 520);
        body += Html.Table(["ρ(W_hh)", "exp(λ₁): measured per-step factor", "fitted decay per step", $"‖∂h_T/∂h_1‖₂ (k = {T - 1})", $"ρ^{T - 1}", "horizon (k ≥ 1%)"],
            results.Select(r => (IReadOnlyList<string>)[S(r.Rho), S(r.Flow.EffectiveRho, "F3"), S(Math.Exp(r.Flow.DecayRate), "F3"),
                "1e" + S(r.Flow.Log10SpectralNorm[^1], "F1"), "1e" + S(RhoPowers.Log10At(r.Rho, T - 1), "F1"), I(r.Flow.Horizon)]));
        var one = results.First(r => r.Rho == 1.0).Flow;
        var big = results.First(r => r.Rho == 1.2).Flow;
        var small = results.First(r => r.Rho == 0.7).Flow;
        var findings = new List<Finding>
        {
            new("|∂h_T/∂h_1| ≈ ρ^(T−1), with ρ the effective spectral radius of the product of W_h and tanh'.", Verdict.Qualifies,
                $"With ρ(W_hh) in place of the effective ρ the formula is a bound, not an estimate: measured per-step factors are {string.Join(", ", results.Select(r => $"{S(r.Flow.EffectiveRho, "F3")} at ρ = {S(r.Rho)}"))}. " +
                $"At ρ(W_hh) = 1.0 the gradient still vanishes (factor {S(one.EffectiveRho, "F3")}; 1e{S(one.Log10SpectralNorm[^1], "F1")} after {T - 1} steps), because every tanh' < 1 once inputs drive the state. " +
                $"Even ρ(W_hh) = 1.2 gives {(big.EffectiveRho < 1 ? "a vanishing" : "a growing")} product (factor {S(big.EffectiveRho, "F3")}): saturation pulls the effective ρ below the weights'. " +
                $"Only the effective ρ, measured as exp of the top Lyapunov exponent, turns ρ^(T−1) into a good estimate."),
        };
        var numbers = results.ToDictionary(r => $"effective_rho.rho{S(r.Rho)}", r => r.Flow.EffectiveRho);
        numbers["small_log10_last"] = small.Log10SpectralNorm[^1];
        foreach (var (rho, _) in results) numbers[$"log10_rho_power_last.rho{S(rho)}"] = RhoPowers.Log10At(rho, T - 1);
        return new LessonPart("flow-profile", "Measured flow profiles against ρ^k", body, findings, numbers, 0);
    }

    static LessonPart Depth(Preset preset)
    {
        var (H, _, depths) = Size(preset);
        var curves = DepthComparison.Run(new DepthOptions { Width = H, Depths = depths });
        string body = Html.Figure("depth-comparison", Plots.DepthComparison(curves),
            "Gradient norm against distance from the output: a plain tanh MLP, a residual MLP, and a tanh RNN of the same width, all with weights N(0, 1/n).");
        int deepest = depths.Max();
        double Ratio(string label) => curves.First(c => c.Label == label && c.Depth == deepest) is var c ? c.GradientNorm[0] / c.GradientNorm[^1] : double.NaN;
        double plain = Ratio("plain MLP"), residual = Ratio("residual MLP"), rnn = Ratio("tanh RNN");
        body += Html.Table(["network", $"‖∂L/∂x_0‖ / ‖∂L/∂x_{deepest}‖ at depth {deepest}"],
            [["plain MLP", S(plain)], ["residual MLP", S(residual)], ["tanh RNN (steps)", S(rnn)]]);
        var findings = new List<Finding>
        {
            new("Gradients in an RNN travel through T steps, in a feedforward network through L layers, and skip connections let them bypass most layers.",
                residual > 10 * plain ? Verdict.Supports : Verdict.Qualifies,
                $"At depth {deepest} the gradient reaching the input is {S(plain)} of the output's in the plain MLP, {S(residual)} in the residual MLP and {S(rnn)} " +
                $"through {deepest} RNN steps. The plain MLP and the RNN shrink alike per layer or step at this scale; the residual path keeps the gradient. " +
                "The difference the lesson draws is one of length: T runs to thousands where L rarely passes a hundred."),
        };
        return new LessonPart("depth", "Feedforward depth against recurrent depth", body, findings,
            new Dictionary<string, double> { ["plain"] = plain, ["residual"] = residual, ["rnn"] = rnn, ["depth"] = deepest }, 0);
    }

    static LessonPart Tokens(Preset preset)
    {
        var d = TokenDistance.Measure(TokenDistance.LessonSentence);
        var cat = PrintedDecayTable.CheckLesson().FirstOrDefault(c => c.Claim.Contains("cat", StringComparison.Ordinal));
        string body = Html.Table(["sentence", "subject", "verb", "steps subject → verb", "words in between", "steps subject → predicate"],
            [[TokenDistance.LessonSentence, d.Subject, d.Verb, I(d.SubjectToVerb), I(d.BetweenSubjectAndVerb), I(d.SubjectToPredicate)]]);
        var findings = new List<Finding>
        {
            new("\"hungry\" depends on \"cat\", 12 tokens earlier; the gradient travels back 13 steps and arrives scaled by 0.8^13 ≈ 0.055.",
                cat is not null && cat.MatchesFormula ? Verdict.Supports : Verdict.Qualifies,
                $"Read one word per step, \"{d.Verb}\" comes {d.SubjectToVerb} steps after \"{d.Subject}\" and \"{d.Predicate}\" {d.SubjectToPredicate}; {d.BetweenSubjectAndVerb} words lie between subject and verb. " +
                (cat is null ? "" : $"0.8^13 = {S(cat.FormulaValue, "F4")}: {cat.Note}. ") +
                "The agreement task below generates this dependency at controlled distances (the lesson's sentence is distance " + I(d.SubjectToVerb) + ")."),
        };
        return new LessonPart("token-distance", "How far is \"cat\" from \"was\"?", body, findings,
            new Dictionary<string, double> { ["subject_to_verb"] = d.SubjectToVerb, ["subject_to_predicate"] = d.SubjectToPredicate }, 0);
    }
}
