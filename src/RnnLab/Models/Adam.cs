using System.Numerics;
using RnnLab.Numerics;

namespace RnnLab.Models;

/// <summary>
/// Adam (Kingma &amp; Ba 2015) with the update rule of <c>torch.optim.Adam</c> (amsgrad off), step t = 1, 2, ...:
/// <code>
/// g = ∇p + λ·p                    (weight decay λ added to the gradient, not decoupled as in AdamW)
/// m = β₁·m + (1 − β₁)·g           ("exp_avg")
/// v = β₂·v + (1 − β₂)·g²          ("exp_avg_sq")
/// p = p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
/// </code>
/// which is p −= lr·m̂/(√v̂ + ε) with ε outside the square root, grouped as PyTorch groups it. The scalar factors
/// are computed in double (PyTorch computes them in Python floats); the element-wise work is in T.
/// </summary>
public sealed class Adam<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }
    public double WeightDecay { get; }

    readonly T[][] m;   // first moments, one per parameter
    readonly T[][] v;   // second moments

    public Adam(IReadOnlyList<Parameter<T>> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0)
        : this(parameters, learningRate, beta1, beta2, epsilon, weightDecay, Zeros(parameters), Zeros(parameters))
    { }

    Adam(IReadOnlyList<Parameter<T>> parameters, double learningRate, double beta1, double beta2, double epsilon, double weightDecay, T[][] m, T[][] v)
        : base(parameters, learningRate, StateOf(parameters, m, v))
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), $"beta1 must be in [0, 1), got {beta1}");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), $"beta2 must be in [0, 1), got {beta2}");
        if (!(epsilon >= 0) || double.IsInfinity(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"epsilon must be finite and non-negative, got {epsilon}");
        if (!(weightDecay >= 0) || double.IsInfinity(weightDecay)) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"weight decay must be finite and non-negative, got {weightDecay}");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        this.m = m;
        this.v = v;
    }

    static T[][] Zeros(IReadOnlyList<Parameter<T>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var z = new T[parameters.Count][];
        for (int i = 0; i < z.Length; i++) z[i] = new T[parameters[i].Size];
        return z;
    }

    static (string, T[])[] StateOf(IReadOnlyList<Parameter<T>> parameters, T[][] m, T[][] v)
    {
        var state = new (string, T[])[2 * parameters.Count];
        for (int i = 0; i < parameters.Count; i++)
        {
            state[2 * i] = (parameters[i].Name + ".exp_avg", m[i]);
            state[2 * i + 1] = (parameters[i].Name + ".exp_avg_sq", v[i]);
        }
        return state;
    }

    public override string Name => "adam";

    protected override unsafe void Update(int index, Parameter<T> p)
    {
        long t = StepCount;
        double biasCorrection1 = 1 - Math.Pow(Beta1, t);
        double biasCorrection2 = 1 - Math.Pow(Beta2, t);
        T[] value = p.Value, grad = p.Grad, mi = m[index], vi = v[index];
        fixed (T* pv = value, pg = grad, pm = mi, pvi = vi)
        {
            var job = new Elements
            {
                Value = pv, Grad = pg, M = pm, V = pvi,
                StepSize = T.CreateTruncating(LearningRateOf(index) / biasCorrection1),
                SqrtBc2 = T.CreateTruncating(Math.Sqrt(biasCorrection2)),
                B1 = T.CreateTruncating(Beta1), OneMinusB1 = T.CreateTruncating(1 - Beta1),
                B2 = T.CreateTruncating(Beta2), OneMinusB2 = T.CreateTruncating(1 - Beta2),
                Eps = T.CreateTruncating(Epsilon), Wd = T.CreateTruncating(WeightDecay), Decay = WeightDecay != 0,
            };
            // Each element's update reads that element alone: the threads take contiguous ranges of them.
            Parallelism.ForRanges(value.Length, Kernels.SplitParts(value.Length, value.Length), &UpdateElements, &job);
        }
    }

    /// <summary>One parameter's buffers and this step's factors, for <see cref="UpdateElements"/>.</summary>
    unsafe struct Elements
    {
        public T* Value, Grad, M, V;   // [size] each
        public T StepSize, SqrtBc2, B1, OneMinusB1, B2, OneMinusB2, Eps, Wd;
        public bool Decay;
    }

    /// <summary>The update of elements [first, end) of one parameter.</summary>
    static unsafe void UpdateElements(int first, int end, void* state)
    {
        Elements s = *(Elements*)state;   // a copy: the factors stay in registers while the buffers are written
        T* value = s.Value, grad = s.Grad, mi = s.M, vi = s.V;
        for (int j = first; j < end; j++)
        {
            T g = grad[j];
            if (s.Decay) g += s.Wd * value[j];                          // g = ∇p + λ·p
            mi[j] = s.B1 * mi[j] + s.OneMinusB1 * g;                    // m = β₁·m + (1 − β₁)·g
            vi[j] = s.B2 * vi[j] + s.OneMinusB2 * g * g;                // v = β₂·v + (1 − β₂)·g²
            T denom = T.Sqrt(vi[j]) / s.SqrtBc2 + s.Eps;                // √v̂ + ε
            value[j] -= s.StepSize * mi[j] / denom;                     // p −= lr·m̂/(√v̂ + ε)
        }
    }
}
