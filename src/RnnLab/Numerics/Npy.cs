using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace RnnLab.Numerics;

/// <summary>
/// NumPy's .npy format (numpy.lib.format, versions 1.0, 2.0 and 3.0): the magic "\x93NUMPY", a version, a
/// little-endian header length (2 bytes in 1.0, 4 in 2.0/3.0), a Python dict literal
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c> padded with spaces to a multiple
/// of 64 bytes and ended by '\n', then the raw values.
/// Reads &lt;f4, &lt;f8, &lt;i4, &lt;i8 in C order; writes &lt;f4 or &lt;f8, version 1.0 unless the header needs more.
/// </summary>
public static class Npy
{
    static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    const int Alignment = 64;

    public static NpyArray Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, Path.GetFileName(path));
    }

    /// <summary>Reads one array; <paramref name="name"/> starts every error message.</summary>
    public static NpyArray Read(Stream stream, string name)
    {
        Span<byte> lead = stackalloc byte[8];
        if (!ReadFully(stream, lead)) throw Bad(name, "file is shorter than the 8-byte .npy preamble");
        if (!lead[..6].SequenceEqual(Magic)) throw Bad(name, "not a .npy file (magic string \\x93NUMPY missing)");
        byte major = lead[6], minor = lead[7];
        int lengthBytes = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw Bad(name, $"unsupported .npy format version {major}.{minor} (RnnLab reads 1.0, 2.0 and 3.0)"),
        };
        Span<byte> lengthField = stackalloc byte[4];
        if (!ReadFully(stream, lengthField[..lengthBytes])) throw Bad(name, "file ends inside the header length");
        long headerLength = lengthBytes == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(lengthField) : BinaryPrimitives.ReadUInt32LittleEndian(lengthField);
        if (stream.CanSeek && headerLength > stream.Length - stream.Position)
            throw Bad(name, $"header length {headerLength} is larger than the rest of the file ({stream.Length - stream.Position} bytes)");
        var headerBytes = new byte[headerLength];
        if (!ReadFully(stream, headerBytes)) throw Bad(name, "file ends inside the header");
        // Versions 1.0 and 2.0 promise latin-1 (in practice ASCII); 3.0 allows UTF-8.
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (descr, fortran, shape) = ParseHeader(header, name);

        if (fortran) throw Bad(name, "fortran_order=True is not supported; save the array in C order (np.ascontiguousarray)");
        if (descr.Length < 2) throw Bad(name, $"unknown dtype '{descr}'");
        if (descr[0] == '>') throw Bad(name, $"big-endian dtype '{descr}' is not supported; convert with arr.astype('<{descr[1..]}')");
        string kind = descr[0] is '<' or '=' or '|' ? descr[1..] : descr;
        int itemSize = kind switch
        {
            "f4" or "i4" => 4,
            "f8" or "i8" => 8,
            _ => throw Bad(name, $"dtype '{descr}' is not supported (RnnLab reads <f4, <f8, <i4, <i8)"),
        };

        long count = 1;
        foreach (int d in shape) count *= d;
        if (count > Array.MaxLength) throw Bad(name, $"shape {ShapeText(shape)} is too large");
        long expectedBytes = count * itemSize;
        if (stream.CanSeek)
        {
            long available = stream.Length - stream.Position;
            if (available != expectedBytes)
                throw Bad(name, $"header says shape {ShapeText(shape)} ({count} values of {itemSize} bytes) but the file holds {available / itemSize} values" + (available % itemSize != 0 ? $" and {available % itemSize} stray bytes" : ""));
        }
        var raw = new byte[expectedBytes];
        if (!ReadFully(stream, raw)) throw Bad(name, $"header says shape {ShapeText(shape)} but the file ends before {count} values");

        var data = new double[count];
        for (int i = 0; i < data.Length; i++)
        {
            ReadOnlySpan<byte> b = raw.AsSpan(i * itemSize, itemSize);
            data[i] = kind switch
            {
                "f4" => BinaryPrimitives.ReadSingleLittleEndian(b),
                "f8" => BinaryPrimitives.ReadDoubleLittleEndian(b),
                "i4" => BinaryPrimitives.ReadInt32LittleEndian(b),
                _ => BinaryPrimitives.ReadInt64LittleEndian(b),
            };
        }
        return new NpyArray(shape, data, "<" + kind);
    }

    public static void Write(string path, int[] shape, ReadOnlySpan<float> data)
    {
        byte[] bytes = Encode(shape, data.Length, "<f4", 4);
        int offset = bytes.Length - data.Length * 4;
        for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(offset + 4 * i), data[i]);
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    public static void Write(string path, int[] shape, ReadOnlySpan<double> data)
    {
        byte[] bytes = Encode(shape, data.Length, "<f8", 8);
        int offset = bytes.Length - data.Length * 8;
        for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(offset + 8 * i), data[i]);
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    /// <summary>Preamble and header, followed by room for the values.</summary>
    static byte[] Encode(int[] shape, int count, string descr, int itemSize)
    {
        long expected = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"shape {ShapeText(shape)} has a negative dimension");
            expected *= d;
        }
        if (expected != count) throw new ArgumentException($"shape {ShapeText(shape)} holds {expected} values but {count} were given");
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {ShapeText(shape)}, }}";
        // Version 1.0 stores the header length in 2 bytes; longer headers (very high rank) need 2.0.
        int major = dict.Length + 1 + 10 + Alignment > ushort.MaxValue ? 2 : 1;
        int preamble = major == 1 ? 10 : 12;
        int padded = (preamble + dict.Length + 1 + Alignment - 1) / Alignment * Alignment;
        string header = dict.PadRight(padded - preamble - 1) + "\n";
        var bytes = new byte[padded + (long)count * itemSize];
        Magic.CopyTo(bytes, 0);
        bytes[6] = (byte)major;
        bytes[7] = 0;
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)header.Length);
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(preamble));
        return bytes;
    }

    /// <summary>NumPy's spelling of a shape: (), (5,), (3, 4).</summary>
    public static string ShapeText(ReadOnlySpan<int> shape) => shape.Length switch
    {
        0 => "()",
        1 => $"({shape[0]},)",
        _ => "(" + string.Join(", ", shape.ToArray()) + ")",
    };

    /// <summary>
    /// Parses the header dict. It is a Python literal, not JSON (single quotes, True/False, tuples), so this is a
    /// small tokenizer for exactly the three keys NumPy writes.
    /// </summary>
    static (string Descr, bool Fortran, int[] Shape) ParseHeader(string header, string name)
    {
        var p = new HeaderParser(header, name);
        string? descr = null;
        bool? fortran = null;
        int[]? shape = null;
        p.Expect('{');
        while (!p.TryConsume('}'))
        {
            string key = p.String();
            p.Expect(':');
            switch (key)
            {
                case "descr": descr = p.String(); break;
                case "fortran_order": fortran = p.Bool(); break;
                case "shape": shape = p.Tuple(); break;
                default: throw Bad(name, $"unexpected header key '{key}'");
            }
            if (!p.TryConsume(',')) { p.Expect('}'); break; }
        }
        if (descr is null) throw Bad(name, "header has no 'descr'");
        if (fortran is null) throw Bad(name, "header has no 'fortran_order'");
        if (shape is null) throw Bad(name, "header has no 'shape'");
        return (descr, fortran.Value, shape);
    }

    sealed class HeaderParser(string text, string name)
    {
        int _pos;

        void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        public bool TryConsume(char c)
        {
            SkipSpace();
            if (_pos < text.Length && text[_pos] == c) { _pos++; return true; }
            return false;
        }

        public void Expect(char c)
        {
            if (!TryConsume(c)) throw Bad(name, $"malformed header: expected '{c}' at offset {_pos} in {Quote()}");
        }

        public string String()
        {
            SkipSpace();
            if (_pos >= text.Length || text[_pos] is not ('\'' or '"')) throw Bad(name, $"malformed header: expected a quoted string at offset {_pos} in {Quote()}");
            char quote = text[_pos++];
            int end = text.IndexOf(quote, _pos);
            if (end < 0) throw Bad(name, $"malformed header: unterminated string in {Quote()}");
            string s = text[_pos..end];
            _pos = end + 1;
            return s;
        }

        public bool Bool()
        {
            SkipSpace();
            if (Matches("True")) return true;
            if (Matches("False")) return false;
            throw Bad(name, $"malformed header: expected True or False at offset {_pos} in {Quote()}");
        }

        bool Matches(string word)
        {
            if (string.CompareOrdinal(text, _pos, word, 0, word.Length) != 0) return false;
            _pos += word.Length;
            return true;
        }

        public int[] Tuple()
        {
            Expect('(');
            var dims = new List<int>();
            while (!TryConsume(')'))
            {
                SkipSpace();
                int start = _pos;
                while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
                // Python 2 era writers append 'L' to longs.
                string digits = text[start.._pos];
                if (_pos < text.Length && text[_pos] == 'L') _pos++;
                if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int d))
                    throw Bad(name, $"malformed header: bad dimension at offset {start} in {Quote()}");
                dims.Add(d);
                if (!TryConsume(',')) { Expect(')'); break; }
            }
            return [.. dims];
        }

        string Quote() => "\"" + text.TrimEnd() + "\"";
    }

    static bool ReadFully(Stream stream, Span<byte> buffer)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = stream.Read(buffer[read..]);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }

    static InvalidDataException Bad(string name, string problem) => new($"{name}: {problem}");
}
