using System.Text.Json;
using System.Text.Json.Nodes;
using RnnLab.Tests.Analysis;
using RnnLab.Training;

namespace RnnLab.Tests.Cli;

/// <summary>
/// Every verb's --json is one envelope: rnnlab_version (what --version prints), schema 1, the parameters as used
/// (defaults applied, what a --model file or a resumed run said), then the verb's keys; no NaN or Infinity anywhere.
/// </summary>
public class JsonEnvelopeTests
{
    /// <summary>Runs a verb with --json and returns its answer and parameters, after checking the envelope and the numbers.</summary>
    static (JsonElement Answer, JsonElement Parameters) Answer(int expectedCode, params string[] args)
    {
        var (code, output, err) = CliErrorTests.Run([.. args, "--json"]);
        Assert.True(code == expectedCode, $"exit {code}: {err}");
        FiniteJsonCheck.AssertFinite(output);
        var answer = JsonDocument.Parse(output).RootElement;
        return (answer, CliJson.Envelope(answer));
    }

    static (JsonElement Answer, JsonElement Parameters) Answer(params string[] args) => Answer(0, args);

    /// <summary>A parameter's value as JSON text, compared without layout: [10, 30, 100] → [10,30,100].</summary>
    static string Text(JsonElement parameters, string key) => JsonNode.Parse(parameters.GetProperty(key).GetRawText())!.ToJsonString();

    public static TheoryData<string[], string, string> Cases => new()
    {
        { ["table", "--rho", "0.5"], "seq", "[10,30,100]" },                       // a default, parsed as the verb used it
        { ["table", "--rho", "0.5"], "rho", "[0.5]" },
        { ["distance"], "subject", "\"cat\"" },                                       // chosen by the verb
        { ["spectrum", "--hidden", "4"], "cell", "\"rnn\"" },
        { ["spectrum", "--refresher"], "refresher", "true" },
        { ["depth", "--depths", "3", "--width", "4"], "depths", "[3]" },
        { ["flow", "--cell", "lstm", "--hidden", "3", "--seq", "5"], "threshold", "0.01" },
        { ["flow", "--compare-rho", "0.5,2", "--hidden", "3", "--seq", "5"], "compare_rho", "[0.5,2]" },
        { ["flow", "--model", ModuleFixtureTests.Path("net_lstm2"), "--seq", "6"], "num_layers", "2" },   // read from the file
        { ["flow", "--model", ModuleFixtureTests.Path("net_lstm2"), "--seq", "6"], "seq", "6" },
        { ["spectrum", "--model", ModuleFixtureTests.Path("dp_bigru")], "module", "\"module.rnn\"" },
        { ["inspect", ModuleFixtureTests.Path("dp_bigru")], "file", $"\"{ModuleFixtureTests.Path("dp_bigru")}\"" },
        { ["bench", "--hidden", "2", "--seq", "2", "--batch", "1", "--steps", "1", "--threads", "1"], "input", "2" },
        { ["train", "--steps", "2", "--seq", "5", "--hidden", "3", "--batch", "2", "--threads", "1"], "eval_batch", "512" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_verb_answers_in_the_envelope_with_the_parameters_it_used(string[] args, string key, string expected)
    {
        var (_, parameters) = Answer(args);
        Assert.Equal(expected, Text(parameters, key));
        Assert.False(parameters.TryGetProperty("json", out _), "--json is how the answer is asked for, not a parameter");
        Assert.False(parameters.TryGetProperty("quiet", out _), "--quiet is whether progress is shown, not a parameter");
    }

    [Fact]
    public void Options_that_do_not_apply_are_left_out_of_the_parameters()
    {
        var (model, modelParameters) = Answer("flow", "--model", ModuleFixtureTests.Path("net_lstm2"), "--seq", "6");
        foreach (string key in new[] { "hidden", "input", "init", "rho", "compare_rho" }) Assert.False(modelParameters.TryGetProperty(key, out _), key);
        Assert.True(model.TryGetProperty("layers", out _));
        var (_, refresher) = Answer("spectrum", "--refresher");
        Assert.False(refresher.TryGetProperty("hidden", out _));
        var (generated, flow) = Answer("flow", "--hidden", "3", "--seq", "4");
        Assert.False(flow.TryGetProperty("h0", out _));
        Assert.Equal("\"rnn\"", Text(flow, "cell"));
        Assert.Equal(4, generated.GetProperty("steps").GetInt32());
    }

    [Fact]
    public void Depth_and_compare_rho_answer_with_objects()
    {
        var (depth, _) = Answer("depth", "--depths", "3,5", "--width", "4");
        Assert.Equal(6, depth.GetProperty("curves").GetArrayLength());
        var (compare, _) = Answer("flow", "--compare-rho", "0.5,2", "--hidden", "3", "--seq", "5");
        Assert.Equal([0.5, 2], compare.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("rho").GetDouble()));
    }

    [Fact]
    public void A_resumed_run_echoes_its_own_config_not_the_defaults()
    {
        using var tmp = new Fixtures.Fixture.TempFolder();
        string run = tmp.File("run");
        Answer("train", "--steps", "2", "--seq", "5", "--hidden", "3", "--batch", "2", "--threads", "1", "--out", run);
        var (_, parameters) = Answer("train", "--out", run, "--resume", "--steps", "3", "--threads", "1");
        Assert.Equal(("3", "5", "3", "true"), (Text(parameters, "hidden"), Text(parameters, "seq"), Text(parameters, "steps"), Text(parameters, "resume")));
        Assert.Equal($"\"{run}\"", Text(parameters, "out"));
        // summary.json: the same envelope, the run's config as its parameters, and it still reads back for --resume
        string summary = File.ReadAllText(Path.Combine(run, TrainingRun.SummaryFile));
        FiniteJsonCheck.AssertFinite(summary);
        var saved = CliJson.Envelope(JsonDocument.Parse(summary).RootElement);
        Assert.Equal(("3", "3"), (Text(saved, "hidden"), Text(saved, "steps")));
        Assert.Equal(3, TrainingRun.ReadSaved(run).Summary!.Steps);
    }

    [Fact]
    public void Experiment_results_files_carry_the_envelope_and_merge_still_reads_them()
    {
        using var tmp = new Fixtures.Fixture.TempFolder();
        string dir = tmp.File("copy");
        for (int i = 0; i < 2; i++) Answer("experiment", "copy", "--preset", "test", "--shard", $"{i}/2", "--out", dir, "--threads", "1");
        var (merged, mergeParameters) = Answer("merge", dir);
        Assert.Equal($"\"{dir}\"", Text(mergeParameters, "out"));
        Assert.Equal(4, merged.GetProperty("points").GetInt32());
        foreach (string name in new[] { "results.shard-1-of-2.json", Sweep.ResultsFile })
        {
            string text = File.ReadAllText(Path.Combine(dir, name));
            FiniteJsonCheck.AssertFinite(text);
            var parameters = CliJson.Envelope(JsonDocument.Parse(text).RootElement);
            Assert.Equal(("\"copy\"", "\"test\""), (Text(parameters, "experiment"), Text(parameters, "preset")));
        }
        Assert.Equal(4, Sweep.ReadResults(Path.Combine(dir, Sweep.ResultsFile)).Points.Length);
    }

    [Fact]
    public void A_diverged_run_writes_null_for_its_nan_loss()
    {
        var (answer, _) = Answer(1, "train", "--task", "adding", "--cell", "rnn", "--seq", "20", "--hidden", "16", "--batch", "8",
            "--optimizer", "sgd", "--momentum", "0", "--lr", "50", "--init", "orthogonal", "--rho", "3", "--steps", "200", "--threads", "1");
        Assert.True(answer.GetProperty("diverged_at").GetInt32() > 0);
        Assert.Contains(new[] { "loss", "test_loss", "metric", "test_metric" }, k => answer.GetProperty(k).ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public void An_exact_zero_of_a_log10_norm_is_listed_beside_its_null()
    {
        // ∂h_T/∂c_T = 0 for the LSTM (h_T is read with c_T held fixed), so its log10 is −∞ at k = 0 and only there.
        var (flow, _) = Answer("flow", "--cell", "lstm", "--hidden", "3", "--seq", "5");
        Assert.Equal(JsonValueKind.Null, flow.GetProperty("log10_hidden_from_cell_spectral_norm")[0].ValueKind);
        Assert.Equal([0], flow.GetProperty("log10_hidden_from_cell_spectral_norm_zero_at").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal(double.NegativeInfinity, CliJson.Log10(flow, "log10_hidden_from_cell_spectral_norm")[0]);
        Assert.False(flow.TryGetProperty("log10_spectral_norm_zero_at", out _), "no zero, no list");
    }

    [Fact]
    public void Finite_json_writes_null_and_names_the_zeros_of_log10_arrays()
    {
        var value = new { log10_norm = new[] { 0, double.NegativeInfinity, double.NaN, double.NegativeInfinity }, norm = new[] { 1, double.PositiveInfinity }, rate = double.NaN };
        var node = FiniteJson.ToNode(value, FiniteJson.Marking(TrainingRun.Json), k => k + "_zero_at")!;
        Assert.Equal("""{"log10_norm":[0,null,null,null],"log10_norm_zero_at":[1,3],"norm":[1,null],"rate":null}""", node.ToJsonString());
    }

    /// <summary>
    /// "1.0.0+sha" as --version prints it, in a verb's --json and in a run folder's JSON files: the '+' written as it
    /// is (the default encoder writes \u002B), and so is the non-ASCII text of a key's value.
    /// </summary>
    [Fact]
    public void The_version_is_written_as_it_is_in_every_JSON()
    {
        using var tmp = new Fixtures.Fixture.TempFolder();
        var (code, version, err) = CliProcess.Run(tmp.Dir, "--version");
        Assert.True(code == 0, err);
        version = version.Trim();
        Assert.Contains('+', version);   // the character at stake: without it this test could not fail
        string raw = $"\"rnnlab_version\": \"{version}\"";
        (code, string spectrum, err) = CliProcess.Run(tmp.Dir, "spectrum", "--hidden", "3", "--json");
        Assert.True(code == 0, err);
        Assert.Contains(raw, spectrum);
        string run = tmp.File("run");
        (code, string train, err) = CliProcess.Run(tmp.Dir, "train", "--task", "adding", "--seq", "4", "--hidden", "3", "--batch", "2", "--steps", "2",
            "--out", run, "--json", "--quiet");
        Assert.True(code == 0, err);
        Assert.Contains(raw, train);
        string summary = File.ReadAllText(Path.Combine(run, TrainingRun.SummaryFile));
        Assert.Contains(raw, summary);
        foreach (string json in new[] { spectrum, train, summary }) Assert.DoesNotContain("\\u", json);
    }

    [Fact]
    public void The_version_is_what_version_prints()
    {
        // a process of its own: --version reads the entry assembly, which in-process is the test host
        var (code, output, _) = CliProcess.Run(Path.GetTempPath(), "--version");
        Assert.Equal((0, RnnLab.Cli.Version.Text), (code, output.Trim()));
    }
}
