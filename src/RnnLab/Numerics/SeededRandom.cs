using System.Numerics;

namespace RnnLab.Numerics;

/// <summary>
/// xoshiro256** (Blackman &amp; Vigna 2018) seeded through SplitMix64: the same seed gives the same
/// stream on every machine and every .NET version, which <see cref="System.Random"/> does not promise.
/// </summary>
public sealed class SeededRandom
{
    ulong _s0, _s1, _s2, _s3;
    double? _spareGaussian;

    public SeededRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x); _s1 = SplitMix64(ref x); _s2 = SplitMix64(ref x); _s3 = SplitMix64(ref x);
    }

    /// <summary>The complete generator state, for checkpoints that must resume bit-identically.</summary>
    public ulong[] State
    {
        get => [_s0, _s1, _s2, _s3, _spareGaussian is double g ? BitConverter.DoubleToUInt64Bits(g) : 0, _spareGaussian.HasValue ? 1UL : 0];
        set
        {
            if (value.Length != 6) throw new ArgumentException("random state has 6 words");
            (_s0, _s1, _s2, _s3) = (value[0], value[1], value[2], value[3]);
            _spareGaussian = value[5] == 1 ? BitConverter.UInt64BitsToDouble(value[4]) : null;
        }
    }

    static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [lo, hi).</summary>
    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Uniform integer in [0, n), unbiased (Lemire's multiply-shift with rejection).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), "n must be positive");
        ulong range = (ulong)n;
        while (true)
        {
            ulong r = NextUInt64();
            UInt128 m = (UInt128)r * range;
            ulong low = (ulong)m;
            if (low >= (0UL - range) % range) return (int)(m >> 64);
        }
    }

    /// <summary>Standard normal by the Box–Muller transform (two values per pair of uniforms).</summary>
    public double NextGaussian()
    {
        if (_spareGaussian is double spare) { _spareGaussian = null; return spare; }
        double u1 = 1.0 - NextDouble(); // (0, 1]: log is finite
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        _spareGaussian = r * Math.Sin(2 * Math.PI * u2);
        return r * Math.Cos(2 * Math.PI * u2);
    }

    public void FillUniform<T>(Span<T> dst, double lo, double hi) where T : IFloatingPoint<T>
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = T.CreateTruncating(Uniform(lo, hi));
    }

    public void FillGaussian<T>(Span<T> dst, double mean, double std) where T : IFloatingPoint<T>
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = T.CreateTruncating(mean + std * NextGaussian());
    }
}
