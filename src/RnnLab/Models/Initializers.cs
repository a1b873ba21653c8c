using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using RnnLab.Numerics;

namespace RnnLab.Models;

/// <summary>How a recurrent layer's weights are drawn at the start of training.</summary>
public enum InitKind
{
    /// <summary>PyTorch's default for nn.RNN/LSTM/GRU: all four tensors uniform in ±1/√H.</summary>
    PyTorch,
    /// <summary>Glorot &amp; Bengio (2010) uniform, ±√(6/(fan_in + fan_out)), per gate block; biases 0.</summary>
    Xavier,
    /// <summary>W_hh gate blocks random orthogonal (Saxe, McClelland &amp; Ganguli 2014); W_ih Xavier; biases 0.</summary>
    Orthogonal,
    /// <summary>IRNN (Le, Jaitly &amp; Hinton 2015): W_hh = I per gate block, biases 0, W_ih ~ N(0, 0.001²).</summary>
    Identity,
}

/// <summary>
/// Weight initialisation for recurrent layers and readouts. All draws come from the given
/// <see cref="SeededRandom"/> in a fixed order (parameters in <c>Parameters</c> order, each row-major), so the same
/// seed gives bit-identical weights on every machine.
/// </summary>
public static class Initializers
{
    /// <summary>The names <see cref="Parse"/> accepts, in enum order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["pytorch", "xavier", "orthogonal", "identity"];

    public static string Name(this InitKind kind) => kind switch
    {
        InitKind.PyTorch => "pytorch",
        InitKind.Xavier => "xavier",
        InitKind.Orthogonal => "orthogonal",
        InitKind.Identity => "identity",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Parses "pytorch", "xavier", "orthogonal" or "identity" (case-insensitive).</summary>
    public static bool TryParse(string text, out InitKind kind)
    {
        string key = text.Trim().ToLowerInvariant();
        for (int i = 0; i < Names.Count; i++)
            if (Names[i] == key) { kind = (InitKind)i; return true; }
        kind = default;
        return false;
    }

    /// <summary>As <see cref="TryParse"/>, with an error that lists the choices.</summary>
    public static InitKind Parse(string text)
        => TryParse(text, out var kind) ? kind
           : throw new InvalidInputException($"unknown initialization '{text}': choose one of {string.Join(", ", Names)}");

    /// <summary>Initialises every layer of <paramref name="stack"/>, in PyTorch's order (l0, l0_reverse, l1, …), from one stream.</summary>
    public static void Apply<T>(RecurrentStack<T> stack, InitKind kind, SeededRandom rng, double? spectralRadius = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stack);
        foreach (var layer in stack.Layers) Apply(layer, kind, rng, spectralRadius);
    }

    /// <summary>
    /// Initialises all tensors of <paramref name="layer"/> (and an LSTM's projection W_hr, drawn last). With <paramref name="spectralRadius"/> ρ, each
    /// [H, H] gate block of W_hh is then scaled so that its spectral radius (largest |eigenvalue|) is ρ. For the
    /// RNN the single block is the whole W_hh. For LSTM and GRU the blocks are scaled one by one, because each
    /// block is the recurrent matrix of one gate's pre-activation and W_hh as a whole is not square ([G·H, H]).
    /// </summary>
    public static void Apply<T>(RecurrentLayer<T> layer, InitKind kind, SeededRandom rng, double? spectralRadius = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(rng);
        if (spectralRadius is double r && (!(r > 0) || double.IsInfinity(r)))
            throw new ArgumentOutOfRangeException(nameof(spectralRadius), $"spectral radius must be finite and positive, got {r}");
        int H = layer.HiddenSize, I = layer.InputSize, G = layer.Gates, S = layer.OutputSize;
        if (S != H && (kind is InitKind.Orthogonal or InitKind.Identity || spectralRadius is not null))
            throw new ArgumentException($"{kind.Name()} initialisation{(spectralRadius is null ? "" : " and a spectral radius")} need square W_hh gate blocks; with a projection they are [H={H}, P={S}]: use pytorch or xavier");
        T[] wih = layer.WeightIH.Value, whh = layer.WeightHH.Value, bih = layer.BiasIH.Value, bhh = layer.BiasHH.Value;
        switch (kind)
        {
            case InitKind.PyTorch:
            {
                // torch.nn.RNNBase.reset_parameters: every weight and bias uniform(−1/√H, 1/√H).
                double k = 1 / Math.Sqrt(H);
                rng.FillUniform<T>(wih, -k, k);
                rng.FillUniform<T>(whh, -k, k);
                rng.FillUniform<T>(bih, -k, k);
                rng.FillUniform<T>(bhh, -k, k);
                if (layer.WeightHR is { } projection) rng.FillUniform<T>(projection.Value, -k, k);
                break;
            }
            case InitKind.Xavier:
                // Gate blocks are contiguous row ranges and all have the same fans, so filling the whole tensor
                // with one block's bound is the same as filling each block.
                FillXavier(wih, fanIn: I, fanOut: H, rng);
                FillXavier(whh, fanIn: S, fanOut: H, rng);
                Array.Clear(bih);
                Array.Clear(bhh);
                if (layer.WeightHR is { } wHR) FillXavier(wHR.Value, fanIn: H, fanOut: S, rng);
                break;
            case InitKind.Orthogonal:
                FillXavier(wih, fanIn: I, fanOut: H, rng);
                for (int g = 0; g < G; g++) FillOrthogonal(whh.AsSpan(g * H * H, H * H), H, rng);
                Array.Clear(bih);
                Array.Clear(bhh);
                break;
            case InitKind.Identity:
                // Le et al. 2015, §3: "the non-recurrent weights are initialized with a random matrix whose entries
                // are sampled from a Gaussian distribution with mean zero and standard deviation 0.001".
                rng.FillGaussian<T>(wih, 0, IrnnStd);
                Array.Clear(whh);
                for (int g = 0; g < G; g++)
                    for (int i = 0; i < H; i++) whh[g * H * H + i * H + i] = T.One;
                Array.Clear(bih);
                Array.Clear(bhh);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
        if (spectralRadius is double rho)
            for (int g = 0; g < G; g++) RescaleToSpectralRadius(whh.AsSpan(g * H * H, H * H), H, rho, $"{layer.WeightHH.Name} gate block {g}");
    }

    /// <summary>Standard deviation of the IRNN's non-recurrent weights (Le et al. 2015).</summary>
    public const double IrnnStd = 0.001;

    /// <summary>
    /// Initialises the readout. PyTorch: nn.Linear's default, weight and bias uniform(±1/√H) (kaiming_uniform with
    /// a = √5 reduces to this bound). Xavier and Orthogonal: Glorot uniform weight, zero bias (a readout is not
    /// square, so there is no orthogonal choice to make). Identity: N(0, 0.001²) weight, zero bias, as the IRNN's
    /// other non-recurrent weights.
    /// </summary>
    public static void Apply<T>(Readout<T> readout, InitKind kind, SeededRandom rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(readout);
        ArgumentNullException.ThrowIfNull(rng);
        int H = readout.InputSize, O = readout.OutputSize;
        T[] w = readout.Weight.Value, b = readout.Bias.Value;
        switch (kind)
        {
            case InitKind.PyTorch:
                double k = 1 / Math.Sqrt(H);
                rng.FillUniform<T>(w, -k, k);
                rng.FillUniform<T>(b, -k, k);
                break;
            case InitKind.Xavier:
            case InitKind.Orthogonal:
                FillXavier(w, fanIn: H, fanOut: O, rng);
                Array.Clear(b);
                break;
            case InitKind.Identity:
                rng.FillGaussian<T>(w, 0, IrnnStd);
                Array.Clear(b);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    /// <summary>Glorot &amp; Bengio 2010, eq. 16: uniform(±√(6/(fan_in + fan_out))), as torch.nn.init.xavier_uniform_.</summary>
    static void FillXavier<T>(Span<T> w, int fanIn, int fanOut, SeededRandom rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double bound = Math.Sqrt(6.0 / (fanIn + fanOut));
        rng.FillUniform(w, -bound, bound);
    }

    /// <summary>
    /// A random orthogonal n×n matrix, Haar-distributed: Q from the QR decomposition of a standard Gaussian matrix,
    /// with each column multiplied by the sign of R's diagonal entry (Mezzadri 2007, "How to generate random
    /// matrices from the classical compact groups"; without the sign fix Q is not uniformly distributed). This is
    /// what torch.nn.init.orthogonal_ does and what Saxe et al. 2014 propose for deep linear dynamics.
    /// </summary>
    static void FillOrthogonal<T>(Span<T> w, int n, SeededRandom rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = new double[n * n];
        rng.FillGaussian<double>(a, 0, 1);                                   // row-major draw order
        var qr = Matrix<double>.Build.DenseOfRowMajor(n, n, a).QR(QRMethod.Full);
        Matrix<double> q = qr.Q, r = qr.R;
        for (int j = 0; j < n; j++)
        {
            double sign = r[j, j] < 0 ? -1 : 1;                              // a zero diagonal (probability 0) keeps +1
            for (int i = 0; i < n; i++) w[i * n + j] = T.CreateTruncating(sign * q[i, j]);
        }
    }

    /// <summary>Scales the n×n matrix w so that its spectral radius becomes rho.</summary>
    internal static void RescaleToSpectralRadius<T>(Span<T> w, int n, double rho, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var m = new double[n * n];
        for (int i = 0; i < m.Length; i++) m[i] = double.CreateTruncating(w[i]);
        double current = Spectra.SpectralRadius(m, n);
        if (!(current > 0) || !double.IsFinite(current))
            throw new InvalidInputException($"{what} has spectral radius {Numbers.G(current, 4)}: it cannot be rescaled to {Numbers.Exact(rho)}");
        double factor = rho / current;
        for (int i = 0; i < m.Length; i++) w[i] = T.CreateTruncating(m[i] * factor);
    }
}
