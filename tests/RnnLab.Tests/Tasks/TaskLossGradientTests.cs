using RnnLab.Models;
using RnnLab.Numerics;
using RnnLab.Tasks;

namespace RnnLab.Tests.Tasks;

/// <summary>
/// The new tasks' losses as the training loop computes them (a float64 model on a task batch): equal to the task's own
/// <see cref="ISequenceTask.Score"/>, and every parameter's gradient against central differences.
/// </summary>
public class TaskLossGradientTests
{
    public static TheoryData<string> Tasks => new() { "temporal-order", "agreement-lm" };

    static ISequenceTask Make(string name) => name == "temporal-order" ? new TemporalOrderTask(12) : new AgreementLanguageModelTask(2);

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Loss_equals_the_task_score_and_its_gradient_matches_central_differences(string name)
    {
        var task = Make(name);
        var batch = task.Generate(3, new SeededRandom(2));
        var mode = task.TargetKind == TargetKind.ClassificationAtEveryStep ? ReadoutMode.EveryStep : ReadoutMode.LastStep;
        var model = new SequenceModel<double>(new RnnLayer<double>(task.InputSize, 3), task.OutputSize, mode, LossKind.CrossEntropy);
        var rng = new SeededRandom(9);
        foreach (var p in model.Parameters) rng.FillUniform<double>(p.Value, -0.6, 0.6);
        double[] x = [.. batch.Inputs.Select(v => (double)v)];
        double Loss() => model.Forward(x, batch.Steps, batch.Size, classLabels: batch.Labels);

        model.ZeroGrad();
        double loss = Loss();
        float[] outputs = [.. model.Predictions.ToArray().Select(v => (float)v)];
        Assert.Equal(task.Score(batch, outputs).Loss, loss, 5);   // the score reads float32 logits
        model.Backward();
        foreach (var p in model.Parameters)
            GradientCheck.Check($"{name}.{p.Name}", p.Shape, p.Value, (double[])p.Grad.Clone(), Loss);
    }
}
