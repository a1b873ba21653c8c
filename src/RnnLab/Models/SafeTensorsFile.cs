namespace RnnLab.Models;

/// <summary>The contents of a safetensors file: its tensors in file order and its <c>__metadata__</c>.</summary>
public sealed class SafeTensorsFile
{
    readonly Dictionary<string, NamedTensor> _byName;

    public string FileName { get; }
    public IReadOnlyList<NamedTensor> Tensors { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public SafeTensorsFile(string fileName, IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        FileName = fileName;
        Tensors = tensors;
        Metadata = metadata;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public bool Contains(string name) => _byName.ContainsKey(name);

    public bool TryGet(string name, out NamedTensor tensor) => _byName.TryGetValue(name, out tensor!);

    /// <summary>The named tensor; <see cref="InvalidDataException"/> "file: missing tensor name" when absent.</summary>
    public NamedTensor this[string name] =>
        _byName.TryGetValue(name, out var t) ? t : throw new InvalidDataException($"{FileName}: missing tensor {name}");

    /// <summary>The named tensor with its shape checked exactly: "file: name: expected [5, 3], file has [4, 3]".</summary>
    public NamedTensor Get(string name, params int[] shape)
    {
        var t = this[name];
        if (!t.Shape.AsSpan().SequenceEqual(shape))
            throw new InvalidDataException($"{FileName}: {name}: expected [{string.Join(", ", shape)}], file has {t.ShapeText}");
        return t;
    }
}
