using System.Numerics;

namespace RnnLab.Models;

/// <summary>
/// A first-order optimizer over a fixed list of parameters. State buffers are allocated once at construction;
/// <see cref="Step"/> reads <see cref="Parameter{T}.Grad"/>, updates <see cref="Parameter{T}.Value"/> in place and
/// allocates nothing. Gradients are left as they are: zero them before the next backward pass.
/// </summary>
public abstract class Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>The learning rate used by the next <see cref="Step"/>; settable so a schedule can change it.</summary>
    public double LearningRate
    {
        get => learningRate;
        set
        {
            if (!(value >= 0) || double.IsInfinity(value)) throw new ArgumentOutOfRangeException(nameof(LearningRate), $"learning rate must be finite and non-negative, got {Numbers.Exact(value)}");
            learningRate = value;
        }
    }
    double learningRate;

    /// <summary>Steps taken so far. Part of the state: Adam's bias correction and SGD's first momentum step depend on it.</summary>
    public long StepCount
    {
        get => stepCount;
        set
        {
            if (value < 0) throw new ArgumentOutOfRangeException(nameof(StepCount), $"step count must be non-negative, got {Numbers.Exact(value)}");
            stepCount = value;
        }
    }
    long stepCount;

    /// <summary>
    /// The optimizer's state tensors, each named "{parameter name}.{buffer}" with PyTorch's buffer names
    /// (<c>momentum_buffer</c>, <c>exp_avg</c>, <c>exp_avg_sq</c>). The arrays are the live buffers: a checkpoint
    /// saves them with <see cref="StepCount"/>, and a resume copies the saved values back into them, after which
    /// the run continues bit-identically.
    /// </summary>
    public IReadOnlyList<(string Name, T[] Buffer)> StateTensors { get; }

    protected Optimizer(IReadOnlyList<Parameter<T>> parameters, double learningRate, IReadOnlyList<(string, T[])> stateTensors)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var names = new HashSet<string>();
        foreach (var p in parameters)
            if (!names.Add(p.Name)) throw new ArgumentException($"parameter '{p.Name}' appears twice: its state would be ambiguous");
        Parameters = parameters;
        LearningRate = learningRate;
        StateTensors = stateTensors;
    }

    /// <summary>
    /// A parameter's own learning rate as a multiple of <see cref="LearningRate"/> (1 unless set): PyTorch's parameter
    /// groups, as expRNN trains A at a tenth of the other weights' rate.
    /// </summary>
    public void SetLearningRateScale(Parameter<T> parameter, double scale)
    {
        int index = -1;
        for (int i = 0; i < Parameters.Count; i++) if (ReferenceEquals(Parameters[i], parameter)) index = i;
        if (index < 0) throw new ArgumentException($"'{parameter.Name}' is not one of this optimizer's parameters");
        if (!(scale >= 0) || double.IsInfinity(scale)) throw new ArgumentOutOfRangeException(nameof(scale), $"learning-rate scale must be finite and non-negative, got {scale}");
        learningRateScales ??= [.. Enumerable.Repeat(1.0, Parameters.Count)];
        learningRateScales[index] = scale;
    }
    double[]? learningRateScales;

    /// <summary>The learning rate of parameter <paramref name="index"/> in this step.</summary>
    protected double LearningRateOf(int index) => learningRateScales is null ? LearningRate : LearningRate * learningRateScales[index];

    /// <summary>One update of every parameter from its current gradient.</summary>
    public void Step()
    {
        stepCount++;
        for (int i = 0; i < Parameters.Count; i++) Update(i, Parameters[i]);
    }

    /// <summary>Updates parameter <paramref name="index"/>; <see cref="StepCount"/> already counts this step.</summary>
    protected abstract void Update(int index, Parameter<T> p);

    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.ZeroGrad();
    }

    /// <summary>Name of the optimizer for configs and reports ("sgd", "adam").</summary>
    public abstract string Name { get; }
}
