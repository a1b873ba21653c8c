using System.Buffers.Binary;
using System.Text;
using RnnLab.Models;
using RnnLab.Tests.Fixtures;

namespace RnnLab.Tests.Models;

public class SafeTensorsTests
{
    [Fact]
    public void Round_trips_tensors_metadata_and_dtypes()
    {
        using var tmp = new Fixture.TempFolder();
        var a = new NamedTensor("a", [2, 3], [1, 2, 3, 4, 5, 6.5]);
        var b = new NamedTensor("b.double", [3], [Math.PI, -1e-300, 0], SafeTensorDType.F64);
        var s = new NamedTensor("scalar", [], [42]);
        SafeTensors.Write(tmp.File("m.safetensors"), [a, b, s], new Dictionary<string, string> { ["cell"] = "gru", ["note"] = "ünïcode" });

        var file = SafeTensors.Read(tmp.File("m.safetensors"));
        Assert.Equal("gru", file.Metadata["cell"]);
        Assert.Equal("ünïcode", file.Metadata["note"]);
        Assert.Equal(a.Data, file["a"].Data);
        Assert.Equal(SafeTensorDType.F32, file["a"].DType);
        Assert.Equal(b.Data, file["b.double"].Data);   // F64 exact
        Assert.Equal(SafeTensorDType.F64, file["b.double"].DType);
        Assert.Equal([], file["scalar"].Shape);
        Assert.Equal([42.0], file["scalar"].Data);

        byte[] bytes = File.ReadAllBytes(tmp.File("m.safetensors"));
        long n = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);                         // data section 8-byte aligned
        Assert.Equal(bytes.Length, 8 + n + 6 * 4 + 3 * 8 + 4); // no holes
        Assert.Single(Directory.GetFiles(tmp.Dir));     // atomic write leaves no temp file
    }

    [Fact]
    public void Reads_F16_and_BF16()
    {
        byte[] f16 = new byte[4], bf16 = new byte[4];
        BinaryPrimitives.WriteHalfLittleEndian(f16, (Half)1.5);
        BinaryPrimitives.WriteHalfLittleEndian(f16.AsSpan(2), (Half)(-0.25));
        BinaryPrimitives.WriteUInt16LittleEndian(bf16, (ushort)(BitConverter.SingleToInt32Bits(3.0f) >> 16));
        BinaryPrimitives.WriteUInt16LittleEndian(bf16.AsSpan(2), (ushort)(BitConverter.SingleToInt32Bits(-2.0f) >> 16));
        var file = SafeTensors.Read(Craft("""{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]}}""", [.. f16, .. bf16]), "m");
        Assert.Equal([1.5, -0.25], file["h"].Data);
        Assert.Equal([3.0, -2.0], file["b"].Data);
    }

    [Fact]
    public void LoadInto_fills_parameters_and_names_missing_or_misshaped_tensors()
    {
        using var tmp = new Fixture.TempFolder();
        var layer = RecurrentLayer<float>.Create(CellKind.Lstm, 3, 5);
        var values = layer.Parameters.Select(p => Enumerable.Range(0, p.Size).Select(i => (float)(i * 0.01)).ToArray()).ToList();
        for (int k = 0; k < values.Count; k++) values[k].CopyTo(layer.Parameters[k].Value, 0);
        SafeTensors.Save(tmp.File("lstm.safetensors"), layer.Parameters);

        var fresh = RecurrentLayer<float>.Create(CellKind.Lstm, 3, 5);
        SafeTensors.LoadInto(tmp.File("lstm.safetensors"), fresh.Parameters);
        for (int k = 0; k < values.Count; k++) Assert.Equal(values[k], fresh.Parameters[k].Value);

        var wrongHidden = RecurrentLayer<float>.Create(CellKind.Lstm, 3, 4);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.LoadInto(tmp.File("lstm.safetensors"), wrongHidden.Parameters));
        Assert.Equal("lstm.safetensors: weight_ih_l0: expected [16, 3], file has [20, 3]", e.Message);
        Assert.All(wrongHidden.Parameters, p => Assert.All(p.Value, v => Assert.Equal(0f, v))); // nothing half-loaded

        SafeTensors.Write(tmp.File("partial.safetensors"), layer.Parameters.Where(p => p.Name != "bias_ih_l0").Select(p => NamedTensor.From(p)));
        e = Assert.Throws<InvalidDataException>(() => SafeTensors.LoadInto(tmp.File("partial.safetensors"), fresh.Parameters));
        Assert.Equal("partial.safetensors: missing tensor bias_ih_l0", e.Message);
    }

    [Fact]
    public void LoadInto_rejects_non_finite_weights()
    {
        using var tmp = new Fixture.TempFolder();
        var p = new Parameter<double>("readout.bias", 3);
        SafeTensors.Write(tmp.File("m.safetensors"), [new NamedTensor("readout.bias", [3], [0, double.NaN, 1])]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.LoadInto(tmp.File("m.safetensors"), [p]));
        Assert.Equal("m.safetensors: readout.bias: value at [1] is NaN", e.Message);
    }

    [Fact]
    public void Rejects_truncated_files()
    {
        byte[] good = File.ReadAllBytes(Fixture.Path("gru.safetensors"));
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(good.AsSpan(0, good.Length - 5), "gru.safetensors"));
        Assert.StartsWith("gru.safetensors: ", e.Message);
        Assert.Contains("but the data section holds", e.Message);
        e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(good.AsSpan(0, 5), "gru.safetensors"));
        Assert.Contains("shorter than the 8-byte header length", e.Message);
        e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(good.AsSpan(0, 100), "gru.safetensors"));
        Assert.Contains("is larger than the rest of the file (92 bytes)", e.Message);
    }

    [Theory]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}""", "w: shape [2] of F32 needs 8 bytes but data_offsets span 4")]
    [InlineData("""{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", "w: shape [-1] is not a list of non-negative integers")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}""", "w: data_offsets [4, 0] are not an increasing pair")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1]}}""", "w: data_offsets must be [begin, end]")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"v":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", "tensors w and v overlap")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", "tensor w appears twice")]
    [InlineData("""[1, 2]""", "header is not a JSON object")]
    [InlineData("""{"w": """, "header is not valid JSON")]
    public void Rejects_malformed_headers_with_one_line(string header, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(Craft(header, new byte[8]), "m.safetensors"));
        Assert.StartsWith("m.safetensors: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>A tensor of a dtype RnnLab does not read (an optimizer's U8 counter, say) fails only when asked for.</summary>
    [Fact]
    public void Unread_dtypes_fail_only_when_the_tensor_is_asked_for()
    {
        var file = SafeTensors.Read(Craft("""{"w":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]},"v":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", new byte[8]), "m.safetensors");
        Assert.Equal([0.0], file["v"].Data);
        Assert.Equal(["v", "w"], file.Names.Order());
        var e = Assert.Throws<InvalidDataException>(() => file["w"]);
        Assert.Equal("m.safetensors: w: dtype Q4 is not supported (RnnLab reads F64, F32, F16, BF16, I64, I32)", e.Message);
    }

    [Theory]
    [InlineData("rnn", CellKind.Rnn)]
    [InlineData("lstm", CellKind.Lstm)]
    [InlineData("gru", CellKind.Gru)]
    public void Describes_the_model_from_tensor_shapes(string cell, CellKind kind)
    {
        var m = StoredModel.Describe(Fixture.Path(cell + ".safetensors"));
        Assert.Equal(new StoredModel(kind, Nonlinearity.Tanh, 3, 5, 4), m);
    }

    [Fact]
    public void Describe_reads_relu_from_metadata_and_rejects_impossible_shapes()
    {
        using var tmp = new Fixture.TempFolder();
        var relu = RecurrentLayer<float>.Create(CellKind.Rnn, 2, 6, Nonlinearity.Relu);
        var stored = new StoredModel(CellKind.Rnn, Nonlinearity.Relu, 2, 6, null);
        SafeTensors.Save(tmp.File("relu.safetensors"), relu.Parameters, stored.ToMetadata());
        Assert.Equal(stored, StoredModel.Describe(tmp.File("relu.safetensors")));

        SafeTensors.Write(tmp.File("odd.safetensors"), [new NamedTensor("weight_hh_l0", [10, 5], new double[50]), new NamedTensor("weight_ih_l0", [10, 3], new double[30])]);
        var e = Assert.Throws<InvalidDataException>(() => StoredModel.Describe(tmp.File("odd.safetensors")));
        Assert.Equal("odd.safetensors: weight_hh_l0 has shape [10, 5]: 10 rows is not G·H for H = 5 and a cell (rnn G = 1, gru 3, lstm 4)", e.Message);

        SafeTensors.Write(tmp.File("liar.safetensors"), relu.Parameters.Select(p => NamedTensor.From(p)), new Dictionary<string, string> { ["cell"] = "lstm" });
        e = Assert.Throws<InvalidDataException>(() => StoredModel.Describe(tmp.File("liar.safetensors")));
        Assert.Equal("liar.safetensors: metadata says cell lstm but the weights are a rnn", e.Message);
    }

    /// <summary>
    /// A 2-layer bidirectional LSTM that PyTorch saved (Fixtures/make_stack_fixtures.py), with and without proj_size:
    /// every layer and direction is described, and each description is the shape of that layer's tensors in the file.
    /// </summary>
    [Theory]
    [InlineData("stack_lstm_l2_bi", 0)]
    [InlineData("stack_lstm_l2_bi_proj", 3)]
    public void Describes_every_layer_and_direction_of_a_stack(string name, int proj)
    {
        var file = SafeTensors.Read(Fixture.Path(name + ".safetensors"));
        var m = StoredModel.Describe(file);
        Assert.Equal(new StoredModel(CellKind.Lstm, Nonlinearity.Tanh, 3, 5, 4, Layers: 2, Directions: 2, ProjSize: proj), m);
        int ho = proj > 0 ? proj : 5;
        Assert.Equal(["l0", "l0_reverse", "l1", "l1_reverse"], m.LayerShapes.Select(l => l.Name));
        Assert.Equal([3, 3, 2 * ho, 2 * ho], m.LayerShapes.Select(l => l.InputSize));
        foreach (var l in m.LayerShapes)
        {
            Assert.Equal([4 * l.HiddenSize, l.InputSize], file["weight_ih_" + l.Name].Shape);
            Assert.Equal([4 * l.HiddenSize, l.OutputSize], file["weight_hh_" + l.Name].Shape);
            Assert.Equal([4 * l.HiddenSize], file["bias_hh_" + l.Name].Shape);
            if (proj > 0) Assert.Equal([l.OutputSize, l.HiddenSize], file["weight_hr_" + l.Name].Shape);
        }
        var inspected = Checkpoint.Select(Checkpoint.Inspect(file), null);
        Assert.Equal(inspected.LayerShapes, m.LayerShapes);
    }

    /// <summary>A safetensors file from a header string and a data section.</summary>
    static byte[] Craft(string header, byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }
}
