using RnnLab.Models;
using RnnLab.Numerics;
using RnnLab.Tasks;

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
        double lr = q.Double("lr", 1e-5, Limits.TrainMaxLearningRate, exploding ? 1.0 : 0.01);
        int distance = q.Int("distance", 1, Limits.TrainMaxDistance, exploding ? 20 : 13);
        double? rho = exploding ? q.Double("rho", 0.1, Limits.MaxSpectralRadius, 2.5) : null;
        bool clipping = q.Bool("clipping", false);
        double clip = q.Double("clip", 0.01, 100, 1.0);
        int batch = q.Int("batch", 1, Limits.TrainMaxBatch, 32);
        int seed = q.Int("seed", 0, 1_000_000, 1);
        return new TrainRequest(task, cell, hidden, steps, lr, distance, rho, clipping ? clip : null, batch, (ulong)seed);
    }
}

/// <summary>One training step as streamed to the page: loss, accuracy, gradient norm before clipping.</summary>
public sealed record TrainStep(int Step, double Loss, double Metric, double GradNorm, bool Nan);

/// <summary>How a run ended.</summary>
public sealed record TrainOutcome(int StepsRun, double? FinalLoss, double? FinalMetric, int? NanStep, bool Cancelled);

/// <summary>
/// Runs a lesson training request through the library: build the task and the model, then loop forward, backward,
/// clip, update. Every number comes from RnnLab (SequenceModel, Initializers, Clipping, Adam/SGD, Tasks).
/// </summary>
public static class TrainingRun
{
    public static TrainOutcome Execute(TrainRequest r, Action<TrainStep> onStep, CancellationToken ct)
    {
        if (!CellKinds.TryParse(r.Cell, out var kind, out var act)) throw new ArgumentException($"unknown cell '{r.Cell}'");
        var rng = new SeededRandom(r.Seed);
        ISequenceTask task = r.Task == "exploding" ? new AddingTask(r.Distance) : new AgreementTask(r.Distance);
        bool classify = task.TargetKind != TargetKind.RegressionAtLastStep;
        var model = new SequenceModel<float>(RecurrentLayer<float>.Create(kind, task.InputSize, r.Hidden, act), task.OutputSize,
            ReadoutMode.LastStep, classify ? LossKind.CrossEntropy : LossKind.MeanSquaredError);
        Initializers.Apply(model.Layer, r.Rho is null ? InitKind.PyTorch : InitKind.Orthogonal, rng, r.Rho);
        Initializers.Apply(model.Readout, InitKind.PyTorch, rng);
        Optimizer<float> optimizer = r.Task == "exploding"
            ? new Sgd<float>(model.Parameters, r.LearningRate)
            : new Adam<float>(model.Parameters, r.LearningRate);

        int? nanStep = null;
        double? loss = null, metric = null;
        int step = 0;
        while (step < r.Steps && !ct.IsCancellationRequested)
        {
            step++;
            var batch = task.Generate(r.Batch, rng);
            model.ZeroGrad();
            loss = classify
                ? model.Forward(batch.Inputs, batch.Steps, batch.Size, classLabels: batch.Labels)
                : model.Forward(batch.Inputs, batch.Steps, batch.Size, targets: batch.Targets);
            metric = task.Score(batch, model.Predictions).Metric;
            model.Backward();
            double gradNorm = Clipping.GlobalNorm(model.Parameters);
            bool nan = !double.IsFinite(loss.Value);
            onStep(new TrainStep(step, loss.Value, metric.Value, gradNorm, nan));
            if (nan) { nanStep = step; break; }   // once the loss is NaN the weights are too: every later step is NaN
            if (r.ClipNorm is double c) Clipping.ClipByGlobalNorm(model.Parameters, c);
            optimizer.Step();
        }
        return new TrainOutcome(step, loss, metric, nanStep, ct.IsCancellationRequested && step < r.Steps && nanStep is null);
    }
}
