using RnnLab.Numerics;
using RnnLab.Tasks;

namespace RnnLab.Tests.Tasks;

/// <summary>What every task promises: shapes, bit-identical batches from a seed, scoring shape checks.</summary>
public class SequenceTaskTests
{
    public static TheoryData<string> Names => new() { "adding", "copy", "agreement", "temporal-order", "agreement-lm" };

    static ISequenceTask Make(string name) => name switch
    {
        "adding" => new AddingTask(30),
        "copy" => new CopyTask(15),
        "temporal-order" => new TemporalOrderTask(30),
        "agreement-lm" => new AgreementLanguageModelTask(13, 0.5),
        _ => new AgreementTask(13, 0.5),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Batches_have_the_stated_shapes(string name)
    {
        var task = Make(name);
        var batch = task.Generate(5, new SeededRandom(1));
        Assert.Equal(task.Steps, batch.Steps);
        Assert.Equal(5, batch.Size);
        Assert.Equal(task.TargetKind, batch.Kind);
        Assert.Equal(task.Steps * 5 * task.InputSize, batch.Inputs.Length);
        switch (task.TargetKind)
        {
            case TargetKind.RegressionAtLastStep:
                Assert.Equal(5 * task.OutputSize, batch.Targets.Length);
                Assert.Empty(batch.Labels);
                Assert.Equal(1, batch.OutputSteps);
                break;
            case TargetKind.ClassificationAtLastStep:
                Assert.Equal(5, batch.Labels.Length);
                Assert.Equal(1, batch.OutputSteps);
                break;
            case TargetKind.ClassificationAtEveryStep:
                Assert.Equal(task.Steps * 5, batch.Labels.Length);
                Assert.Equal(task.Steps, batch.OutputSteps);
                break;
        }
        Assert.All(batch.Labels, l => Assert.InRange(l, 0, task.OutputSize - 1));
        Assert.All(batch.Inputs, v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Same_seed_gives_bit_identical_batches(string name)
    {
        var task = Make(name);
        var a = task.Generate(16, new SeededRandom(42));
        var b = task.Generate(16, new SeededRandom(42));
        var c = task.Generate(16, new SeededRandom(43));
        Assert.Equal(a.Inputs, b.Inputs);
        Assert.Equal(a.Targets, b.Targets);
        Assert.Equal(a.Labels, b.Labels);
        Assert.NotEqual(a.Inputs, c.Inputs);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Score_checks_the_output_shape_and_batch_size(string name)
    {
        var task = Make(name);
        var batch = task.Generate(3, new SeededRandom(2));
        var e = Assert.Throws<ArgumentException>(() => task.Score(batch, new float[7]));
        Assert.StartsWith("outputs have 7 values, expected [S=", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => task.Generate(0, new SeededRandom(2)));
    }
}
