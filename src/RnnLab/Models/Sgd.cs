using System.Numerics;

namespace RnnLab.Models;

/// <summary>
/// Stochastic gradient descent with momentum, with the update rule of <c>torch.optim.SGD</c> (dampening 0):
/// <code>
/// g = ∇p + λ·p                          (weight decay λ, L2 added to the gradient)
/// v = g on the first step, else μ·v + g (momentum μ; PyTorch's "momentum_buffer")
/// d = g + μ·v if nesterov, else v
/// p = p − lr·d
/// </code>
/// Note the velocity is not scaled by the learning rate (unlike Sutskever et al. 2013), so changing lr mid-run
/// changes the step at once. Arithmetic is done in T, as PyTorch does in the parameter's dtype.
/// </summary>
public sealed class Sgd<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public double Momentum { get; }
    public double WeightDecay { get; }
    public bool Nesterov { get; }

    readonly T[][] velocity;   // one per parameter, same shape; empty when momentum is 0

    public Sgd(IReadOnlyList<Parameter<T>> parameters, double learningRate, double momentum = 0, double weightDecay = 0, bool nesterov = false)
        : this(parameters, learningRate, momentum, weightDecay, nesterov, MakeVelocity(parameters, momentum))
    { }

    Sgd(IReadOnlyList<Parameter<T>> parameters, double learningRate, double momentum, double weightDecay, bool nesterov, T[][] velocity)
        : base(parameters, learningRate, StateOf(parameters, velocity))
    {
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(nameof(momentum), $"momentum must be in [0, 1), got {momentum}");
        if (!(weightDecay >= 0) || double.IsInfinity(weightDecay)) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"weight decay must be finite and non-negative, got {weightDecay}");
        if (nesterov && momentum == 0) throw new ArgumentException("Nesterov momentum needs a momentum > 0 (as in PyTorch)");
        Momentum = momentum;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        this.velocity = velocity;
    }

    static T[][] MakeVelocity(IReadOnlyList<Parameter<T>> parameters, double momentum)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var v = new T[parameters.Count][];
        for (int i = 0; i < v.Length; i++) v[i] = momentum == 0 ? [] : new T[parameters[i].Size];
        return v;
    }

    static (string, T[])[] StateOf(IReadOnlyList<Parameter<T>> parameters, T[][] velocity)
    {
        var state = new List<(string, T[])>();
        for (int i = 0; i < velocity.Length; i++)
            if (velocity[i].Length > 0) state.Add((parameters[i].Name + ".momentum_buffer", velocity[i]));
        return [.. state];
    }

    public override string Name => "sgd";

    protected override void Update(int index, Parameter<T> p)
    {
        T lr = T.CreateTruncating(LearningRateOf(index)), mu = T.CreateTruncating(Momentum), wd = T.CreateTruncating(WeightDecay);
        bool decay = WeightDecay != 0, momentum = Momentum != 0, first = StepCount == 1;
        T[] value = p.Value, grad = p.Grad, v = velocity[index];
        for (int j = 0; j < value.Length; j++)
        {
            T g = grad[j];
            if (decay) g += wd * value[j];                       // g = ∇p + λ·p
            if (momentum)
            {
                v[j] = first ? g : mu * v[j] + g;                // v = μ·v + g  (v = g on the first step)
                g = Nesterov ? g + mu * v[j] : v[j];
            }
            value[j] -= lr * g;                                  // p = p − lr·d
        }
    }
}
