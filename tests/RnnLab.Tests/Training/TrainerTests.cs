using RnnLab.Models;
using RnnLab.Numerics;
using RnnLab.Training;

namespace RnnLab.Tests.Training;

public class TrainerTests
{
    [Theory]
    [InlineData("adding", "rnn")]
    [InlineData("copy", "lstm")]
    [InlineData("agreement", "gru")]
    [InlineData("agreement-lm", "lstm")]
    [InlineData("temporal-order", "rnn")]
    public void The_training_loss_is_the_task_score_of_the_same_batch(string task, string cell)
    {
        // The loss the optimiser minimises and the loss the reports show are computed by different code (the
        // model's loss on its outputs, the task's score in double from the predictions); they must be one number.
        var trainer = new Trainer(new TrainingConfig { Task = task, Cell = cell, Seq = 12, Hidden = 8, Batch = 6, Steps = 3, Seed = 5 });
        for (int step = 0; step < 3; step++) trainer.Step();   // trained a little, so outputs are not the initial ones
        var batch = trainer.Task.Generate(6, new SeededRandom(99));
        double loss = trainer.Forward(batch);
        var score = trainer.Task.Score(batch, trainer.Model.Predictions);
        // float32 model against a double re-evaluation of the same float outputs: agreement to float rounding.
        Assert.True(Math.Abs(loss - score.Loss) <= 1e-5 * Math.Abs(score.Loss), $"{task}: training loss {loss}, task score {score.Loss}");
    }

    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void A_layer_training_step_allocates_nothing(CellKind kind)
    {
        // Buffers are grown on the first call and reused: after it, forward and backward allocate no managed memory.
        const int T = 20, B = 4, I = 3, H = 40;
        var layer = RecurrentLayer<float>.Create(kind, I, H);
        var rng = new SeededRandom(3);
        foreach (var p in layer.Parameters) rng.FillUniform<float>(p.Value, -0.3, 0.3);
        var x = new float[T * B * I];
        var dOut = new float[T * B * H];
        var dx = new float[T * B * I];
        rng.FillUniform<float>(x, -1, 1);
        rng.FillUniform<float>(dOut, -1, 1);
        layer.Forward(x, T, B);
        layer.Backward(dOut, dx);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++)
        {
            layer.Forward(x, T, B);
            layer.Backward(dOut, dx);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"{kind}: three training steps allocated {allocated} bytes");
    }
}
