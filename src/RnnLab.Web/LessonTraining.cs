using RnnLab.Lesson;
using RnnLab.Training;

namespace RnnLab.Web;

/// <summary>
/// A training section of the page: the controls it sends (each with its range and default) and the library
/// configuration a request becomes. Declaring one here, adding its form to index.html and one entry to the page's
/// list of training sections is all a new section needs; /api/train/check and /api/train/stream serve them all.
/// </summary>
/// <param name="Task">the section's name: the <c>task</c> query parameter and the page's data-section</param>
/// <param name="Numbers">every numeric control; hidden, steps, lr, distance, batch and seed are required, rho and clip optional</param>
/// <param name="Choices">cell and any switches, each with its options</param>
/// <param name="Config">the library configuration of a validated request (every step logged, held-out set scored at the end)</param>
public sealed record TrainingSection(string Task, Control[] Numbers, Choice[] Choices, Func<TrainRequest, TrainingConfig> Config)
{
    public Control Number(string name) => Numbers.First(c => c.Name == name);
    public Choice? Switch(string name) => Choices.FirstOrDefault(c => c.Name == name);
}

/// <summary>A training run the page asked for, validated against its section's controls.</summary>
/// <param name="Rho">spectral radius W_hh is rescaled to; null when the section has no ρ control</param>
/// <param name="ClipNorm">the clip norm when clipping is on, else null</param>
/// <param name="Layers">stacked layers (1 when the section has no layers control)</param>
/// <param name="Bidirectional">a reverse direction beside each layer (false when the section has no such switch)</param>
public sealed record TrainRequest(string Task, string Cell, int Hidden, int Steps, double LearningRate, int Distance,
    double? Rho, double? ClipNorm, int Batch, ulong Seed, int Layers = 1, bool Bidirectional = false)
{
    /// <summary>
    /// Reads and checks the query of /api/train/check and /api/train/stream (both call this, so what the check
    /// accepts the stream trains). The library's own validation of the resulting configuration runs too, so a value
    /// the library would refuse is a 400 here, never an exception in the stream.
    /// </summary>
    public static TrainRequest? Read(Inputs q)
    {
        string task = q.Choice(LessonTraining.TaskChoice);
        var section = LessonTraining.Section(task);
        string cell = q.Choice(section.Switch("cell")!);
        int hidden = q.Int(section.Number("hidden"));
        int steps = q.Int(section.Number("steps"));
        double lr = q.Double(section.Number("lr"));
        int distance = q.Int(section.Number("distance"));
        double? rho = section.Numbers.Any(c => c.Name == "rho") ? q.Double(section.Number("rho")) : null;
        double? clip = section.Numbers.Any(c => c.Name == "clip") ? q.Double(section.Number("clip")) : null;
        bool clipping = section.Switch("clipping") is { } onOff && q.Choice(onOff) == "true";
        int batch = q.Int(section.Number("batch"));
        int seed = q.Int(section.Number("seed"));
        int layers = section.Numbers.Any(c => c.Name == "layers") ? q.Int(section.Number("layers")) : 1;
        bool bidirectional = section.Switch("bidirectional") is { } both && q.Choice(both) == "true";
        if (q.Errors.Count > 0) return null;
        var request = new TrainRequest(task, cell, hidden, steps, lr, distance, rho, clipping ? clip : null, batch, (ulong)seed, layers, bidirectional);
        try { section.Config(request).Validate(); }
        catch (InvalidParameterException e) when (FieldOf(e.Parameter) is string field) { q.Reject(field, e.MessageFor(field)); return null; }
        catch (InvalidInputException e) { q.Reject("task", e.Message); return null; }
        return request;
    }

    /// <summary>The form field that sets a training config's property, or null when the page has no control for it.</summary>
    static string? FieldOf(string parameter) => parameter switch
    {
        nameof(TrainingConfig.Hidden) => "hidden", nameof(TrainingConfig.Steps) => "steps", nameof(TrainingConfig.Lr) => "lr",
        nameof(TrainingConfig.Seq) => "distance", nameof(TrainingConfig.Rho) => "rho", nameof(TrainingConfig.ClipNorm) => "clip",
        nameof(TrainingConfig.Batch) => "batch", nameof(TrainingConfig.Seed) => "seed", nameof(TrainingConfig.Layers) => "layers",
        _ => null,
    };

    static string CellName(string cell) => cell switch
    {
        "rnn" => "tanh RNN", "lstm" => "LSTM", "gru" => "GRU", "rnn-omega" => "tanh RNN + Ω", "irnn" => "IRNN", "exprnn" => "expRNN",
        "lstm-plus1" => "LSTM, forget bias +1", "lstm-chrono" => "LSTM, chrono", "gru-chrono" => "GRU, chrono", _ => cell,
    };

    /// <summary>
    /// The optimizer and learning rates the run trains with, read off its library configuration: a remedy may train at
    /// a fraction of the form's rate (the IRNN at a tenth, expRNN at a third with A at a tenth of that).
    /// </summary>
    public TrainedRates Rates() => TrainedRates.Of(LessonTraining.Config(this));

    /// <summary>What the run trains, in words: printed on its status line and in the plots' legends.</summary>
    public string Describe() => FormattableString.Invariant(
        $"{CellName(Cell)}, {(Task is "agreement" or "remedies" ? "distance" : "length")} {Distance}, hidden {Hidden}, {Steps} steps, {Rates().Text}")
        + (Layers > 1 ? FormattableString.Invariant($", {Layers} layers") : "") + (Bidirectional ? ", bidirectional" : "")
        + (Rho is double r ? FormattableString.Invariant($", ρ {r}") : "")
        + (Task is "agreement" or "remedies" ? "" : ClipNorm is double c ? FormattableString.Invariant($", clip {c}") : ", no clipping")
        + FormattableString.Invariant($", seed {Seed}");
}

/// <summary>The optimizer and the learning rates a run trains with (expRNN's A has its own rate).</summary>
public sealed record TrainedRates(string Optimizer, double LearningRate, double? SkewLearningRate)
{
    public static TrainedRates Of(TrainingConfig c) => new(c.Optimizer, c.Lr, c.SkewLearningRate);

    /// <summary>"adam lr 0.01", "rmsprop lr 0.00333, A at 0.000333".</summary>
    public string Text => $"{Optimizer} lr {Numbers.G(LearningRate)}" + (SkewLearningRate is double a ? $", A at {Numbers.G(a)}" : "");
}

/// <summary>One training step as streamed to the page: loss, task metric, gradient norm before clipping.</summary>
/// <param name="Nan">the library's divergence flag: the loss or the gradient was NaN or infinite at this step</param>
public sealed record TrainStep(int Step, double Loss, double Metric, double GradNorm, bool Nan);

/// <summary>
/// The page's training sections as the library's <see cref="TrainingConfig"/>, run by <see cref="TrainingRun"/>.
/// </summary>
public static class LessonTraining
{
    /// <summary>Held-out sequences scored at the end of a run: enough for a stable accuracy, small enough to be quick.</summary>
    public const int EvalBatch = 256;

    /// <summary>
    /// Section 5: number agreement across the sentence's distance, tanh RNN against LSTM, with Adam. The gated cells
    /// start with the lesson's forget-gate bias, as in the lesson's experiments.
    /// </summary>
    public static readonly TrainingSection Agreement = new("agreement",
        [
            Limits.Training.Hidden(16), Limits.Training.Steps(150), Limits.Training.LearningRate(0.01),
            Limits.Training.Distance(1, Web.Sections.SentenceEndpoints.LessonDistance), Limits.Training.Batch(32), Limits.Seed(1),
            Limits.Training.Layers,
        ],
        [new Choice("cell", Limits.Cells, "rnn"), Limits.Training.Bidirectional],
        r => new TrainingConfig
        {
            Task = "agreement", Cell = r.Cell, Seq = r.Distance, Hidden = r.Hidden, Batch = r.Batch, Steps = r.Steps,
            Layers = r.Layers, Bidirectional = r.Bidirectional,
            Lr = r.LearningRate, Optimizer = "adam", ClipNorm = r.ClipNorm, Seed = r.Seed,
            ForgetBias = r.Cell is "lstm" or "gru" ? LessonDefaults.GateBias : null,
            LogEvery = 1, EvalEvery = r.Steps, EvalBatch = EvalBatch,
        });

    /// <summary>
    /// Section 6: the adding problem on a tanh RNN whose W_hh is orthogonal scaled to ρ, trained by plain SGD (no
    /// momentum), the setting in which gradients explode (Pascanu, Mikolov &amp; Bengio 2013). At the default learning
    /// rate 0.1 and length 20, ρ decides: ρ ≤ 1.1 stays finite for 100 steps, ρ = 1.5 and 2.5 reach NaN without
    /// clipping (seeds 1 and 2), and the same rate with momentum 0.9 or at 0.3 explodes for every ρ.
    /// </summary>
    public static readonly TrainingSection Exploding = new("exploding",
        [
            Limits.Training.Hidden(16), Limits.Training.Steps(100), Limits.Training.LearningRate(0.1),
            // The adding problem puts one marker in each half of the sequence, so it needs at least 2 steps.
            Limits.Training.Distance(2, 20), new Control("rho", 0.1, Limits.MaxSpectralRadius, 2.5, Step: 0.1),
            Limits.Training.Clip, Limits.Training.Batch(32), Limits.Seed(1),
        ],
        [new Choice("cell", ["rnn"], "rnn"), Limits.Training.Clipping],
        r => new TrainingConfig
        {
            Task = "adding", Cell = r.Cell, Seq = r.Distance, Hidden = r.Hidden, Batch = r.Batch, Steps = r.Steps,
            Lr = r.LearningRate, Optimizer = "sgd", Momentum = 0, Init = "orthogonal", Rho = r.Rho, ClipNorm = r.ClipNorm,
            Seed = r.Seed, LogEvery = 1, EvalEvery = r.Steps, EvalBatch = EvalBatch,
        });

    /// <summary>The remedies the page offers, by the name its cell control sends; rnn is the plain tanh RNN they are compared with.</summary>
    public static readonly string[] RemedyCells = ["rnn", "rnn-omega", "irnn", "exprnn", "lstm-plus1", "lstm-chrono", "gru-chrono"];

    /// <summary>
    /// Section 8: one of the remedies of the lesson's "What is actually needed" chapter (the remedies experiment) trained
    /// beside the tanh RNN on agreement at a chosen distance, with the same steps, batch and hidden size and Adam at the
    /// given rate, clipped at norm 1, as in <see cref="RemediesExperiment"/>: rnn + Ω adds Pascanu et al.'s regulariser;
    /// irnn is ReLU with W_hh = I at a tenth of the rate; exprnn is the orthogonal W_hh = exp(A) with modReLU, trained by
    /// RMSProp at a third of the rate (A at a tenth of that); lstm +1, lstm chrono and gru chrono differ in their gate biases.
    /// </summary>
    public static readonly TrainingSection Remedies = new("remedies",
        [
            Limits.Training.Hidden(16), Limits.Training.Steps(150), Limits.Training.LearningRate(0.01),
            Limits.Training.Distance(1, 20), Limits.Training.Batch(32), Limits.Seed(1),
        ],
        [new Choice("cell", RemedyCells, "lstm-chrono")],
        r => RemedyConfig(r.Cell, new TrainingConfig
        {
            Task = "agreement", Cell = "rnn", Seq = r.Distance, Hidden = r.Hidden, Batch = r.Batch, Steps = r.Steps,
            Lr = r.LearningRate, Optimizer = "adam", ClipNorm = 1.0, Seed = r.Seed,
            LogEvery = 1, EvalEvery = r.Steps, EvalBatch = EvalBatch,
        }));

    /// <summary>How a remedy changes the common configuration (the same choices as the remedies experiment's).</summary>
    public static TrainingConfig RemedyConfig(string remedy, TrainingConfig c) => remedy switch
    {
        "rnn-omega" => c with { FlowRegularizer = Models.FlowRegularizer.DefaultAlpha },
        "irnn" => c with { Cell = "relu", Init = "identity", Lr = c.Lr / 10 },
        "exprnn" => c with { Cell = "exprnn", Optimizer = "rmsprop", Lr = c.Lr / 3, Init = "cayley" },
        "lstm-plus1" => c with { Cell = "lstm", ForgetBias = 1 },
        "lstm-chrono" => c with { Cell = "lstm", Chrono = true },
        "gru-chrono" => c with { Cell = "gru", Chrono = true },
        _ => c,
    };

    public static readonly TrainingSection[] Sections = [Agreement, Exploding, Remedies];

    public static readonly Choice TaskChoice = new("task", [.. Sections.Select(s => s.Task)], Agreement.Task);

    public static TrainingSection Section(string task) => Sections.First(s => s.Task == task);

    public static TrainingConfig Config(TrainRequest r) => Section(r.Task).Config(r);

    public static TrainingSummary Run(TrainRequest r, Action<TrainStep> onStep, CancellationToken ct) =>
        TrainingRun.Run(Config(r), outDir: null, resume: false,
            onLog: s => onStep(new TrainStep(s.Step, s.Loss, s.Metric, s.GradNorm, s.Diverged)), cancel: ct);
}
