namespace RnnLab.Web;

/// <summary>
/// A numeric control of the page: its query name, the values the server accepts and its default. The server reads
/// requests with it (<see cref="Inputs"/>) and the page builds its inputs from it (GET /api/limits), so a range or a
/// default is written here once and nowhere else.
/// </summary>
/// <param name="Step">granularity of the page's input (a slider's notch); null lets the page accept any value in range</param>
public sealed record Control(string Name, double Min, double Max, double Default, bool Whole = false, double? Step = null)
{
    public static Control Integer(string name, int min, int max, int fallback) => new(name, min, max, fallback, Whole: true, Step: 1);
}

/// <summary>A control with a fixed list of values (a select box or a switch).</summary>
public sealed record Choice(string Name, IReadOnlyList<string> Options, string Default);

/// <summary>
/// Every control of every section, with caps that bound each request's work. <see cref="Describe"/> is what
/// GET /api/limits returns: the page takes its ranges, defaults and the caps it prints from there only.
/// </summary>
public static class Limits
{
    public const int MaxSeed = 1_000_000;
    public const double MaxSpectralRadius = 3.0;
    public const int JacobianMaxHidden = 64, JacobianMaxSteps = 200;

    public static Control Seed(int fallback) => Control.Integer("seed", 0, MaxSeed, fallback);

    public static readonly string[] Cells = ["rnn", "lstm", "gru"];

    public static class Refresher
    {
        public const double MaxEntry = 10;
        public static Control Entry(string name, double fallback) => new(name, -MaxEntry, MaxEntry, fallback);
        public static readonly Control K = Control.Integer("k", 1, 100, 30);
    }

    public static class Decay
    {
        // ρ^(T−1) stays a normal double over this range for every T ≤ 1000 (0.5^999 ≈ 2e−301).
        public static readonly Control Rho = new("rho", 0.5, 1.5, 0.8, Step: 0.01);
        public static readonly Control T = Control.Integer("T", 2, 1000, 100);
    }

    public static class Jacobian
    {
        public static readonly Choice Cell = new("cell", Cells, "rnn");
        public static readonly Choice Init = new("init", LabModels.Inits, "orthogonal");
        public static readonly Control Hidden = Control.Integer("hidden", 1, JacobianMaxHidden, 16);
        public static readonly Control Rho = new("rho", 0.05, MaxSpectralRadius, 0.9, Step: 0.05);
        public static readonly Control Steps = Control.Integer("steps", 2, JacobianMaxSteps, 60);
        public static readonly Control Seed = Limits.Seed(1);
    }

    public static class Depth
    {
        public static readonly Control Layers = Control.Integer("depth", 1, 200, 50);
        public static readonly Control Width = Control.Integer("width", 1, JacobianMaxHidden, 32);
        public static readonly Control Gain = new("gain", 0.1, MaxSpectralRadius, 1.0, Step: 0.1);
        public static readonly Control InputScale = new("inputScale", 0, 3, 1.0, Step: 0.25);
        public static readonly Control Seed = Limits.Seed(1);
    }

    public static class CellPath
    {
        public static readonly Control Steps = Control.Integer("steps", 2, JacobianMaxSteps, 100);
        public static readonly Control Hidden = Control.Integer("hidden", 1, JacobianMaxHidden, 16);
        public static readonly Control Seed = Limits.Seed(1);
    }

    /// <summary>Caps shared by every training section: each run is small enough to finish in seconds.</summary>
    public static class Training
    {
        public const int MaxHidden = 32, MaxSteps = 400, MaxDistance = 40, MaxBatch = 64, MaxLayers = 3;
        public const double MinLearningRate = 1e-5, MaxLearningRate = 10;

        public static Control Hidden(int fallback) => Control.Integer("hidden", 1, MaxHidden, fallback);
        public static Control Steps(int fallback) => Control.Integer("steps", 1, MaxSteps, fallback);
        public static Control LearningRate(double fallback) => new("lr", MinLearningRate, MaxLearningRate, fallback);
        public static Control Distance(int min, int fallback) => Control.Integer("distance", min, MaxDistance, fallback);
        public static Control Batch(int fallback) => Control.Integer("batch", 1, MaxBatch, fallback);
        public static readonly Control Clip = new("clip", 0.01, 100, 1.0);
        public static readonly Choice Clipping = new("clipping", ["false", "true"], "false");
        /// <summary>Stacked layers and a reverse direction, as the library's <c>--layers</c> and <c>--bidirectional</c>.</summary>
        public static readonly Control Layers = Control.Integer("layers", 1, MaxLayers, 1);
        public static readonly Choice Bidirectional = new("bidirectional", ["false", "true"], "false");
    }

    /// <summary>Every section's controls by name, as the page reads them (data-section, then each input's name).</summary>
    public static Dictionary<string, Dictionary<string, object>> BySection()
    {
        static Dictionary<string, object> Of(params object[] controls) =>
            controls.ToDictionary(c => c switch { Control n => n.Name, Choice ch => ch.Name, _ => throw new ArgumentException("not a control") });
        var sections = new Dictionary<string, Dictionary<string, object>>
        {
            ["refresher"] = Of([.. Web.Sections.RefresherEndpoints.Entries, Refresher.K]),
            ["decay"] = Of(Decay.Rho, Decay.T),
            ["jacobian"] = Of(Jacobian.Cell, Jacobian.Init, Jacobian.Hidden, Jacobian.Rho, Jacobian.Steps, Jacobian.Seed),
            ["depth"] = Of(Depth.Layers, Depth.Width, Depth.Gain, Depth.InputScale, Depth.Seed),
            ["sentence"] = Of(Web.Sections.SentenceEndpoints.Distance, Web.Sections.SentenceEndpoints.Seed),
            ["lstm"] = Of(CellPath.Steps, CellPath.Hidden, Web.Sections.CellPathEndpoints.ForgetBias, CellPath.Seed),
        };
        foreach (var t in LessonTraining.Sections) sections[t.Task] = Of([.. t.Numbers, .. t.Choices]);
        return sections;
    }

    /// <summary>A named setting of several controls (section.name → value) that a teacher can hand out as a button.</summary>
    public sealed record Preset(string Name, string Title, string Description, string Section, Dictionary<string, object> Values);

    public static readonly Preset[] Presets =
    [
        new("vanishing", "Vanishing", "a tanh RNN with spectral radius 0.8 over 100 steps: the gradient fades like 0.8^k",
            "jacobian", new() { ["jacobian.rho"] = 0.8, ["jacobian.steps"] = 100, ["decay.rho"] = 0.8, ["decay.T"] = 100 }),
        new("exploding", "Exploding", "spectral radius 1.5 in the Jacobian lab and 2.5 in training: without clipping the loss becomes NaN",
            "exploding", new() { ["jacobian.rho"] = 1.5, ["exploding.rho"] = 2.5 }),
        new("lesson-sentence", "The lesson's sentence", "the lesson's own sentence and its subject–verb distance",
            "sentence", new() { ["sentence.distance"] = Web.Sections.SentenceEndpoints.LessonDistance, ["sentence.seed"] = 0 }),
    ];

    /// <summary>Numbers the page's prose states, from the code that defines them.</summary>
    static object Facts()
    {
        var adding = new Tasks.AddingTask(2);
        return new
        {
            refresherSmall = Lesson.RefresherExample.SmallEigenvalue,
            refresherLarge = Lesson.RefresherExample.LargeEigenvalue,
            refresherFactPower = Web.Sections.RefresherEndpoints.FactPower,
            lessonDistance = Web.Sections.SentenceEndpoints.LessonDistance,
            lessonGateBias = Lesson.LessonDefaults.GateBias,
            addingChanceLoss = adding.ChanceLoss,
            addingChanceMetric = adding.ChanceMetric,
            addingMetricName = adding.MetricName,
            addingTolerance = Tasks.AddingTask.Tolerance,
        };
    }

    public static object Describe(LessonOptions options) => new
    {
        sections = BySection(),
        facts = Facts(),
        presets = Presets,
        training = new
        {
            wallSeconds = (int)options.TrainingWallTime.TotalSeconds, concurrentRuns = options.ConcurrentTrainingRuns,
            queueLength = options.TrainingQueueLength,
        },
    };
}
