namespace RnnLab.Models;

/// <summary>A tensor whose dtype RnnLab does not read (U8, I8, BOOL, …): its name, dtype and shape only.</summary>
public sealed record UnreadableTensor(string Name, string DType, int[] Shape)
{
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>
/// The contents of a safetensors file: its tensors in file order and its <c>__metadata__</c>. Tensors of a dtype
/// RnnLab does not read are listed in <see cref="Unreadable"/> and fail only when asked for by name.
/// </summary>
public sealed class SafeTensorsFile
{
    readonly Dictionary<string, NamedTensor> _byName;
    readonly Dictionary<string, UnreadableTensor> _unreadable;

    public string FileName { get; }
    public IReadOnlyList<NamedTensor> Tensors { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    public IReadOnlyList<UnreadableTensor> Unreadable { get; }

    public SafeTensorsFile(string fileName, IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string> metadata,
        IReadOnlyList<UnreadableTensor>? unreadable = null)
    {
        FileName = fileName;
        Tensors = tensors;
        Metadata = metadata;
        Unreadable = unreadable ?? [];
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _unreadable = Unreadable.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public bool Contains(string name) => _byName.ContainsKey(name) || _unreadable.ContainsKey(name);

    /// <summary>Every tensor name in the file, readable or not.</summary>
    public IEnumerable<string> Names => Tensors.Select(t => t.Name).Concat(Unreadable.Select(t => t.Name));

    public bool TryGet(string name, out NamedTensor tensor)
    {
        if (_unreadable.ContainsKey(name)) _ = this[name];
        return _byName.TryGetValue(name, out tensor!);
    }

    /// <summary>The named tensor; <see cref="InvalidDataException"/> "file: missing tensor name" when absent.</summary>
    public NamedTensor this[string name] =>
        _byName.TryGetValue(name, out var t) ? t
        : _unreadable.TryGetValue(name, out var u) ? throw new InvalidDataException($"{FileName}: {name}: dtype {u.DType} is not supported (RnnLab reads F64, F32, F16, BF16, I64, I32)")
        : throw new InvalidDataException($"{FileName}: missing tensor {name}");

    /// <summary>The named tensor with its shape checked exactly: "file: name: expected [5, 3], file has [4, 3]".</summary>
    public NamedTensor Get(string name, params int[] shape)
    {
        var t = this[name];
        if (!t.Shape.AsSpan().SequenceEqual(shape))
            throw new InvalidDataException($"{FileName}: {name}: expected [{string.Join(", ", shape)}], file has {t.ShapeText}");
        return t;
    }
}
