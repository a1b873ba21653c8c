using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using System.Text.Json;
using RnnLab.Numerics;

namespace RnnLab.Models;

/// <summary>
/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of UTF-8
/// JSON <c>{"name": {"dtype": "F32", "shape": [5, 3], "data_offsets": [begin, end]}, "__metadata__": {...}}</c>
/// padded with spaces, then the byte buffer the offsets index (little-endian, row-major).
/// Parameter names and layouts are PyTorch's, so a <c>torch.nn.LSTM</c> state dict loads without translation.
/// </summary>
public static class SafeTensors
{
    const string MetadataKey = "__metadata__";
    /// <summary>The header is padded so the byte buffer starts 8-byte aligned, as the reference writer does.</summary>
    const int HeaderAlignment = 8;
    /// <summary>The reference implementation's cap on the header, which also guards against absurd lengths.</summary>
    const long MaxHeaderLength = 100_000_000;
    /// <summary>UTF-8 that throws on invalid bytes instead of replacing them.</summary>
    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static SafeTensorsFile Read(string path) => Read(File.ReadAllBytes(path), Path.GetFileName(path));

    /// <summary>Parses a whole file held in memory; <paramref name="name"/> starts every error message.</summary>
    public static SafeTensorsFile Read(ReadOnlySpan<byte> file, string name)
    {
        if (file.Length < 8) throw Bad(name, $"file is {file.Length} bytes, shorter than the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerLength > (ulong)(file.Length - 8))
            throw Bad(name, $"header length {headerLength} is larger than the rest of the file ({file.Length - 8} bytes): truncated or not a safetensors file");
        if (headerLength > MaxHeaderLength) throw Bad(name, $"header length {headerLength} exceeds the {MaxHeaderLength}-byte limit");
        ReadOnlySpan<byte> headerBytes = file.Slice(8, (int)headerLength);
        ReadOnlySpan<byte> buffer = file[(8 + (int)headerLength)..];

        // JsonDocument checks UTF-8 only when a name or string is read, so a damaged byte is caught here, before the JSON.
        try { StrictUtf8.GetCharCount(headerBytes); }
        catch (DecoderFallbackException) { throw Bad(name, "header is not UTF-8 text: the file is damaged or not a safetensors file"); }
        JsonDocument doc;
        try { doc = JsonDocument.Parse(headerBytes.ToArray()); }
        catch (JsonException e) { throw Bad(name, $"header is not valid JSON ({e.Message.Split('\n')[0]})"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad(name, "header is not a JSON object");
            var tensors = new List<NamedTensor>();
            var unreadable = new List<UnreadableTensor>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var extents = new List<(long Begin, long End, string Name)>();
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(entry.Name)) throw Bad(name, $"tensor {entry.Name} appears twice in the header");
                if (entry.Name == MetadataKey)
                {
                    if (entry.Value.ValueKind != JsonValueKind.Object) throw Bad(name, "__metadata__ is not an object");
                    foreach (var m in entry.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw Bad(name, $"__metadata__ value '{m.Name}' is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                var (tensor, other, begin, end) = ParseEntry(entry, buffer, name);
                if (tensor is not null) tensors.Add(tensor);
                if (other is not null) unreadable.Add(other);
                extents.Add((begin, end, entry.Name));
            }
            extents.Sort((a, b) => a.Begin.CompareTo(b.Begin));
            for (int i = 1; i < extents.Count; i++)
                if (extents[i].Begin < extents[i - 1].End)
                    throw Bad(name, $"tensors {extents[i - 1].Name} and {extents[i].Name} overlap in the byte buffer");
            return new SafeTensorsFile(name, tensors, metadata, unreadable);
        }
    }

    /// <summary>
    /// One header entry: its tensor, or, for a dtype RnnLab does not read (an optimizer's U8 step counter, say), a
    /// record of it that fails only when the tensor itself is asked for, so the rest of the file stays readable.
    /// </summary>
    static (NamedTensor?, UnreadableTensor?, long, long) ParseEntry(JsonProperty entry, ReadOnlySpan<byte> buffer, string file)
    {
        string t = entry.Name;
        var v = entry.Value;
        if (v.ValueKind != JsonValueKind.Object) throw Bad(file, $"{t}: header entry is not an object");
        if (!v.TryGetProperty("dtype", out var dtypeJson) || dtypeJson.ValueKind != JsonValueKind.String) throw Bad(file, $"{t}: no dtype");
        string dtypeText = dtypeJson.GetString()!;
        bool readable = SafeTensorDTypes.TryParse(dtypeText, out var dtype);
        if (!v.TryGetProperty("shape", out var shapeJson) || shapeJson.ValueKind != JsonValueKind.Array) throw Bad(file, $"{t}: no shape");
        var shape = new int[shapeJson.GetArrayLength()];
        long count = 1;
        int k = 0;
        foreach (var d in shapeJson.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int dim) || dim < 0) throw Bad(file, $"{t}: shape {shapeJson.GetRawText()} is not a list of non-negative integers");
            shape[k++] = dim;
            count *= dim;
            if (count > Array.MaxLength) throw Bad(file, $"{t}: shape {shapeJson.GetRawText()} is too large");
        }
        if (!v.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || !offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end))
            throw Bad(file, $"{t}: data_offsets must be [begin, end]");
        if (begin < 0 || end < begin) throw Bad(file, $"{t}: data_offsets [{begin}, {end}] are not an increasing pair");
        if (end > buffer.Length) throw Bad(file, $"{t}: data_offsets end at byte {end} but the data section holds {buffer.Length} bytes (truncated file?)");
        if (!readable) return (null, new UnreadableTensor(t, dtypeText, shape), begin, end);
        int item = dtype.ItemSize();
        if (end - begin != count * item)
            throw Bad(file, $"{t}: shape [{string.Join(", ", shape)}] of {dtypeText} needs {count * item} bytes but data_offsets span {end - begin}");

        ReadOnlySpan<byte> bytes = buffer.Slice((int)begin, (int)(end - begin));
        var data = new double[count];
        for (int i = 0; i < data.Length; i++)
        {
            ReadOnlySpan<byte> b = bytes.Slice(i * item, item);
            data[i] = dtype switch
            {
                SafeTensorDType.F64 => BinaryPrimitives.ReadDoubleLittleEndian(b),
                SafeTensorDType.F32 => BinaryPrimitives.ReadSingleLittleEndian(b),
                SafeTensorDType.F16 => (double)BinaryPrimitives.ReadHalfLittleEndian(b),
                // bfloat16 is the top half of a float32.
                SafeTensorDType.BF16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b) << 16),
                SafeTensorDType.I64 => BinaryPrimitives.ReadInt64LittleEndian(b),
                _ => BinaryPrimitives.ReadInt32LittleEndian(b),
            };
        }
        return (new NamedTensor(t, shape, data, dtype), null, begin, end);
    }

    /// <summary>
    /// Writes the tensors (each in its own <see cref="NamedTensor.DType"/>, F32 or F64) atomically. Wider dtypes
    /// go first so every tensor starts aligned to its item size, as the reference writer arranges.
    /// </summary>
    public static void Write(string path, IEnumerable<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in list)
        {
            if (t.Name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor");
            if (!names.Add(t.Name)) throw new ArgumentException($"tensor {t.Name} is given twice");
            if (t.DType is not (SafeTensorDType.F32 or SafeTensorDType.F64)) throw new ArgumentException($"{t.Name}: RnnLab writes F32 or F64, not {t.DType}");
            long count = 1;
            foreach (int d in t.Shape) count *= d;
            if (count != t.Data.Length) throw new ArgumentException($"{t.Name}: shape {t.ShapeText} holds {count} values but {t.Data.Length} were given");
        }
        var ordered = list.OrderByDescending(t => t.DType.ItemSize()).ToList(); // stable: keeps the given order within a dtype

        using var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json, JsonEncoding.Writer()))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in ordered)
            {
                long size = (long)t.Data.Length * t.DType.ItemSize();
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", t.DType.ToString());
                w.WriteStartArray("shape");
                foreach (int d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + size);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += size;
            }
            w.WriteEndObject();
        }
        int headerLength = ((int)json.Length + HeaderAlignment - 1) / HeaderAlignment * HeaderAlignment;

        AtomicFile.Write(path, stream =>
        {
            Span<byte> eight = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(eight, (ulong)headerLength);
            stream.Write(eight);
            stream.Write(json.GetBuffer().AsSpan(0, (int)json.Length));
            for (long i = json.Length; i < headerLength; i++) stream.WriteByte((byte)' ');
            foreach (var t in ordered)
            {
                int item = t.DType.ItemSize();
                var bytes = new byte[t.Data.Length * item];
                for (int i = 0; i < t.Data.Length; i++)
                {
                    if (t.DType == SafeTensorDType.F64) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), t.Data[i]);
                    else BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), (float)t.Data[i]);
                }
                stream.Write(bytes);
            }
        });
    }

    /// <summary>Saves parameters under their own names (F32 unless told otherwise), atomically.</summary>
    public static void Save<T>(string path, IEnumerable<Parameter<T>> parameters, IReadOnlyDictionary<string, string>? metadata = null,
        SafeTensorDType dtype = SafeTensorDType.F32) where T : unmanaged, IFloatingPointIeee754<T>
        => Write(path, parameters.Select(p => NamedTensor.From(p, dtype)), metadata);

    /// <summary>
    /// Fills every parameter from the file, by name, with its exact shape. Everything is checked before anything is
    /// written, so a failed load leaves the parameters untouched. Tensors the model does not name are ignored.
    /// Errors are one line: "model.safetensors: missing tensor bias_ih_l0",
    /// "model.safetensors: weight_hh_l0: expected [512, 128], file has [384, 128]".
    /// </summary>
    public static void LoadInto<T>(string path, IEnumerable<Parameter<T>> parameters) where T : unmanaged, IFloatingPointIeee754<T>
        => LoadInto(Read(path), parameters);

    public static void LoadInto<T>(SafeTensorsFile file, IEnumerable<Parameter<T>> parameters) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var pairs = new List<(Parameter<T> P, NamedTensor T)>();
        foreach (var p in parameters)
        {
            var t = file.Get(p.Name, p.Shape);
            Validate.Finite<double>(t.Data, $"{file.FileName}: {p.Name}", t.Shape);
            pairs.Add((p, t));
        }
        foreach (var (p, t) in pairs)
            for (int i = 0; i < t.Data.Length; i++) p.Value[i] = T.CreateTruncating(t.Data[i]);
    }

    static InvalidDataException Bad(string file, string problem) => new($"{file}: {problem}");
}
