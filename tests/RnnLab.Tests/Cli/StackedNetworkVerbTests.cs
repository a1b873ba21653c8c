using System.Text.Json.Nodes;
using RnnLab.Tests.Fixtures;

namespace RnnLab.Tests.Cli;

/// <summary>`train` and `bench` build stacked, bidirectional networks from their options (the README's commands, small).</summary>
public class StackedNetworkVerbTests
{
    [Fact]
    public void Train_builds_the_stack_the_options_name()
    {
        using var dir = new Fixture.TempFolder();
        string run = dir.File("lstm2");
        var (code, output, err) = CliErrorTests.Run("train", "--task", "adding", "--cell", "lstm", "--seq", "10", "--hidden", "8", "--layers", "2",
            "--bidirectional", "--dropout", "0.2", "--proj-size", "5", "--steps", "4", "--batch", "4", "--eval-every", "4", "--threads", "1",
            "--out", run, "--json");
        Assert.True(code == 0, err);
        var config = JsonNode.Parse(output)!["config"]!;
        Assert.Equal(2, config["layers"]!.GetValue<int>());
        Assert.True(config["bidirectional"]!.GetValue<bool>());
        Assert.Equal(5, config["proj_size"]!.GetValue<int>());
        var checkpoint = RnnLab.Models.SafeTensors.Read(Path.Combine(run, RnnLab.Training.TrainingRun.CheckpointFile));
        Assert.Equal([4 * 8, 2 * 5], checkpoint["weight_ih_l1_reverse"].Shape);
        Assert.Equal([5, 8], checkpoint["weight_hr_l1"].Shape);
        Assert.Equal([1, 2 * 5], checkpoint["readout.weight"].Shape);
    }

    [Fact]
    public void Bench_times_a_stack_and_says_so()
    {
        var (code, output, err) = CliErrorTests.Run("bench", "--cell", "gru", "--hidden", "16", "--seq", "10", "--batch", "4", "--input", "3",
            "--layers", "2", "--bidirectional", "--steps", "2", "--threads", "2", "--json");
        Assert.True(code == 0, err);
        var result = JsonNode.Parse(output)!;
        Assert.Equal(2, result["layers"]!.GetValue<int>());
        Assert.True(result["bidirectional"]!.GetValue<bool>());
        Assert.Equal(2, result["threads"]!.GetValue<int>());
        Assert.True(result["steps_per_s"]!.GetValue<double>() > 0);
    }
}
