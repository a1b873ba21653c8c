using RnnLab.Models;
using RnnLab.Tests.Analysis;

namespace RnnLab.Tests.Models;

/// <summary>Checkpoints as PyTorch writes them (Fixtures/make_module_fixtures.py): found, described, or refused with one line.</summary>
public class CheckpointTests
{
    [Theory]
    [InlineData("net_lstm2", "rnn", CellKind.Lstm, 3, 4, 2, 1, true, 0, "F32", false)]
    [InlineData("dp_bigru", "module.rnn", CellKind.Gru, 3, 4, 1, 2, true, 0, "F32", false)]
    [InlineData("lstm2_bi_proj", "", CellKind.Lstm, 3, 4, 2, 2, true, 2, "F32", false)]
    [InlineData("relu_rnn", "", CellKind.Rnn, 3, 4, 1, 1, true, 0, "F32", false)]
    [InlineData("lstm_nobias", "", CellKind.Lstm, 3, 4, 1, 1, false, 0, "F32", false)]
    [InlineData("gru_nobias", "", CellKind.Gru, 3, 4, 1, 1, false, 0, "F32", false)]
    [InlineData("lstmcell", "", CellKind.Lstm, 3, 4, 1, 1, true, 0, "F32", true)]
    [InlineData("gru_f16", "", CellKind.Gru, 3, 4, 1, 1, true, 0, "F16", false)]
    [InlineData("lstm_bf16", "", CellKind.Lstm, 3, 4, 1, 1, true, 0, "BF16", false)]
    public void Finds_the_module_PyTorch_saved(string file, string name, CellKind kind, int input, int hidden, int layers, int directions,
        bool bias, int proj, string dtype, bool cellStyle)
    {
        var contents = Checkpoint.Inspect(SafeTensors.Read(ModuleFixtureTests.Path(file)));
        var m = Assert.Single(contents.Modules);
        Assert.Equal(new RecurrentModule(name, kind, input, hidden, layers, directions, bias, proj, dtype, cellStyle, null), m);
        Assert.Same(m, Checkpoint.Select(contents, null));
        Assert.Same(m, Checkpoint.Select(contents, name));
    }

    [Fact]
    public void A_whole_model_lists_its_other_tensors()
    {
        var contents = Checkpoint.Inspect(SafeTensors.Read(ModuleFixtureTests.Path("net_lstm2")));
        Assert.Equal(["emb.weight", "fc.bias", "fc.weight"], contents.OtherTensors.Select(t => t.Name).Order());
        Assert.Equal([2, 4], contents.OtherTensors.Single(t => t.Name == "fc.weight").Shape);
    }

    [Fact]
    public void Two_modules_and_no_name_is_refused_with_both_names()
    {
        var contents = Checkpoint.Inspect(SafeTensors.Read(ModuleFixtureTests.Path("two_modules")));   // also holds a U8 tensor
        Assert.Equal(["decoder", "encoder"], contents.Modules.Select(m => m.Name));
        var e = Assert.Throws<InvalidInputException>(() => Checkpoint.Select(contents, null));
        Assert.Equal("two_modules.safetensors holds 2 recurrent modules ('decoder', 'encoder'): choose one with --module NAME", e.Message);
        Assert.Equal(CellKind.Lstm, Checkpoint.Select(contents, "decoder").Kind);
        e = Assert.Throws<InvalidInputException>(() => Checkpoint.Select(contents, "rnn"));
        Assert.Contains("no recurrent module named 'rnn' (the file holds 'decoder', 'encoder')", e.Message);
        Assert.Contains(contents.OtherTensors, t => t is { Name: "step", DType: "U8" });
    }

    [Theory]
    [InlineData("missing_ih_l1", "missing_ih_l1.safetensors: weight_hh_l1 without weight_ih_l1")]
    [InlineData("reverse_only", "reverse_only.safetensors: weight_ih_l0_reverse has no forward direction (weight_ih_l0 is missing)")]
    [InlineData("two_gates", "two_gates.safetensors: weight_hh_l0 has shape [8, 4]: 8 rows is not G·H for H = 4 and a cell (rnn G = 1, gru 3, lstm 4)")]
    public void Malformed_shapes_get_one_line_naming_the_tensor(string file, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Inspect(SafeTensors.Read(ModuleFixtureTests.Path(file))));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Nonlinearity_comes_from_metadata_or_the_option_and_a_conflict_is_an_error()
    {
        var relu = Checkpoint.Select(Checkpoint.Inspect(SafeTensors.Read(ModuleFixtureTests.Path("relu_rnn"))), null);
        Assert.Equal((Nonlinearity.Tanh, NonlinearitySource.Assumed), Checkpoint.ResolveNonlinearity("f", relu, null));
        Assert.Equal((Nonlinearity.Relu, NonlinearitySource.Option), Checkpoint.ResolveNonlinearity("f", relu, (CellKind.Rnn, Nonlinearity.Relu)));
        var tanhFile = Checkpoint.Select(Checkpoint.Inspect(SafeTensors.Read(Fixtures.Fixture.Path("rnn.safetensors"))), null);   // metadata: tanh
        Assert.Equal(Nonlinearity.Tanh, tanhFile.StatedNonlinearity);
        Assert.Equal((Nonlinearity.Tanh, NonlinearitySource.Metadata), Checkpoint.ResolveNonlinearity("f", tanhFile, (CellKind.Rnn, Nonlinearity.Tanh)));
        var e = Assert.Throws<InvalidInputException>(() => Checkpoint.ResolveNonlinearity("rnn.safetensors", tanhFile, (CellKind.Rnn, Nonlinearity.Relu)));
        Assert.Equal("rnn.safetensors: the file's metadata says nonlinearity tanh but --cell asks for relu", e.Message);
        var lstm = Checkpoint.Select(Checkpoint.Inspect(SafeTensors.Read(ModuleFixtureTests.Path("lstm_nobias"))), null);
        e = Assert.Throws<InvalidInputException>(() => Checkpoint.ResolveNonlinearity("lstm_nobias.safetensors", lstm, (CellKind.Gru, Nonlinearity.Tanh)));
        Assert.Equal("lstm_nobias.safetensors: module (top level) is a lstm (weight_hh is [4·4, 4]), not a gru", e.Message);
    }
}
