using System.Text.Json;
using RnnLab.Training;

namespace RnnLab.Tests.Cli;

/// <summary>
/// `rnnlab train --resume` means it: a folder without a usable run is an error; options that contradict the saved
/// run are errors naming both values; --steps extends a finished run to the same weights as one run that long; a
/// diverged run says so and does not move; summary.json's seconds add up over segments.
/// </summary>
public sealed class TrainResumeTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("rnnlab-resume-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    static readonly string[] Small = ["--task", "adding", "--cell", "gru", "--seq", "6", "--hidden", "4", "--batch", "4",
        "--eval-every", "10", "--log-every", "5", "--checkpoint-every", "10", "--seed", "2", "--json"];

    (int Code, string Out, string Err) Train(string dir, params string[] extra) => CliErrorTests.Run(["train", .. Small, "--out", dir, .. extra]);

    static (int Code, string Out, string Err) Resume(string dir, params string[] extra) => CliErrorTests.Run(["train", "--out", dir, "--resume", "--json", .. extra]);

    static JsonElement Summary(string dir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, TrainingRun.SummaryFile))).RootElement;

    [Fact]
    public void Steps_extends_a_finished_run_to_the_weights_of_one_run_that_long_and_seconds_add_up()
    {
        string straight = Path.Combine(root, "straight"), extended = Path.Combine(root, "extended");
        Assert.Equal(0, Train(straight, "--steps", "30").Code);
        Assert.Equal(0, Train(extended, "--steps", "20").Code);
        double first = Summary(extended).GetProperty("seconds").GetDouble();

        var again = Resume(extended);
        BadInputTests.AssertOneLineUserError("resume of a finished run", again.Code, again.Err);
        Assert.Contains("is finished (20 of 20 steps)", again.Err);

        var (code, _, err) = Resume(extended, "--steps", "30");
        Assert.True(code == 0, err);
        var summary = Summary(extended);
        Assert.Equal(30, summary.GetProperty("steps").GetInt32());
        Assert.True(summary.GetProperty("seconds").GetDouble() > first, "seconds did not count the first segment");
        Assert.Equal(File.ReadAllBytes(Path.Combine(straight, TrainingRun.CheckpointFile)), File.ReadAllBytes(Path.Combine(extended, TrainingRun.CheckpointFile)));

        var shorter = Resume(extended, "--steps", "25");
        BadInputTests.AssertOneLineUserError("--steps below the steps done", shorter.Code, shorter.Err);
    }

    [Theory]
    [InlineData("--hidden", "8", "--hidden 8 contradicts", "--hidden 4")]
    [InlineData("--cell", "lstm", "--cell lstm contradicts", "--cell gru")]
    [InlineData("--lr", "0.5", "--lr 0.5 contradicts", "--lr 0.001")]
    public void An_option_that_contradicts_the_saved_run_names_both_values(string option, string value, string asked, string saved)
    {
        string dir = Path.Combine(root, "run");
        Assert.Equal(0, Train(dir, "--steps", "10").Code);
        var (code, _, err) = Resume(dir, "--steps", "20", option, value);
        BadInputTests.AssertOneLineUserError(option, code, err);
        Assert.Contains(asked, err);
        Assert.Contains(saved, err);
        Assert.Equal(0, Resume(dir, "--steps", "20", "--hidden", "4").Code);   // agreeing with the saved run is fine
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("corrupt")]
    [InlineData("negative hidden")]
    [InlineData("no checkpoint")]
    [InlineData("checkpoint is a folder")]
    [InlineData("checkpoint is not safetensors")]
    public void A_folder_without_a_usable_run_is_one_line_and_left_as_it_was(string damage)
    {
        string dir = Path.Combine(root, "run");
        Assert.Equal(0, Train(dir, "--steps", "10").Code);
        Assert.Equal(0, Resume(dir, "--steps", "15").Code);
        string config = Path.Combine(dir, TrainingRun.ConfigFile), checkpoint = Path.Combine(dir, TrainingRun.CheckpointFile);
        switch (damage)
        {
            case "empty": File.WriteAllText(config, ""); break;
            case "corrupt": File.WriteAllText(config, "{\"task\": \"adding\", "); break;
            case "negative hidden": File.WriteAllText(config, File.ReadAllText(config).Replace("\"hidden\": 4", "\"hidden\": -5")); break;
            case "no checkpoint": File.Delete(checkpoint); break;
            case "checkpoint is a folder": File.Delete(checkpoint); Directory.CreateDirectory(checkpoint); break;
            case "checkpoint is not safetensors": File.WriteAllText(checkpoint, "\u00ff\u00fe not a checkpoint"); break;
        }
        var before = Directory.GetFiles(dir).ToDictionary(f => f, File.ReadAllBytes);
        var (code, _, err) = Resume(dir, "--steps", "20");
        BadInputTests.AssertOneLineUserError(damage, code, err);
        if (damage == "negative hidden")
        {
            Assert.Contains("config.json: hidden must be a positive integer, got -5", err);
            Assert.DoesNotContain("--hidden", err);
        }
        foreach (var (file, bytes) in before) Assert.Equal(bytes, File.ReadAllBytes(file));
    }

    [Fact]
    public void A_diverged_run_reports_its_divergence_and_does_not_advance()
    {
        string dir = Path.Combine(root, "exploding");
        var (code, output, _) = CliErrorTests.Run(["train", "--task", "adding", "--cell", "rnn", "--seq", "20", "--hidden", "16", "--batch", "8",
            "--optimizer", "sgd", "--momentum", "0", "--lr", "50", "--init", "orthogonal", "--rho", "3", "--steps", "200", "--out", dir, "--json"]);
        Assert.Equal(1, code);
        int diverged = JsonDocument.Parse(output).RootElement.GetProperty("diverged_at").GetInt32();
        byte[] checkpoint = File.ReadAllBytes(Path.Combine(dir, TrainingRun.CheckpointFile));
        for (int i = 0; i < 2; i++)
        {
            var again = Resume(dir);
            Assert.Equal(1, again.Code);
            Assert.Contains($"diverged at step {diverged}", again.Err);
            Assert.Single(again.Err.TrimEnd().Split('\n'));
        }
        Assert.Equal(checkpoint, File.ReadAllBytes(Path.Combine(dir, TrainingRun.CheckpointFile)));
    }
}
