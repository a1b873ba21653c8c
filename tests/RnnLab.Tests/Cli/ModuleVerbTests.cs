using System.Text.Json;
using RnnLab.Models;
using RnnLab.Numerics;
using RnnLab.Tests.Analysis;

namespace RnnLab.Tests.Cli;

/// <summary>
/// `rnnlab inspect`, `rnnlab forward` and `rnnlab flow --model` on the PyTorch module fixtures
/// (Fixtures/make_module_fixtures.py): what the verbs print is what PyTorch computed, and bad requests are one line.
/// </summary>
public class ModuleVerbTests
{
    static JsonElement Json(params string[] args)
    {
        var (code, output, err) = CliErrorTests.Run([.. args, "--json"]);
        Assert.True(code == 0, err);
        return JsonDocument.Parse(output).RootElement;
    }


    [Fact]
    public void Inspect_lists_the_module_and_the_other_tensors()
    {
        var j = Json("inspect", ModuleFixtureTests.Path("net_lstm2"));
        var m = j.GetProperty("modules").EnumerateArray().Single();
        Assert.Equal("rnn", m.GetProperty("name").GetString());
        Assert.Equal("lstm", m.GetProperty("cell").GetString());
        Assert.Equal(2, m.GetProperty("num_layers").GetInt32());
        Assert.Equal(["emb.weight", "fc.bias", "fc.weight"], j.GetProperty("other_tensors").EnumerateArray().Select(t => t.GetProperty("name").GetString()).Order());
        var proj = Json("inspect", ModuleFixtureTests.Path("lstm2_bi_proj")).GetProperty("modules")[0];
        Assert.True(proj.GetProperty("bidirectional").GetBoolean());
        Assert.Equal(2, proj.GetProperty("proj_size").GetInt32());
        var layers = proj.GetProperty("layers").EnumerateArray().ToList();   // every layer and direction, layer 1 reading both of layer 0's
        Assert.Equal(["l0", "l0_reverse", "l1", "l1_reverse"], layers.Select(l => l.GetProperty("name").GetString()));
        Assert.Equal([3, 3, 4, 4], layers.Select(l => l.GetProperty("input_size").GetInt32()));
        Assert.All(layers, l => Assert.Equal((4, 2), (l.GetProperty("hidden_size").GetInt32(), l.GetProperty("output_size").GetInt32())));
        Assert.Equal(0, CliErrorTests.Run("inspect", ModuleFixtureTests.Path("two_modules")).Code);   // the table
    }

    [Theory]
    [InlineData("net_lstm2", false)]
    [InlineData("dp_bigru", true)]
    [InlineData("lstm2_bi_proj", false)]
    [InlineData("gru_f16", true)]
    public void Forward_writes_what_PyTorch_computes(string name, bool batchFirst)
    {
        using var tmp = new Fixtures.Fixture.TempFolder();
        var e = SafeTensors.Read(ModuleFixtureTests.Path(name + ".expected"));
        var x = e["x"];
        int T = x.Shape[0], B = x.Shape[1], I = x.Shape[2];
        var xs = x.Data;
        if (batchFirst) xs = Transpose(xs, T, B, I);
        Npy.Write(tmp.File("x.npy"), batchFirst ? [B, T, I] : [T, B, I], Array.ConvertAll(xs, v => (float)v));
        Npy.Write(tmp.File("h0.npy"), e["h0"].Shape, e["h0"].Data);
        var args = new List<string> { "forward", "--model", ModuleFixtureTests.Path(name), "--inputs", tmp.File("x.npy"), "--out", tmp.File("y.npy"),
            "--states", tmp.File("hn.npy"), "--h0", tmp.File("h0.npy") };
        bool lstm = e.Contains("c0");
        if (lstm) { Npy.Write(tmp.File("c0.npy"), e["c0"].Shape, e["c0"].Data); args.AddRange(["--c0", tmp.File("c0.npy")]); }
        if (batchFirst) args.Add("--batch-first");
        var (code, _, err) = CliErrorTests.Run([.. args]);
        Assert.True(code == 0, err);
        var y = Npy.Read(tmp.File("y.npy"));
        Assert.Equal("<f4", y.DType);
        var want = e["output_h0"];
        Assert.Equal(batchFirst ? [B, T, want.Shape[2]] : want.Shape, y.Shape);
        double[] got = batchFirst ? Transpose(y.Data, B, T, want.Shape[2]) : y.Data;
        Assert.True(MaxAbs(want.Data, got) <= 1e-5, $"{name} output: max abs err {MaxAbs(want.Data, got):e2}");
        var hn = Npy.Read(tmp.File("hn.npy"));
        Assert.Equal(e["h_n_h0"].Shape, hn.Shape);
        Assert.True(MaxAbs(e["h_n_h0"].Data, hn.Data) <= 1e-5);
        if (lstm) Assert.True(MaxAbs(e["c_n_h0"].Data, Npy.Read(tmp.File("hn_c.npy")).Data) <= 1e-5);
    }

    /// <summary>
    /// --seed draws a generated network's weights and generated inputs: with --model's weights (and, for flow, --inputs)
    /// there is nothing left for it to draw, so it is refused rather than ignored. flow --model without --inputs takes it.
    /// </summary>
    [Fact]
    public void Seed_is_refused_where_the_files_give_everything_it_would_draw()
    {
        using var tmp = new Fixtures.Fixture.TempFolder();
        Npy.Write(tmp.File("x.npy"), [4, 3], new double[12]);
        string model = ModuleFixtureTests.Path("net_lstm2");
        foreach (var args in new[] { new[] { "spectrum", "--model", model, "--seed", "3" }, ["flow", "--model", model, "--inputs", tmp.File("x.npy"), "--seed", "3"] })
        {
            var (code, _, err) = CliErrorTests.Run(args);
            BadInputTests.AssertOneLineUserError(string.Join(' ', args), code, err);
            Assert.Contains("leave out --seed", err);
        }
        Assert.Equal(3, CliJson.Envelope(Json("flow", "--model", model, "--seq", "4", "--seed", "3")).GetProperty("seed").GetInt32());
    }

    /// <summary>
    /// forward checks every file it writes before the first: an --states file it cannot write (its c_n beside it for
    /// an LSTM) or one that is --out's own file is refused in one line, and no --out file is left behind.
    /// </summary>
    [Theory]
    [InlineData("/proc/rnnlab-h.npy", "y.npy", "--states /proc/rnnlab-h.npy: cannot write there")]
    [InlineData("{tmp}/y.npy", "y.npy", "--states {tmp}/y.npy is the file --out writes")]
    [InlineData("{tmp}/h.npy", "h_c.npy", "--states (c_n) {tmp}/h_c.npy is the file --out writes")]
    public void Forward_refuses_an_output_it_cannot_write_before_writing_any(string states, string output, string message)
    {
        using var tmp = new Fixtures.Fixture.TempFolder();
        Npy.Write(tmp.File("x.npy"), [3, 2, 3], new double[18]);
        string statesPath = states.Replace("{tmp}", tmp.Dir), outPath = tmp.File(output);
        var (code, _, err) = CliErrorTests.Run("forward", "--model", ModuleFixtureTests.Path("net_lstm2"), "--inputs", tmp.File("x.npy"),
            "--out", outPath, "--states", statesPath);
        BadInputTests.AssertOneLineUserError($"forward --out {output} --states {states}", code, err);
        Assert.Contains(message.Replace("{tmp}", tmp.Dir), err);
        Assert.Equal([tmp.File("x.npy")], Directory.GetFiles(tmp.Dir));
    }

    /// <summary>An output named like a file the run reads would overwrite it: refused, and the input left as it was.</summary>
    [Theory]
    [InlineData("--out", "x.npy", "--inputs")]
    [InlineData("--states", "x.npy", "--inputs")]
    [InlineData("--states", "h0.npy", "--h0")]
    public void Forward_refuses_to_write_over_a_file_it_reads(string flag, string target, string readFlag)
    {
        using var tmp = new Fixtures.Fixture.TempFolder();
        Npy.Write(tmp.File("x.npy"), [3, 2, 3], new double[18]);
        Npy.Write(tmp.File("h0.npy"), [2, 2, 5], new double[20]);
        byte[] before = File.ReadAllBytes(tmp.File(target));
        string outPath = flag == "--out" ? tmp.File(target) : tmp.File("y.npy");
        var args = new List<string> { "forward", "--model", ModuleFixtureTests.Path("net_lstm2"), "--inputs", tmp.File("x.npy"), "--h0", tmp.File("h0.npy"), "--out", outPath };
        if (flag == "--states") args.AddRange(["--states", tmp.File(target)]);
        var (code, _, err) = CliErrorTests.Run([.. args]);
        BadInputTests.AssertOneLineUserError($"forward {flag} {target}", code, err);
        Assert.Contains($"is the file {readFlag} reads", err);
        Assert.Equal(before, File.ReadAllBytes(tmp.File(target)));
    }

    /// <summary>
    /// The checkpoint `train --cell exprnn` writes (modReLU; weight_hh_l0 = exp(A)) goes through flow, spectrum and
    /// forward; forward's output is the engine's own float32 forward pass of those parameters. export refuses it in one
    /// line: no torch.nn module computes modReLU.
    /// </summary>
    [Fact]
    public void Analysis_verbs_read_the_exprnn_checkpoint_train_writes()
    {
        using var tmp = new Fixtures.Fixture.TempFolder();
        string run = tmp.File("run");
        var (code, _, err) = CliErrorTests.Run("train", "--cell", "exprnn", "--task", "copy", "--seq", "4", "--hidden", "6", "--steps", "20",
            "--batch", "4", "--eval-every", "20", "--out", run, "--json");
        Assert.True(code == 0, err);
        string checkpoint = System.IO.Path.Combine(run, "checkpoint.safetensors");

        var flow = Json("flow", "--model", checkpoint, "--seq", "9");
        var used = CliJson.Envelope(flow);
        Assert.Equal(("exprnn", "modrelu", "metadata"), (used.GetProperty("cell").GetString(), used.GetProperty("nonlinearity").GetString(), used.GetProperty("nonlinearity_source").GetString()));
        Assert.Equal(9, flow.GetProperty("log10_spectral_norm").GetArrayLength());
        Assert.Equal(1.0, flow.GetProperty("spectral_radius").GetDouble(), 5);           // exp(A) is orthogonal
        var spectrum = Json("spectrum", "--model", checkpoint).GetProperty("blocks")[0];
        Assert.Equal(1.0, spectrum.GetProperty("spectral_norm").GetDouble(), 5);
        // every eigenvalue of exp(A) has modulus 1: power iteration cannot settle, and its last estimate is not printed
        Assert.False(spectrum.TryGetProperty("power_iteration_radius", out _));
        Assert.Contains("did not settle", spectrum.GetProperty("power_iteration_radius_note").GetString());
        var (tableCode, table, tableErr) = CliProcess.Run(tmp.Dir, new Dictionary<string, string?> { ["COLUMNS"] = "200" }, "spectrum", "--model", checkpoint);
        Assert.True(tableCode == 0, tableErr);
        Assert.Contains("did not settle", table);

        var file = SafeTensors.Read(checkpoint);
        int I = file["weight_ih_l0"].Shape[1], H = 6, T = 7, B = 2;
        var x = Array.ConvertAll(AnalysisTestData.Input(T * B, I, seed: 2), v => (float)v);
        Npy.Write(tmp.File("x.npy"), [T, B, I], x);
        (code, _, err) = CliErrorTests.Run("forward", "--model", checkpoint, "--inputs", tmp.File("x.npy"), "--out", tmp.File("y.npy"));
        Assert.True(code == 0, err);
        var y = Npy.Read(tmp.File("y.npy"));
        Assert.Equal([T, B, H], y.Shape);
        var layer = new ExpRnnLayer<float>(I, H);
        SafeTensors.LoadInto(file, layer.Parameters);
        layer.Forward(x, T, B);
        Assert.True(MaxAbs(y.Data, [.. layer.Output.ToArray().Select(v => (double)v)]) <= 1e-5, $"forward against the engine: max abs err {MaxAbs(y.Data, [.. layer.Output.ToArray().Select(v => (double)v)]):e2}");

        (code, _, err) = CliErrorTests.Run("export", run, "--out", tmp.File("exported.safetensors"));
        BadInputTests.AssertOneLineUserError("export of an exprnn run", code, err);
        Assert.Contains("an expRNN with modReLU has no torch.nn module", err);
        Assert.False(File.Exists(tmp.File("exported.safetensors")));
    }

    /// <summary>A checkpoint `train --cell CELL` wrote, in <paramref name="tmp"/>.</summary>
    static string Trained(Fixtures.Fixture.TempFolder tmp, string cell)
    {
        string run = tmp.File(cell);
        var (code, _, err) = CliErrorTests.Run("train", "--cell", cell, "--task", "copy", "--seq", "4", "--hidden", "5", "--steps", "4",
            "--batch", "2", "--eval-every", "4", "--out", run, "--quiet");
        Assert.True(code == 0, err);
        return System.IO.Path.Combine(run, "checkpoint.safetensors");
    }

    /// <summary>
    /// A tanh RNN, a ReLU RNN and an expRNN with modReLU, as train writes them: inspect, spectrum and flow --model
    /// (their --json answers and parameters, and the tables) give each the one label it has, not "rnn" for all three.
    /// </summary>
    [Theory]
    [InlineData("rnn", "rnn", "tanh", "rnn (tanh)")]
    [InlineData("relu", "relu", "relu", "rnn (relu)")]
    [InlineData("exprnn", "exprnn", "modrelu", "exprnn (modrelu)")]
    public void Every_verb_labels_a_one_block_cell_by_what_it_computes(string trained, string cell, string nonlinearity, string label)
    {
        using var tmp = new Fixtures.Fixture.TempFolder();
        string checkpoint = Trained(tmp, trained);
        var module = Json("inspect", checkpoint).GetProperty("modules")[0];
        Assert.Equal((cell, nonlinearity), (module.GetProperty("cell").GetString(), module.GetProperty("nonlinearity").GetString()));
        var spectrum = Json("spectrum", "--model", checkpoint);
        Assert.Equal(cell, spectrum.GetProperty("cell").GetString());
        Assert.Equal((cell, nonlinearity), (CliJson.Envelope(spectrum).GetProperty("cell").GetString(), CliJson.Envelope(spectrum).GetProperty("nonlinearity").GetString()));
        var flow = Json("flow", "--model", checkpoint, "--seq", "5");
        Assert.Equal(cell, flow.GetProperty("cell").GetString());
        Assert.Equal(cell, CliJson.Envelope(flow).GetProperty("cell").GetString());

        // the tables, in a process of their own (they are drawn on the console), wide enough not to wrap
        var wide = new Dictionary<string, string?> { ["COLUMNS"] = "200" };
        var (code, table, err) = CliProcess.Run(tmp.Dir, wide, "inspect", checkpoint);
        Assert.True(code == 0, err);
        Assert.Contains(label, table);
        (code, table, err) = CliProcess.Run(tmp.Dir, wide, "spectrum", "--model", checkpoint);
        Assert.True(code == 0, err);
        Assert.Contains($"{label}, H = 5", table);
        (code, table, err) = CliProcess.Run(tmp.Dir, wide, "flow", "--model", checkpoint, "--seq", "5");
        Assert.True(code == 0, err);
        Assert.Contains($"{label}, input ", table);
    }

    [Theory]
    [InlineData("relu", "relu", "rnn (relu)")]
    [InlineData("tanh", "rnn", "rnn (tanh)")]
    [InlineData("lstm", "lstm", "lstm")]
    public void A_generated_network_is_labelled_as_a_loaded_one(string option, string cell, string label)
    {
        var spectrum = Json("spectrum", "--cell", option, "--hidden", "3");
        Assert.Equal((cell, cell), (spectrum.GetProperty("cell").GetString(), CliJson.Envelope(spectrum).GetProperty("cell").GetString()));
        var flow = Json("flow", "--cell", option, "--hidden", "3", "--seq", "4");
        Assert.Equal((cell, cell), (flow.GetProperty("cell").GetString(), CliJson.Envelope(flow).GetProperty("cell").GetString()));
        var wide = new Dictionary<string, string?> { ["COLUMNS"] = "200" };
        var (code, table, err) = CliProcess.Run(System.IO.Path.GetTempPath(), wide, "flow", "--cell", option, "--hidden", "3", "--seq", "4", "--quiet");
        Assert.True(code == 0, err);
        Assert.Contains($"{label}, H = 3, T = 4", table);
        (code, table, err) = CliProcess.Run(System.IO.Path.GetTempPath(), wide, "spectrum", "--cell", option, "--hidden", "3");
        Assert.True(code == 0, err);
        Assert.Contains($"{label}, H = 3", table);
    }

    /// <summary>
    /// An expRNN with modReLU has bias_ih_l0 and bias_hh_l0 in its checkpoint, which the engine neither reads nor trains
    /// (z has no biases; modReLU has modrelu_bias_l0): inspect and flow's parameters say so, not "bias: yes".
    /// </summary>
    [Fact]
    public void Inspect_says_which_biases_the_engine_uses()
    {
        using var tmp = new Fixtures.Fixture.TempFolder();
        string exp = Trained(tmp, "exprnn");
        Assert.True(SafeTensors.Read(exp).Names.Contains("bias_ih_l0"), "the checkpoint holds the unused b_ih");
        var module = Json("inspect", exp).GetProperty("modules")[0];
        Assert.False(module.GetProperty("bias").GetBoolean());
        Assert.True(module.GetProperty("modrelu_bias").GetBoolean());
        Assert.Equal(["bias_ih_l0", "bias_hh_l0"], module.GetProperty("ignored_tensors").EnumerateArray().Select(t => t.GetString()));
        var others = Json("inspect", exp).GetProperty("other_tensors").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.DoesNotContain("modrelu_bias_l0", others);            // the module's own
        Assert.Contains("readout.weight", others);
        var used = CliJson.Envelope(Json("flow", "--model", exp, "--seq", "4"));
        Assert.Equal((false, true), (used.GetProperty("bias").GetBoolean(), used.GetProperty("modrelu_bias").GetBoolean()));
        var (code, table, err) = CliProcess.Run(tmp.Dir, new Dictionary<string, string?> { ["COLUMNS"] = "200" }, "inspect", exp);
        Assert.True(code == 0, err);
        Assert.Contains("modrelu_bias only (bias_ih, bias_hh ignored)", table);
        Assert.DoesNotContain("│ yes", table);

        var relu = Json("inspect", Trained(tmp, "relu")).GetProperty("modules")[0];
        Assert.True(relu.GetProperty("bias").GetBoolean());
        Assert.False(relu.TryGetProperty("modrelu_bias", out _));
        Assert.False(relu.TryGetProperty("ignored_tensors", out _));
    }

    [Fact]
    public void Flow_of_a_whole_module_over_a_batch_matches_autograd_and_says_what_it_used()
    {
        using var tmp = new Fixtures.Fixture.TempFolder();
        var e = SafeTensors.Read(ModuleFixtureTests.Path("net_lstm2.expected"));
        var x = e["x"];
        Npy.Write(tmp.File("x.npy"), x.Shape, x.Data);
        var j = Json("flow", "--model", ModuleFixtureTests.Path("net_lstm2"), "--inputs", tmp.File("x.npy"), "--exact");
        var used = CliJson.Envelope(j);
        Assert.Equal("rnn", used.GetProperty("module").GetString());
        Assert.Equal((2, 2), (j.GetProperty("batch").GetInt32(), used.GetProperty("batch").GetInt32()));
        Assert.Equal(tmp.File("x.npy"), used.GetProperty("inputs").GetString());
        Assert.Equal((2, x.Shape[0]), (used.GetProperty("num_layers").GetInt32(), used.GetProperty("seq").GetInt32()));
        Assert.False(used.TryGetProperty("hidden", out _), "a generated network's --hidden does not apply to --model");
        var layers = j.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(["l0", "l1"], layers.Select(l => l.GetProperty("name").GetString()));
        foreach (var layer in layers)
            foreach (string key in new[] { "spectral_norm", "frobenius_norm", "cell_spectral_norm", "hidden_from_cell_spectral_norm", "state_spectral_norm", "cell_path_norm" })
                CheckMean(e, $"flow.{layer.GetProperty("name").GetString()}.{key}", layer, key);
        CheckMean(e, "flow.l1.spectral_norm", j, "spectral_norm");            // top-level keys: the top layer
        CheckMean(e, "input_spectral_norm", j, "input_spectral_norm");
        var depth = j.GetProperty("depth_time").EnumerateArray().ToList();
        for (int l = 0; l < 2; l++) CheckMean(e, $"depth_time.l{l}", depth[l], "spectral_norm");
        Assert.Equal(JsonValueKind.Null, layers[0].GetProperty("log10_hidden_from_cell_spectral_norm")[0].ValueKind);   // ∂h_T/∂c_T = 0
        Assert.Equal([0], layers[0].GetProperty("log10_hidden_from_cell_spectral_norm_zero_at").EnumerateArray().Select(v => v.GetInt32()));
    }

    /// <summary>log10_KEY is the mean over sequences of log10 of the reference, with _min and _max.</summary>
    static void CheckMean(SafeTensorsFile e, string reference, JsonElement o, string key)
    {
        var t = e[reference];
        int B = t.Shape[0], T = t.Shape[1];
        double[] mean = CliJson.Log10(o, "log10_" + key), min = CliJson.Log10(o, $"log10_{key}_min"), max = CliJson.Log10(o, $"log10_{key}_max");
        for (int k = 0; k < T; k++)
        {
            var logs = Enumerable.Range(0, B).Select(b => Math.Log10(t.Data[b * T + k])).ToArray();
            if (double.IsNegativeInfinity(logs.Average())) { Assert.True(double.IsNegativeInfinity(mean[k]), $"{reference}[{k}]"); continue; }
            Assert.True(Math.Abs(logs.Average() - mean[k]) < 1e-9, $"{reference}[{k}]: mean {mean[k]} vs {logs.Average()}");
            Assert.True(Math.Abs(logs.Min() - min[k]) < 1e-9 && Math.Abs(logs.Max() - max[k]) < 1e-9, $"{reference}[{k}] min/max");
        }
    }

    [Fact]
    public void The_nonlinearity_comes_from_the_file_or_cell_and_a_conflict_is_refused()
    {
        string relu = ModuleFixtureTests.Path("relu_rnn");
        var assumed = Json("flow", "--model", relu, "--seq", "12");
        Assert.Equal("assumed", CliJson.Envelope(assumed).GetProperty("nonlinearity_source").GetString());
        Assert.Equal("tanh", CliJson.Envelope(assumed).GetProperty("nonlinearity").GetString());
        var chosen = Json("flow", "--model", relu, "--seq", "12", "--cell", "relu");
        Assert.Equal("option", CliJson.Envelope(chosen).GetProperty("nonlinearity_source").GetString());
        Assert.Equal("relu", CliJson.Envelope(chosen).GetProperty("cell").GetString());
        Assert.NotEqual(CliJson.Log10(assumed, "log10_spectral_norm")[5], CliJson.Log10(chosen, "log10_spectral_norm")[5]);
        var stated = Json("flow", "--model", Fixtures.Fixture.Path("rnn.safetensors"), "--seq", "12");
        Assert.Equal("metadata", CliJson.Envelope(stated).GetProperty("nonlinearity_source").GetString());
        var (code, output, err) = CliErrorTests.Run("flow", "--model", Fixtures.Fixture.Path("rnn.safetensors"), "--cell", "relu");
        Assert.Equal((2, ""), (code, output));
        Assert.Equal("rnnlab: rnn.safetensors: the file's metadata says nonlinearity tanh but --cell asks for relu", err.TrimEnd());
    }

    [Theory]
    [InlineData("two_modules.safetensors holds 2 recurrent modules ('decoder', 'encoder'): choose one with --module NAME", "flow", "--model", "@two_modules")]
    [InlineData("no recurrent module named 'rnn' (the file holds 'decoder', 'encoder')", "spectrum", "--model", "@two_modules", "--module", "rnn")]
    [InlineData("--rho describes a generated network and cannot apply to --model", "flow", "--model", "@net_lstm2", "--rho", "0.9")]
    [InlineData("--init describes a generated network and cannot apply to --model", "spectrum", "--model", "@net_lstm2", "--init", "xavier")]
    [InlineData("--hidden describes a generated network and cannot apply to --model", "flow", "--model", "@net_lstm2", "--hidden", "8")]
    [InlineData("--input describes a generated network and cannot apply to --model", "flow", "--model", "@net_lstm2", "--input", "3")]
    [InlineData("--module names a module of --model: give --model FILE too", "flow", "--module", "rnn")]
    [InlineData("--h0 applies to --model only", "flow", "--h0", "h.npy")]
    [InlineData("is a lstm (weight_hh is [4·4, 4]), not a gru", "forward", "--model", "@net_lstm2", "--cell", "gru", "--inputs", "x.npy", "--out", "y.npy")]
    [InlineData("--c0: a gru has no cell state", "flow", "--model", "@dp_bigru", "--c0", "c.npy")]
    [InlineData("y.txt: the file must end in .npy", "forward", "--model", "@net_lstm2", "--inputs", "x.npy", "--out", "y.txt")]
    [InlineData("proj_size 2: its W_hh gate blocks are [4, 2], not square", "spectrum", "--model", "@lstm2_bi_proj")]
    [InlineData("weight_hh_l1 without weight_ih_l1", "flow", "--model", "@missing_ih_l1")]
    public void Bad_requests_are_one_line_and_exit_2(string message, params string[] args)
    {
        args = [.. args.Select(a => a.StartsWith('@') ? ModuleFixtureTests.Path(a[1..]) : a)];
        var (code, output, err) = CliErrorTests.Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(message, err);
        Assert.Single(err.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Initial_states_of_the_wrong_shape_are_refused_before_any_work()
    {
        using var tmp = new Fixtures.Fixture.TempFolder();
        Npy.Write(tmp.File("x.npy"), [5, 2, 3], new double[30]);
        Npy.Write(tmp.File("h0.npy"), [1, 2, 4], new double[8]);
        var (code, _, err) = CliErrorTests.Run("forward", "--model", ModuleFixtureTests.Path("net_lstm2"), "--inputs", tmp.File("x.npy"), "--out", tmp.File("y.npy"), "--h0", tmp.File("h0.npy"));
        Assert.Equal(2, code);
        Assert.Contains("h0.npy: h0 must have shape [2, 2, 4] (layers × directions, batch, size), file has (1, 2, 4)", err);
        Assert.False(File.Exists(tmp.File("y.npy")));
    }

    static double[] Transpose(double[] a, int n0, int n1, int w)
    {
        var r = new double[a.Length];
        for (int i = 0; i < n0; i++)
            for (int j = 0; j < n1; j++) a.AsSpan((i * n1 + j) * w, w).CopyTo(r.AsSpan((j * n0 + i) * w, w));
        return r;
    }

    static double MaxAbs(double[] a, double[] b) => a.Zip(b, (p, q) => Math.Abs(p - q)).Max();
}
