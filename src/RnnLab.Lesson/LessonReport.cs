using System.Diagnostics;
using System.Text;
using System.Text.Json.Serialization;
using RnnLab.Models;
using RnnLab.Training;

namespace RnnLab.Lesson;

/// <summary>A part of the lesson page produced without training (the analysis: decay table, flow profiles, spectra, depth).</summary>
public sealed record LessonPart(string Id, string Title, string Body, IReadOnlyList<Finding> Findings, IReadOnlyDictionary<string, double> Numbers, double Seconds);

/// <summary>What <c>rnnlab lesson</c> measured: every experiment's results, the analysis numbers, every finding, and where the time went.</summary>
public sealed record LessonResults
{
    public required string Preset { get; init; }
    public int Threads { get; init; }
    public double Seconds { get; init; }
    public double TrainingSeconds { get; init; }
    public double AnalysisSeconds { get; init; }
    /// <summary>Wall time of each experiment's runs summed over its points (the threads overlap them).</summary>
    public Dictionary<string, double> SecondsByPart { get; init; } = [];
    public Dictionary<string, IReadOnlyDictionary<string, double>> Numbers { get; init; } = [];
    public List<LessonFinding> Findings { get; init; } = [];
    public ExperimentResults[] Experiments { get; init; } = [];
    /// <summary>Training runs read back from an interrupted earlier run into the same folder (not written: the results are the same).</summary>
    [JsonIgnore] public int ResumedPoints { get; init; }
}

public sealed record LessonFinding(string Part, string Claim, string Verdict, string Evidence);

/// <summary>Progress of a lesson run: what is being done, and how many training runs are finished.</summary>
public readonly record struct LessonProgress(string Phase, int Done, int Total, string Detail);

/// <summary>
/// <c>rnnlab lesson</c>: runs every named experiment at one preset (all their grid points in one pool on a few
/// threads) and the analysis, and writes <c>index.html</c> — one self-contained page that walks through the lesson's
/// claims in the lesson's order, each beside the measurement that supports, qualifies or contradicts it — and
/// <c>results.json</c>.
/// </summary>
public static class LessonReport
{
    public const string IndexFile = "index.html", ResultsFile = "results.json";

    /// <summary>
    /// The analysis parts, computed without training (decay table, flow profile against ρ^k, spectrum, token distance,
    /// depth comparison). Each takes the preset and returns its part of the page.
    /// </summary>
    public static IReadOnlyList<(string Id, Func<Preset, LessonPart> Build)> AnalysisParts { get; set; } = LessonAnalysis.Parts;

    public static LessonResults Run(string outDir, Preset preset, int threads = 2, Action<LessonProgress>? progress = null, CancellationToken cancel = default)
    {
        if (threads < 1) throw new InvalidParameterException("Threads", "must be a positive integer", threads);
        var clock = Stopwatch.StartNew();
        var experiments = ExperimentCatalog.All;
        var work = experiments.SelectMany(e => e.Grid(preset)).ToArray();
        // each finished training run is journaled in outDir/points, so an interrupted lesson resumes where it stopped
        string[] journal = [.. experiments.SelectMany(e => e.Grid(preset).Select(p => FinishedPoints.FileOf(outDir, e.Name, preset, p.Index)))];

        // The analysis is cheap and single-threaded; run it first so its numbers show while training runs.
        var analysisClock = Stopwatch.StartNew();
        var parts = new List<LessonPart>();
        foreach (var (id, build) in AnalysisParts)
        {
            cancel.ThrowIfCancellationRequested();
            progress?.Invoke(new LessonProgress("analysis", 0, work.Length, id));
            parts.Add(build(preset));
        }
        double analysisSeconds = analysisClock.Elapsed.TotalSeconds;

        var trainingClock = Stopwatch.StartNew();
        var outcome = Sweep.RunMany(work, threads, pr => progress?.Invoke(new LessonProgress("training", pr.Done, pr.Total,
            $"{pr.Last.Series} x={Numbers.Exact(pr.Last.X)} seed {pr.Last.Config.Seed}: test loss {Numbers.G(pr.Last.TestLoss)} ({pr.Last.Seconds:F1} s)")), cancel, journal);
        var points = outcome.Points;
        double trainingSeconds = trainingClock.Elapsed.TotalSeconds;

        var results = new List<ExperimentResults>();
        var sections = new Dictionary<string, Section>();
        int offset = 0;
        foreach (var e in experiments)
        {
            int n = e.Grid(preset).Count;
            var mine = points.Skip(offset).Take(n).OrderBy(p => p.Index).ToArray();
            offset += n;
            results.Add(new ExperimentResults
            {
                Experiment = e.Name, Preset = preset.Name(), Shard = Shard.Whole.ToString(), GridSize = n, Points = mine,
                Seconds = mine.Sum(p => p.Seconds), Threads = threads,
            });
            progress?.Invoke(new LessonProgress("report", work.Length, work.Length, e.Name));
            sections[e.Name] = e.Report(mine);
        }

        var lesson = new LessonResults
        {
            Preset = preset.Name(), Threads = threads, Seconds = clock.Elapsed.TotalSeconds, TrainingSeconds = trainingSeconds,
            AnalysisSeconds = analysisSeconds,
            SecondsByPart = parts.ToDictionary(p => p.Id, p => p.Seconds)
                .Concat(results.ToDictionary(r => r.Experiment, r => r.Seconds)).ToDictionary(kv => kv.Key, kv => kv.Value),
            Numbers = parts.ToDictionary(p => p.Id, p => p.Numbers).Concat(sections.ToDictionary(s => s.Key, s => s.Value.Numbers))
                .ToDictionary(kv => kv.Key, kv => kv.Value),
            Findings = [.. parts.SelectMany(p => p.Findings.Select(f => ToLessonFinding(p.Id, f)))
                .Concat(sections.SelectMany(s => s.Value.Findings.Select(f => ToLessonFinding(s.Key, f))))],
            Experiments = [.. results],
            ResumedPoints = outcome.ResumedPoints,
        };
        Directory.CreateDirectory(outDir);
        Envelope.WriteFile(Path.Combine(outDir, ResultsFile), new { lesson.Preset, lesson.Threads }, lesson, indented: false);
        Html.WritePage(Path.Combine(outDir, IndexFile), "Vanishing and exploding gradients, measured", Page(lesson, parts, sections, results));
        FinishedPoints.Remove([.. journal.Where(File.Exists)], shared: false);
        return lesson;
    }

    static LessonFinding ToLessonFinding(string part, Finding f) => new(part, f.Claim, f.Verdict.ToString().ToLowerInvariant(), f.Evidence);

    /// <summary>The page: the lesson's sections in order, each claim with its measurement; then the budget.</summary>
    static string Page(LessonResults lesson, IReadOnlyList<LessonPart> parts, IReadOnlyDictionary<string, Section> sections, IReadOnlyList<ExperimentResults> results)
    {
        var sb = new StringBuilder();
        LessonPart? Part(string id) => parts.FirstOrDefault(p => p.Id == id);
        void Chapter(string id, string title, string lead, params string[] bodies)
        {
            sb.Append($"<section class=\"chapter\" id=\"{id}\"><h2>{Html.Enc(title)}</h2>\n").Append(Html.P(lead));
            foreach (var b in bodies) sb.Append(b);
            sb.Append("</section>\n");
        }
        string FromPart(string id) => Part(id) is LessonPart p ? $"<h3>{Html.Enc(p.Title)}</h3>\n{p.Body}{Html.Findings(p.Findings)}" : "";
        string FromSection(string name) => sections.TryGetValue(name, out var s)
            ? $"<h3>{Html.Enc(s.Title)}</h3>\n<p class=\"budget\">{Html.Enc(Html.Budget(results.First(r => r.Experiment == name).Points, double.NaN, lesson.Threads, lesson.Preset))}</p>\n{s.Body}"
            : "";

        sb.Append(Html.P("Each section below restates a claim of the lesson \"Vanishing gradients in sequences\" and shows what RnnLab measures about it: " +
            "the exact Jacobian products of small networks, and training runs of a tanh RNN, an LSTM and a GRU on long-range tasks. " +
            "A verdict box says whether the measurement supports the claim, qualifies it (true, with a condition the lesson leaves out) or contradicts it."));
        sb.Append("<nav><ol>");
        foreach (var (id, title) in Toc) sb.Append($"<li><a href=\"#{id}\">{Html.Enc(title)}</a></li>");
        sb.Append("</ol></nav>\n");

        Chapter("refresher", Toc[0].Title,
            "Repeated multiplication by a matrix is ruled by its largest eigenvalue: components along eigenvalues below 1 in modulus die out, those above 1 grow.",
            FromPart("refresher"), FromPart("spectrum"));
        Chapter("decay", Toc[1].Title,
            "Backpropagation through time multiplies one step Jacobian per step; with an effective spectral radius ρ < 1 the product shrinks like ρ^(T−1).",
            FromPart("decay-table"), FromPart("flow-profile"));
        Chapter("typical-init", Toc[2].Title,
            "The lesson states that with a typical initialisation nothing of the gradient survives beyond 10–30 steps. The probe below is the norm of ∂L/∂h at every step back, recorded during real training runs.",
            FromSection("flow"));
        Chapter("depth", Toc[3].Title,
            "A feedforward network multiplies a different Jacobian per layer and is rarely deeper than a hundred layers; a recurrent network multiplies the same one at every one of its T steps.",
            FromPart("depth"));
        Chapter("long-range", Toc[4].Title,
            "The lesson's example: the verb must agree with a subject many tokens earlier. Here the same grammatical dependency is generated at controlled distances.",
            FromPart("token-distance"), FromSection("long-range"));
        Chapter("exploding", Toc[5].Title,
            "When the recurrent matrix's spectral radius exceeds 1 the same product grows instead, and a large enough step turns the loss into NaN; clipping the gradient norm is the standard remedy.",
            FromSection("exploding"));
        Chapter("remedies", Toc[6].Title,
            "The lesson closes with two claims it does not test: that no optimizer trick can fix gradients that are numerically zero, and that vanishing gradients have no fix as simple as clipping. " +
            "The published ways out (an optimizer sweep, Pascanu et al.'s regulariser, the IRNN's identity initialisation, an orthogonal W_hh, chrono-initialised gates) are trained here under one budget, with their gradient flow measured after training.",
            FromSection("remedies"));
        Chapter("architecture", Toc[7].Title,
            "The lesson's conclusion: the remedy for vanishing gradients is architectural. Two classic long-memory tasks, trained with the same optimiser (Adam with clipping) for every cell, test it.",
            FromSection("adding"), FromSection("copy"));

        sb.Append("<section class=\"chapter\" id=\"budget\"><h2>Budget</h2>\n");
        sb.Append(Html.P($"Preset {lesson.Preset}: {lesson.Seconds:F1} s in all — analysis {lesson.AnalysisSeconds:F1} s, training {lesson.TrainingSeconds:F1} s on {lesson.Threads} thread(s)."));
        sb.Append(Html.Table(["part", "seconds (summed over its runs)"], lesson.SecondsByPart.Select(kv => (IReadOnlyList<string>)[kv.Key, Html.Num(kv.Value, "F1")])));
        sb.Append(Html.Table(["verdict", "count"], lesson.Findings.GroupBy(f => f.Verdict).Select(g => (IReadOnlyList<string>)[g.Key, g.Count().ToString(System.Globalization.CultureInfo.InvariantCulture)])));
        sb.Append("</section>\n");
        return sb.ToString();
    }

    /// <summary>
    /// The data-plot ids of every figure on the page (each an <c>img.plot-img</c> inside <c>figure#fig-ID</c>), at
    /// every preset: what a browser check of the page expects to find rendered.
    /// </summary>
    public static readonly string[] PlotIds =
    [
        "spectrum-eigenvalues", "decay-curves", "flow-profile-rho", "flow-heatmap-rnn", "flow-heatmap-lstm", "depth-comparison",
        "long-range-accuracy", "exploding-gradnorm-unclipped", "exploding-gradnorm-clipped", "exploding-loss", "remedies-flow", "adding-mse", "copy-loss", "copy-recall",
    ];

    public static readonly (string Id, string Title)[] Toc =
    [
        ("refresher", "1. Powers of a matrix follow its spectral radius"),
        ("decay", "2. Multiplicative decay: ρ^(T−1)"),
        ("typical-init", "3. How far back does the gradient reach at a typical initialisation?"),
        ("depth", "4. Recurrent depth against feedforward depth"),
        ("long-range", "5. A concrete failure: agreement across a distance"),
        ("exploding", "6. The exploding case and clipping"),
        ("remedies", "7. What is actually needed, measured"),
        ("architecture", "8. What is needed: an architecture that remembers"),
    ];
}
