using System.Numerics;

namespace RnnLab.Models;

/// <summary>Where the readout looks: at h_T only (one prediction per sequence) or at every h_t (sequence labelling).</summary>
public enum ReadoutMode { LastStep, EveryStep }

/// <summary>The training objective on the readout's output.</summary>
public enum LossKind { MeanSquaredError, CrossEntropy }

/// <summary>
/// A recurrent stack (one or more layers, one or two directions), a linear readout and a loss: the whole trainable
/// model. Forward runs the stack over the sequence, the readout over its last output (PyTorch's <c>output[−1]</c>,
/// both directions concatenated) or every output, and the loss; Backward runs them in reverse, one BPTT walk.
/// Gradients accumulate into the parameters; the caller zeroes them once per step (<see cref="ZeroGrad"/>).
/// </summary>
public sealed class SequenceModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public RecurrentStack<T> Stack { get; }
    public Readout<T> Readout { get; }
    public ReadoutMode Mode { get; }
    public LossKind Loss { get; }
    /// <summary>The stack's tensors in PyTorch's order, then <c>readout.weight</c> and <c>readout.bias</c>.</summary>
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    T[] dPrediction = [];  // [N, O]        ∂L/∂(readout output), N = B (last step) or T·B (every step)
    T[] dHidden = [];      // [T, B, D·S]   ∂L/∂output_t from the readout; zero at steps it does not read
    int rows;

    public SequenceModel(RecurrentStack<T> stack, int outputSize, ReadoutMode mode, LossKind loss)
    {
        Stack = stack;
        Readout = new Readout<T>(stack.OutputSize, outputSize);
        Mode = mode;
        Loss = loss;
        Parameters = [.. stack.Parameters, .. Readout.Parameters];
    }

    /// <summary>A model around one layer in one direction.</summary>
    public SequenceModel(RecurrentLayer<T> layer, int outputSize, ReadoutMode mode, LossKind loss)
        : this(new RecurrentStack<T>(layer), outputSize, mode, loss) { }

    public int OutputSize => Readout.OutputSize;

    /// <summary>Readout output of the last forward pass: [B, O] (last step) or [T, B, O] (every step).</summary>
    public ReadOnlySpan<T> Predictions => Readout.Output;

    /// <summary>∂L/∂output_t that the readout sent into the stack in the last backward pass, [T, B, D·S].</summary>
    public ReadOnlySpan<T> HiddenGradients => dHidden.AsSpan(0, Stack.Steps * Stack.Batch * Stack.OutputSize);

    /// <summary>
    /// Runs the model on x [T, B, I] and returns the mean loss. Regression targets are [N, O] in
    /// <paramref name="targets"/>; classification labels are [N] in <paramref name="classLabels"/> (-1 = not scored),
    /// with an optional [N] mask; N = B for <see cref="ReadoutMode.LastStep"/>, T·B for every step.
    /// </summary>
    public double Forward(ReadOnlySpan<T> x, int steps, int batch, ReadOnlySpan<T> targets = default,
        ReadOnlySpan<int> classLabels = default, ReadOnlySpan<bool> scoreMask = default)
    {
        Stack.Forward(x, steps, batch);
        int H = Stack.OutputSize, O = OutputSize;
        rows = Mode == ReadoutMode.LastStep ? batch : steps * batch;
        Readout.Forward(Mode == ReadoutMode.LastStep ? Stack.LastOutput : Stack.Output, rows);
        if (dPrediction.Length < rows * O) dPrediction = new T[rows * O];
        if (dHidden.Length < steps * batch * H) dHidden = new T[steps * batch * H];
        Span<T> dPred = dPrediction.AsSpan(0, rows * O);
        if (Loss == LossKind.MeanSquaredError)
        {
            if (targets.Length != rows * O) throw new ArgumentException($"regression targets have {targets.Length} values, expected [N={rows}, O={O}]");
            return Losses.MeanSquaredError(Readout.Output, targets, dPred);
        }
        if (classLabels.Length != rows) throw new ArgumentException($"{classLabels.Length} class labels, expected N = {rows}");
        return Losses.SoftmaxCrossEntropy(Readout.Output, O, classLabels, dPred, scoreMask);
    }

    /// <summary>Task metric of the last forward pass for classification: fraction of scored rows predicted right.</summary>
    public double Accuracy(ReadOnlySpan<int> classLabels, ReadOnlySpan<bool> scoreMask = default)
        => Losses.Accuracy(Readout.Output, OutputSize, classLabels, scoreMask);

    /// <summary>Backpropagates the loss of the last forward pass; <paramref name="truncation"/> as in <see cref="RecurrentStack{T}.Backward"/>.</summary>
    public void Backward(int truncation = 0, Span<T> dx = default)
    {
        int steps = Stack.Steps, batch = Stack.Batch, H = Stack.OutputSize, O = OutputSize;
        Span<T> dh = dHidden.AsSpan(0, steps * batch * H);
        if (Mode == ReadoutMode.LastStep)
        {
            // forward: y = output_T·Wᵀ + b  →  only output_T receives a gradient from the loss
            dh[..((steps - 1) * batch * H)].Clear();
            Readout.Backward(dPrediction.AsSpan(0, rows * O), dh.Slice((steps - 1) * batch * H));
        }
        else
        {
            Readout.Backward(dPrediction.AsSpan(0, rows * O), dh);
        }
        Stack.Backward(dh, dx, truncation: truncation);
    }

    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.ZeroGrad();
    }
}
