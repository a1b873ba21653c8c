namespace RnnLab.Numerics;

/// <summary>
/// An n-dimensional array read from a .npy file: C-order (row-major) values widened to double, which holds
/// every float32, float64 and int32 value exactly (and int64 up to 2⁵³).
/// </summary>
public sealed class NpyArray
{
    public int[] Shape { get; }
    /// <summary>The values in C order, length = product of <see cref="Shape"/> (1 for a 0-d array).</summary>
    public double[] Data { get; }
    /// <summary>The file's dtype descriptor, e.g. "&lt;f4".</summary>
    public string DType { get; }

    public NpyArray(int[] shape, double[] data, string dtype = "<f8")
    {
        long count = 1;
        foreach (int d in shape) count *= d;
        if (count != data.Length) throw new ArgumentException($"shape {Npy.ShapeText(shape)} holds {count} values but {data.Length} were given");
        Shape = shape;
        Data = data;
        DType = dtype;
    }

    public int Count => Data.Length;
    public int Rank => Shape.Length;
    public string ShapeText => Npy.ShapeText(Shape);

    /// <summary>The values narrowed to float32 (a fresh array).</summary>
    public float[] ToSingle()
    {
        var result = new float[Data.Length];
        for (int i = 0; i < result.Length; i++) result[i] = (float)Data[i];
        return result;
    }
}
