using System.Numerics;

namespace RnnLab.Models;

/// <summary>
/// One tensor of a safetensors file: name, shape and row-major values widened to double (exact for F32, F16,
/// BF16 and I32), plus the dtype it was stored in or is to be stored in.
/// </summary>
public sealed record NamedTensor(string Name, int[] Shape, double[] Data, SafeTensorDType DType = SafeTensorDType.F32)
{
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    public static NamedTensor From<T>(Parameter<T> p, SafeTensorDType dtype = SafeTensorDType.F32) where T : unmanaged, IFloatingPointIeee754<T>
        => From(p.Name, p.Shape, p.Value, dtype);

    public static NamedTensor From<T>(string name, int[] shape, ReadOnlySpan<T> values, SafeTensorDType dtype = SafeTensorDType.F32) where T : IFloatingPointIeee754<T>
    {
        var data = new double[values.Length];
        for (int i = 0; i < data.Length; i++) data[i] = double.CreateTruncating(values[i]);
        return new NamedTensor(name, (int[])shape.Clone(), data, dtype);
    }

    /// <summary>The values converted to <typeparamref name="T"/> (a fresh array).</summary>
    public T[] To<T>() where T : IFloatingPointIeee754<T>
    {
        var result = new T[Data.Length];
        for (int i = 0; i < result.Length; i++) result[i] = T.CreateTruncating(Data[i]);
        return result;
    }
}
