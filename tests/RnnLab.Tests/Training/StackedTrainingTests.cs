using System.Text.Json.Nodes;
using RnnLab.Numerics;
using RnnLab.Training;

namespace RnnLab.Tests.Training;

/// <summary>
/// Training a stacked, bidirectional network keeps the run folder's promises: a resumed run (dropout stream
/// included) ends bit-identical, the kernel thread count changes no bit, the held-out evaluation drops nothing, and
/// the flow probe is kept per layer and direction.
/// </summary>
[Collection(GlobalStatics.Name)]
public sealed class StackedTrainingTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), $"rnnlab-stack-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    static TrainingConfig Stacked(string cell = "lstm") => new()
    {
        Task = "adding", Cell = cell, Seq = 10, Hidden = 8, Batch = 4, Steps = 30, Lr = 0.01, Layers = 2, Bidirectional = true,
        Dropout = 0.3, ProjSize = cell == "lstm" ? 5 : 0, LogEvery = 5, EvalEvery = 10, EvalBatch = 16, CheckpointEvery = 12, Seed = 4,
    };

    static byte[] Checkpoint(string dir) => File.ReadAllBytes(Path.Combine(dir, TrainingRun.CheckpointFile));

    [Theory]
    [InlineData("lstm"), InlineData("gru")]
    public void Stopped_and_resumed_stack_with_dropout_ends_bit_identical(string cell)
    {
        var config = Stacked(cell);
        string whole = Path.Combine(root, "whole"), split = Path.Combine(root, "split");
        TrainingRun.Run(config, whole);
        using var cancel = new CancellationTokenSource();
        TrainingRun.Run(config, split, onLog: r => { if (r.Step == 15) cancel.Cancel(); }, cancel: cancel.Token);
        TrainingRun.Run(config, split, resume: true);
        Assert.True(Checkpoint(whole).AsSpan().SequenceEqual(Checkpoint(split)), "the resumed run's final checkpoint differs");
    }

    [Theory]
    [InlineData(true, 24)]
    [InlineData(false, 24)]   // one direction: the layer's own GEMMs and gate rows split between the threads
    [InlineData(false, 0)]
    public void Kernel_thread_count_changes_no_bit(bool bidirectional, int projSize)
    {
        // Big enough that the step GEMMs split between threads (the split threshold lowered so they all do).
        var config = Stacked() with { Hidden = 32, ProjSize = projSize, Batch = 16, Steps = 8, EvalEvery = 8, Bidirectional = bidirectional };
        GlobalStatics.WithEverySplitForced(() =>                        // the GEMMs, gate rows, bias rows and Adam split too
        {
            foreach (int threads in new[] { 1, 2 })
                using (Parallelism.Use(threads)) TrainingRun.Run(config, Path.Combine(root, $"t{threads}"));
        });
        Assert.True(Checkpoint(Path.Combine(root, "t1")).AsSpan().SequenceEqual(Checkpoint(Path.Combine(root, "t2"))), "1 and 2 threads trained different weights");
    }

    [Fact]
    public void Evaluation_does_not_drop_and_training_does()
    {
        var trainer = new Trainer(Stacked("gru"));
        var a = trainer.Evaluate();
        var b = trainer.Evaluate();
        Assert.Equal(a.Loss, b.Loss);           // no dropout mask drawn: the same loss twice
        Assert.True(trainer.Model.Stack.Training);
        var first = trainer.Step();
        Assert.NotEqual(a.Loss, first.Loss);
    }

    [Fact]
    public void Flow_probe_is_kept_for_every_layer_and_direction()
    {
        string dir = Path.Combine(root, "flow");
        TrainingRun.Run(Stacked() with { Steps = 5, LogEvery = 1 }, dir);
        var line = JsonNode.Parse(File.ReadLines(Path.Combine(dir, TrainingRun.MetricsFile)).First())!.AsObject();
        var layers = line["flow_layers"]!.AsObject();
        Assert.Equal(["l0", "l0_reverse", "l1", "l1_reverse"], layers.Select(kv => kv.Key));
        Assert.Equal(line["flow"]!.ToJsonString(), layers["l1"]!.ToJsonString());   // flow is the top layer's forward direction
        // A last-step loss reaches the top reverse direction only at x_T (k = 0): it reads x_T first.
        var topReverse = layers["l1_reverse"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        Assert.True(topReverse[0] > 0);
        Assert.All(topReverse.Skip(1), v => Assert.Equal(0, v));
        Assert.All(layers["l0_reverse"]!.AsArray(), v => Assert.True(v!.GetValue<double>() > 0));
    }

    [Fact]
    public void Bench_counts_the_GEMM_work_of_a_step_layer_by_layer()
    {
        // LSTM H = 4, I = 3, two layers, two directions, 10 rows, by hand: G·H = 16.
        // layer 0: 16·(2·3 + 3·4) = 288 multiply-adds per row and direction; layer 1 reads D·H = 8:
        // 16·(2·8 + 3·4) + 16·8 (its input gradient) = 576.
        var stack = new RnnLab.Models.RecurrentStack<float>(RnnLab.Models.CellKind.Lstm, 3, 4, numLayers: 2, bidirectional: true);
        Assert.Equal(2.0 * 10 * 2 * (288 + 576), TrainBenchmark.GemmFlopsPerStep(stack, 10));
        // A projection P = 2 adds 3·P·H per row and direction and narrows h: layer 0 16·(6 + 6) + 24 = 216, layer 1 reads 4:
        // 16·(8 + 6) + 16·4 + 24 = 312.
        var projected = new RnnLab.Models.RecurrentStack<float>(RnnLab.Models.CellKind.Lstm, 3, 4, numLayers: 2, bidirectional: true, projectionSize: 2);
        Assert.Equal(2.0 * 10 * 2 * (216 + 312), TrainBenchmark.GemmFlopsPerStep(projected, 10));
        var result = TrainBenchmark.Run(new BenchConfig("gru", Hidden: 8, Seq: 5, Batch: 2, Input: 3, Steps: 2, Warmup: 0, Layers: 2, Bidirectional: true));
        Assert.Equal(result.GemmGflopPerStep * result.StepsPerS, result.GemmGflops, 9);
    }
}
