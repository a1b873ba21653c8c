using RnnLab.Lesson;
using RnnLab.Training;

namespace RnnLab.Web;

/// <summary>A training run the page asked for, validated against <see cref="Limits"/>.</summary>
/// <param name="Task">"agreement" (section 5) or "exploding" (section 6: the adding problem on a tanh RNN with ρ(W_hh) &gt; 1)</param>
public sealed record TrainRequest(string Task, string Cell, int Hidden, int Steps, double LearningRate, int Distance,
    double? Rho, double? ClipNorm, int Batch, ulong Seed)
{
    public static readonly string[] Tasks = ["agreement", "exploding"];
    public static readonly string[] Cells = ["rnn", "lstm", "gru"];

    /// <summary>Reads and checks the query of /api/train/check and /api/train/stream.</summary>
    public static TrainRequest Read(Inputs q)
    {
        string task = q.Choice("task", Tasks, "agreement");
        bool exploding = task == "exploding";
        string cell = q.Choice("cell", Cells, "rnn");
        int hidden = q.Int("hidden", 1, Limits.TrainMaxHidden, 16);
        int steps = q.Int("steps", 1, Limits.TrainMaxSteps, exploding ? 60 : 150);
        double lr = q.Double("lr", 1e-5, Limits.TrainMaxLearningRate, exploding ? 0.3 : 0.01);
        int distance = q.Int("distance", 1, Limits.TrainMaxDistance, exploding ? 20 : 13);
        double? rho = exploding ? q.Double("rho", 0.1, Limits.MaxSpectralRadius, 2.5) : null;
        bool clipping = q.Bool("clipping", false);
        double clip = q.Double("clip", 0.01, 100, 1.0);
        int batch = q.Int("batch", 1, Limits.TrainMaxBatch, 32);
        int seed = q.Int("seed", 0, 1_000_000, 1);
        return new TrainRequest(task, cell, hidden, steps, lr, distance, rho, clipping ? clip : null, batch, (ulong)seed);
    }
}

/// <summary>One training step as streamed to the page: loss, task metric, gradient norm before clipping.</summary>
/// <param name="Nan">the library's divergence flag: the loss or the gradient was NaN or infinite at this step</param>
public sealed record TrainStep(int Step, double Loss, double Metric, double GradNorm, bool Nan);

/// <summary>
/// A lesson training request as the library's <see cref="TrainingConfig"/>, run by <see cref="TrainingRun"/>:
/// every step is reported (LogEvery 1), the held-out set is scored once at the end.
/// </summary>
public static class LessonTraining
{
    /// <summary>Held-out sequences scored at the end of a run: enough for a stable accuracy, small enough to be quick.</summary>
    public const int EvalBatch = 256;

    public static TrainingConfig Config(TrainRequest r) => r.Task == "exploding"
        ? new TrainingConfig
        {
            // The adding problem on a tanh RNN whose W_hh is orthogonal scaled to ρ > 1, trained by SGD with momentum:
            // the setting in which gradients explode (Pascanu, Mikolov & Bengio 2013).
            Task = "adding", Cell = r.Cell, Seq = r.Distance, Hidden = r.Hidden, Batch = r.Batch, Steps = r.Steps,
            Lr = r.LearningRate, Optimizer = "sgd", Init = "orthogonal", Rho = r.Rho, ClipNorm = r.ClipNorm,
            Seed = r.Seed, LogEvery = 1, EvalEvery = r.Steps, EvalBatch = EvalBatch,
        }
        : new TrainingConfig
        {
            Task = "agreement", Cell = r.Cell, Seq = r.Distance, Hidden = r.Hidden, Batch = r.Batch, Steps = r.Steps,
            Lr = r.LearningRate, Optimizer = "adam", ClipNorm = r.ClipNorm, Seed = r.Seed,
            ForgetBias = r.Cell is "lstm" or "gru" ? LessonDefaults.GateBias : null,
            LogEvery = 1, EvalEvery = r.Steps, EvalBatch = EvalBatch,
        };

    public static TrainingSummary Run(TrainRequest r, Action<TrainStep> onStep, CancellationToken ct) =>
        TrainingRun.Run(Config(r), outDir: null, resume: false,
            onLog: s => onStep(new TrainStep(s.Step, s.Loss, s.Metric, s.GradNorm, s.Diverged)), cancel: ct);
}
