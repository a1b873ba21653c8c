using System.Numerics;

namespace RnnLab.Models;

/// <summary>
/// RMSProp (Hinton's lecture 6e; centred form from Graves 2013) with the update rule of <c>torch.optim.RMSprop</c>:
/// <code>
/// g = ∇p + λ·p                          (weight decay λ added to the gradient)
/// v = α·v + (1 − α)·g²                  ("square_avg")
/// ṽ = v − ḡ², ḡ = α·ḡ + (1 − α)·g       if centred ("grad_avg"); else ṽ = v
/// b = μ·b + g/(√ṽ + ε), p = p − lr·b    if momentum μ &gt; 0 ("momentum_buffer")
/// p = p − lr·g/(√ṽ + ε)                 otherwise
/// </code>
/// ε is added after the square root (TensorFlow adds it inside); there is no bias correction, so the first steps are
/// larger than lr (v starts at 0: step one divides by √(1 − α)·|g|). PyTorch's defaults: lr 0.01, α 0.99, ε 1e-8.
/// </summary>
public sealed class RmsProp<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public double Alpha { get; }
    public double Epsilon { get; }
    public double WeightDecay { get; }
    public double Momentum { get; }
    public bool Centered { get; }

    readonly T[][] squareAvg;   // one per parameter
    readonly T[][] gradAvg;     // empty unless centred
    readonly T[][] buffer;      // empty unless momentum > 0

    public RmsProp(IReadOnlyList<Parameter<T>> parameters, double learningRate = 1e-2, double alpha = 0.99, double epsilon = 1e-8,
        double weightDecay = 0, double momentum = 0, bool centered = false)
        : this(parameters, learningRate, alpha, epsilon, weightDecay, momentum, centered,
               Buffers(parameters, true), Buffers(parameters, centered), Buffers(parameters, momentum > 0))
    { }

    RmsProp(IReadOnlyList<Parameter<T>> parameters, double learningRate, double alpha, double epsilon, double weightDecay,
        double momentum, bool centered, T[][] squareAvg, T[][] gradAvg, T[][] buffer)
        : base(parameters, learningRate, StateOf(parameters, squareAvg, gradAvg, buffer))
    {
        if (!(alpha >= 0 && alpha < 1)) throw new ArgumentOutOfRangeException(nameof(alpha), $"alpha must be in [0, 1), got {alpha}");
        if (!(epsilon >= 0) || double.IsInfinity(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"epsilon must be finite and non-negative, got {epsilon}");
        if (!(weightDecay >= 0) || double.IsInfinity(weightDecay)) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"weight decay must be finite and non-negative, got {weightDecay}");
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(nameof(momentum), $"momentum must be in [0, 1), got {momentum}");
        Alpha = alpha;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        Momentum = momentum;
        Centered = centered;
        this.squareAvg = squareAvg;
        this.gradAvg = gradAvg;
        this.buffer = buffer;
    }

    static T[][] Buffers(IReadOnlyList<Parameter<T>> parameters, bool used)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var z = new T[parameters.Count][];
        for (int i = 0; i < z.Length; i++) z[i] = used ? new T[parameters[i].Size] : [];
        return z;
    }

    static (string, T[])[] StateOf(IReadOnlyList<Parameter<T>> parameters, T[][] squareAvg, T[][] gradAvg, T[][] buffer)
    {
        var state = new List<(string, T[])>();
        for (int i = 0; i < parameters.Count; i++)
        {
            state.Add((parameters[i].Name + ".square_avg", squareAvg[i]));
            if (buffer[i].Length > 0) state.Add((parameters[i].Name + ".momentum_buffer", buffer[i]));
            if (gradAvg[i].Length > 0) state.Add((parameters[i].Name + ".grad_avg", gradAvg[i]));
        }
        return [.. state];
    }

    public override string Name => "rmsprop";

    protected override void Update(int index, Parameter<T> p)
    {
        T lr = T.CreateTruncating(LearningRateOf(index)), a = T.CreateTruncating(Alpha), oneMinusA = T.CreateTruncating(1 - Alpha);
        T eps = T.CreateTruncating(Epsilon), wd = T.CreateTruncating(WeightDecay), mu = T.CreateTruncating(Momentum);
        bool decay = WeightDecay != 0, momentum = Momentum > 0;
        T[] value = p.Value, grad = p.Grad, v = squareAvg[index], gAvg = gradAvg[index], b = buffer[index];
        for (int j = 0; j < value.Length; j++)
        {
            T g = grad[j];
            if (decay) g += wd * value[j];                       // g = ∇p + λ·p
            v[j] = a * v[j] + oneMinusA * g * g;                 // v = α·v + (1 − α)·g²
            T vt = v[j];
            if (Centered)
            {
                gAvg[j] = a * gAvg[j] + oneMinusA * g;           // ḡ = α·ḡ + (1 − α)·g
                vt -= gAvg[j] * gAvg[j];                         // ṽ = v − ḡ²
            }
            T step = g / (T.Sqrt(vt) + eps);                     // g/(√ṽ + ε)
            if (momentum)
            {
                b[j] = mu * b[j] + step;                         // b = μ·b + g/(√ṽ + ε)
                step = b[j];
            }
            value[j] -= lr * step;                               // p = p − lr·(b or g/(√ṽ + ε))
        }
    }
}
