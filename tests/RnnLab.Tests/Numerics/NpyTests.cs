using System.Buffers.Binary;
using System.Text;
using RnnLab.Numerics;
using RnnLab.Models;
using RnnLab.Tests.Fixtures;

namespace RnnLab.Tests.Numerics;

public class NpyTests
{
    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 0 })]
    [InlineData(new[] { 5 })]
    [InlineData(new[] { 3, 4 })]
    [InlineData(new[] { 7, 2, 3 })]
    public void Float_and_double_round_trip(int[] shape)
    {
        using var tmp = new Fixture.TempFolder();
        int n = shape.Aggregate(1, (a, b) => a * b);
        var rng = new SeededRandom(7);
        var d = new double[n];
        rng.FillGaussian<double>(d, 0, 1);
        var f = d.Select(v => (float)v).ToArray();

        Npy.Write(tmp.File("d.npy"), shape, d);
        Npy.Write(tmp.File("f.npy"), shape, f);
        var rd = Npy.Read(tmp.File("d.npy"));
        var rf = Npy.Read(tmp.File("f.npy"));

        Assert.Equal(shape, rd.Shape);
        Assert.Equal(shape, rf.Shape);
        Assert.Equal("<f8", rd.DType);
        Assert.Equal("<f4", rf.DType);
        Assert.Equal(d, rd.Data);
        Assert.Equal(f, rf.ToSingle());
        Assert.Equal(0, (new FileInfo(tmp.File("d.npy")).Length - 8 * n) % 64); // header padded to 64 bytes
        Assert.Equal(2, Directory.GetFiles(tmp.Dir).Length);           // no temporary file left behind
    }

    [Fact]
    public void Reads_what_NumPy_wrote()
    {
        var x = Npy.Read(Fixture.Path("rnn.x.npy"));
        var output = Npy.Read(Fixture.Path("rnn.output.npy"));
        var file = SafeTensors.Read(Fixture.Path("rnn.safetensors"));
        Assert.Equal([7, 2, 3], x.Shape);
        Assert.Equal("<f4", x.DType);
        Assert.Equal(file["fixture.x"].Data, x.Data);
        Assert.Equal("<f8", output.DType);
        Assert.Equal(file["fixture.output"].Data, output.Data);
    }

    [Theory]
    [InlineData("v2.npy")]
    [InlineData("v3.npy")]
    public void Reads_format_versions_2_and_3(string name)
    {
        var a = Npy.Read(Fixture.Path(name));
        Assert.Equal([2, 3], a.Shape);
        Assert.Equal([0, 0.25, 0.5, 0.75, 1.0, 1.25], a.Data);
    }

    [Theory]
    [InlineData("<i4", 4)]
    [InlineData("<i8", 8)]
    public void Reads_integers_as_double(string descr, int size)
    {
        using var tmp = new Fixture.TempFolder();
        var data = new byte[3 * size];
        for (int i = 0; i < 3; i++)
            if (size == 4) BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(4 * i), -i * 1000);
            else BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(8 * i), -i * 1000L);
        File.WriteAllBytes(tmp.File("i.npy"), Handmade($"{{'descr': '{descr}', 'fortran_order': False, 'shape': (3,), }}", data));
        Assert.Equal([0, -1000, -2000], Npy.Read(tmp.File("i.npy")).Data);
    }

    [Theory]
    [InlineData("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", 32, "fortran_order=True is not supported")]
    [InlineData("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 2), }", 32, "big-endian dtype '>f8' is not supported")]
    [InlineData("{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }", 32, "dtype '<c16' is not supported")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }", 80, "header says shape (3, 4) (12 values of 8 bytes) but the file holds 10 values")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 17, "but the file holds 2 values and 1 stray bytes")]
    [InlineData("{'descr': '<f8', 'shape': (2,), }", 16, "header has no 'fortran_order'")]
    [InlineData("{'descr': '<f8' 'fortran_order': False, 'shape': (2,), }", 16, "malformed header: expected '}' at offset 16")]
    public void Rejects_malformed_files_with_one_line(string header, int dataBytes, string expected)
    {
        using var tmp = new Fixture.TempFolder();
        File.WriteAllBytes(tmp.File("x.npy"), Handmade(header, new byte[dataBytes]));
        var e = Assert.Throws<InvalidDataException>(() => Npy.Read(tmp.File("x.npy")));
        Assert.StartsWith("x.npy: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Rejects_a_header_length_beyond_the_file()
    {
        using var tmp = new Fixture.TempFolder();
        byte[] bytes = Handmade("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", new byte[8]);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 60000);
        File.WriteAllBytes(tmp.File("x.npy"), bytes);
        var e = Assert.Throws<InvalidDataException>(() => Npy.Read(tmp.File("x.npy")));
        Assert.Contains("header length 60000 is larger than the rest of the file", e.Message);
    }

    [Fact]
    public void Rejects_files_that_are_not_npy()
    {
        using var tmp = new Fixture.TempFolder();
        File.WriteAllText(tmp.File("x.npy"), "a,b,c\n1,2,3\n");
        Assert.Contains("not a .npy file", Assert.Throws<InvalidDataException>(() => Npy.Read(tmp.File("x.npy"))).Message);
        File.WriteAllBytes(tmp.File("y.npy"), [0x93, (byte)'N']);
        Assert.Contains("shorter than the 8-byte", Assert.Throws<InvalidDataException>(() => Npy.Read(tmp.File("y.npy"))).Message);
    }

    [Fact]
    public void Write_rejects_a_shape_that_does_not_match_the_data()
    {
        var e = Assert.Throws<ArgumentException>(() => Npy.Write("unused.npy", [3, 4], new double[10]));
        Assert.Equal("shape (3, 4) holds 12 values but 10 were given", e.Message);
        Assert.False(File.Exists("unused.npy"));
    }

    [Fact]
    public void NaN_in_inputs_is_named_by_its_index()
    {
        using var tmp = new Fixture.TempFolder();
        var x = new float[7 * 2 * 3];
        x[4 * 6 + 1 * 3 + 2] = float.NaN;
        x[30] = float.PositiveInfinity;
        Npy.Write(tmp.File("inputs.npy"), [7, 2, 3], x);
        var a = Npy.Read(tmp.File("inputs.npy"));
        var e = Assert.Throws<InvalidDataException>(() => Validate.Finite<double>(a.Data, "inputs.npy", a.Shape));
        Assert.Equal("inputs.npy: value at [4, 1, 2] is NaN", e.Message);
        var f = Assert.Throws<InvalidDataException>(() => Validate.Finite<float>(new[] { 1f, float.NegativeInfinity }, "h0"));
        Assert.Equal("h0: value at [1] is -infinity", f.Message);
        Validate.Finite<float>(new[] { 0f, -1f, float.MaxValue }, "fine");
    }

    /// <summary>A version 1.0 file with the given header text (padded as NumPy pads it) and raw data bytes.</summary>
    static byte[] Handmade(string dict, byte[] data)
    {
        int total = (10 + dict.Length + 1 + 63) / 64 * 64;
        string header = dict.PadRight(total - 10 - 1) + "\n";
        var bytes = new byte[total + data.Length];
        bytes[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY", bytes.AsSpan(1));
        bytes[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(10));
        data.CopyTo(bytes, total);
        return bytes;
    }
}
