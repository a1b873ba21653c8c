using System.Numerics;

namespace RnnLab.Models;

/// <summary>
/// A named weight tensor and its gradient, stored flat and row-major. Names follow PyTorch's state dict
/// (<c>weight_ih_l0</c>, <c>readout.weight</c>, ...) so weights move through safetensors unchanged.
/// </summary>
public sealed class Parameter<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name { get; }
    public int[] Shape { get; }
    /// <summary>The values, row-major, length = product of <see cref="Shape"/>.</summary>
    public T[] Value { get; }
    /// <summary>∂L/∂Value, accumulated by backward passes, zeroed by <see cref="ZeroGrad"/>.</summary>
    public T[] Grad { get; }

    public Parameter(string name, params int[] shape)
    {
        Name = name;
        Shape = shape;
        int size = 1;
        foreach (int d in shape) size *= d;
        Value = new T[size];
        Grad = new T[size];
    }

    public int Size => Value.Length;
    public void ZeroGrad() => Array.Clear(Grad);
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
