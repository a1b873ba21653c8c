using System.Numerics;
using System.Numerics.Tensors;
using RnnLab.Numerics;

namespace RnnLab.Models;

/// <summary>
/// The linear readout y = h·Wᵀ + b from hidden states to outputs, laid out as PyTorch's <c>torch.nn.Linear</c>
/// under the module name <c>readout</c>: <c>readout.weight</c> [O, H], <c>readout.bias</c> [O].
/// It is applied to the rows of an [N, H] buffer: the last step only (N = B) or every step (N = T·B, time-major
/// rows straight from <see cref="RecurrentLayer{T}.Output"/>).
/// Buffers grow to the largest N seen and are then reused: a training step allocates nothing.
/// </summary>
public sealed class Readout<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public int InputSize { get; }   // H
    public int OutputSize { get; }  // O

    public Parameter<T> Weight { get; }  // [O, H]
    public Parameter<T> Bias { get; }    // [O]
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>N of the last forward pass.</summary>
    public int Rows { get; private set; }

    T[] input = [];    // [N, H]  a copy of h: the weight gradient needs it, and the caller may reuse its buffer
    T[] output = [];   // [N, O]

    public Readout(int inputSize, int outputSize)
    {
        if (inputSize <= 0) throw new ArgumentOutOfRangeException(nameof(inputSize), $"readout input size must be positive, got {inputSize}");
        if (outputSize <= 0) throw new ArgumentOutOfRangeException(nameof(outputSize), $"readout output size must be positive, got {outputSize}");
        InputSize = inputSize;
        OutputSize = outputSize;
        Weight = new Parameter<T>("readout.weight", outputSize, inputSize);
        Bias = new Parameter<T>("readout.bias", outputSize);
        Parameters = [Weight, Bias];
    }

    /// <summary>y of the last forward pass, [N, O].</summary>
    public ReadOnlySpan<T> Output => output.AsSpan(0, Rows * OutputSize);

    /// <summary>y = h·Wᵀ + b for h [N, H]; the result is in <see cref="Output"/> [N, O].</summary>
    public void Forward(ReadOnlySpan<T> h, int rows)
    {
        if (rows <= 0) throw new ArgumentOutOfRangeException(nameof(rows), $"row count must be positive, got {rows}");
        int H = InputSize, O = OutputSize;
        if (h.Length != rows * H) throw new ArgumentException($"readout input has {h.Length} values, expected [N={rows}, H={H}] = {rows * H}");
        Rows = rows;
        if (input.Length < rows * H) input = new T[rows * H];
        if (output.Length < rows * O) output = new T[rows * O];
        h.CopyTo(input);
        Span<T> y = output.AsSpan(0, rows * O);                            // [N, O]
        // forward: y = h·Wᵀ + b
        Gemm.Multiply(Op.N, Op.T, rows, O, H, h, Weight.Value, y, accumulate: false);
        ReadOnlySpan<T> b = Bias.Value;
        for (int r = 0; r < rows; r++)
        {
            Span<T> row = y.Slice(r * O, O);
            TensorPrimitives.Add(row, b, row);
        }
    }

    /// <summary>
    /// Backward of the last forward pass. <paramref name="dOutput"/> [N, O] is ∂L/∂y. Accumulates (+=) into
    /// <c>readout.weight</c> and <c>readout.bias</c> gradients and overwrites <paramref name="dh"/> [N, H] with
    /// ∂L/∂h (skipped when empty).
    /// </summary>
    public void Backward(ReadOnlySpan<T> dOutput, Span<T> dh = default)
    {
        if (Rows == 0) throw new InvalidOperationException("readout Backward called before Forward");
        int N = Rows, H = InputSize, O = OutputSize;
        if (dOutput.Length != N * O) throw new ArgumentException($"readout dOutput has {dOutput.Length} values, expected [N={N}, O={O}] = {N * O}");
        if (!dh.IsEmpty && dh.Length != N * H) throw new ArgumentException($"readout dh has {dh.Length} values, expected [N={N}, H={H}] = {N * H}");
        // forward: y = h·Wᵀ + b  →  dW += dyᵀ·h,  db += Σ_rows dy,  dh = dy·W
        Gemm.Multiply(Op.T, Op.N, O, H, N, dOutput, input.AsSpan(0, N * H), Weight.Grad, accumulate: true);
        Kernels.AddColumnSums(dOutput, O, Bias.Grad);
        if (!dh.IsEmpty) Gemm.Multiply(Op.N, Op.N, N, H, O, dOutput, Weight.Value, dh, accumulate: false);
    }

    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.ZeroGrad();
    }
}
