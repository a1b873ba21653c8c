using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnLab.Numerics;

/// <summary>
/// Fused element-wise work of one LSTM or GRU time step over the whole batch, in PyTorch's gate order (LSTM i, f, g,
/// o; GRU r, z, n with r applied to W_hn·h + b_hn). One call per step replaces a handful of calls per batch row; it
/// pays where the row-wise version makes extra passes (GRU forward: 2× at [32, 3·128]). An LSTM forward step fused
/// the same way measured no faster than row-wise calls of the float32 Tanh/Sigmoid here, so it is not offered.
/// float32 with AVX-512 runs one pass of sixteen lanes with <see cref="Kernels.TanhFloat"/> and <see cref="Kernels.SigmoidFloat"/>;
/// other types and CPUs, and the columns past the last full vector, take the plain row-wise definition below each
/// fast kernel. Shapes: B rows, H = <c>hidden</c>; every span holds exactly its stated shape.
/// </summary>
public static class CellKernels
{
    /// <summary>
    /// LSTM step backward. gates [B, 4H] are the forward activations (i, f, g, o); dh [B, H] is ∂L/∂h_t; dc [B, H]
    /// holds ∂L/∂c_t from step t+1 on entry and ∂L/∂c_{t-1} on return; dGates [B, 4H] receives ∂L/∂(pre-activations).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LstmBackward<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> tanhC, ReadOnlySpan<T> dh,
        Span<T> dc, Span<T> dGates, int hidden) where T : IFloatingPointIeee754<T>
    {
        int rows = Rows(gates.Length, 4, hidden, cPrev.Length, tanhC.Length, dh.Length, dc.Length);
        if (dGates.Length != gates.Length) throw new ArgumentException($"dGates has {dGates.Length} values, gates {gates.Length}");
        int H = hidden, done = 0;
        if (typeof(T) == typeof(float) && Vector512.IsHardwareAccelerated)
        {
            done = H - H % 16;
            ref float gr = ref F(gates), cpr = ref F(cPrev), tcr = ref F(tanhC), dhr = ref F(dh), dcr = ref F(dc), dgr = ref F(dGates);
            Vector512<float> one = Vector512<float>.One;
            for (int b = 0; b < rows; b++)
            {
                nuint g0 = (nuint)(b * 4 * H), s0 = (nuint)(b * H);
                for (int j = 0; j < done; j += 16)
                {
                    nuint gi = g0 + (nuint)j, s = s0 + (nuint)j;
                    Vector512<float> i = Vector512.LoadUnsafe(ref gr, gi), f = Vector512.LoadUnsafe(ref gr, gi + (nuint)H);
                    Vector512<float> g = Vector512.LoadUnsafe(ref gr, gi + (nuint)(2 * H)), o = Vector512.LoadUnsafe(ref gr, gi + (nuint)(3 * H));
                    Vector512<float> tc = Vector512.LoadUnsafe(ref tcr, s), dhj = Vector512.LoadUnsafe(ref dhr, s);
                    // forward: h = o ⊙ tanh(c)       →  dc += dh ⊙ o ⊙ (1 − tanh²(c)),  do = dh ⊙ tanh(c)
                    Vector512<float> dcj = Vector512.LoadUnsafe(ref dcr, s) + dhj * o * (one - tc * tc);
                    (dhj * tc * o * (one - o)).StoreUnsafe(ref dgr, gi + (nuint)(3 * H));                       // o = σ(pre_o)
                    // forward: c = f ⊙ c_prev + i ⊙ g  →  di = dc ⊙ g, df = dc ⊙ c_prev, dg = dc ⊙ i, dc_prev = dc ⊙ f
                    (dcj * g * i * (one - i)).StoreUnsafe(ref dgr, gi);                                          // i = σ(pre_i)
                    (dcj * Vector512.LoadUnsafe(ref cpr, s) * f * (one - f)).StoreUnsafe(ref dgr, gi + (nuint)H); // f = σ(pre_f)
                    (dcj * i * (one - g * g)).StoreUnsafe(ref dgr, gi + (nuint)(2 * H));                         // g = tanh(pre_g)
                    (dcj * f).StoreUnsafe(ref dcr, s);
                }
            }
        }
        if (done < H) LstmBackwardRows(gates, cPrev, tanhC, dh, dc, dGates, H, done);
    }

    /// <summary>The definition of <see cref="LstmBackward{T}"/> for columns j0..H-1 of every row.</summary>
    internal static void LstmBackwardRows<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> tanhC, ReadOnlySpan<T> dh,
        Span<T> dc, Span<T> dGates, int H, int j0) where T : IFloatingPointIeee754<T>
    {
        T one = T.One;
        for (int b = 0; b < dc.Length / H; b++)
            for (int j = j0; j < H; j++)
            {
                int gi = b * 4 * H + j, s = b * H + j;
                T i = gates[gi], f = gates[gi + H], g = gates[gi + 2 * H], o = gates[gi + 3 * H], tc = tanhC[s], dhj = dh[s];
                T dcj = dc[s] + dhj * o * (one - tc * tc);
                dGates[gi + 3 * H] = dhj * tc * o * (one - o);
                dGates[gi] = dcj * g * i * (one - i);
                dGates[gi + H] = dcj * cPrev[s] * f * (one - f);
                dGates[gi + 2 * H] = dcj * i * (one - g * g);
                dc[s] = dcj * f;
            }
    }

    /// <summary>
    /// GRU step. gates [B, 3H]: the input side W_i·x + b_i (r, z, n) in, activations r, z, n out; hh [B, 3H] is the
    /// hidden side W_h·h_prev + b_h; r = σ(x_r + hh_r), z = σ(x_z + hh_z), n = tanh(x_n + r ⊙ hh_n),
    /// h = (1 − z) ⊙ n + z ⊙ h_prev, computed as n + z ⊙ (h_prev − n).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GruForward<T>(Span<T> gates, ReadOnlySpan<T> hh, ReadOnlySpan<T> hPrev, Span<T> h, int hidden)
        where T : IFloatingPointIeee754<T>
    {
        int rows = Rows(gates.Length, 3, hidden, hPrev.Length, h.Length);
        if (hh.Length != gates.Length) throw new ArgumentException($"hh has {hh.Length} values, gates {gates.Length}");
        int H = hidden, done = 0;
        if (typeof(T) == typeof(float) && Vector512.IsHardwareAccelerated)
        {
            done = H - H % 16;
            ref float gr = ref F(gates), hhr = ref F(hh), hpr = ref F(hPrev), hr = ref F(h);
            for (int b = 0; b < rows; b++)
            {
                nuint g0 = (nuint)(b * 3 * H), s0 = (nuint)(b * H);
                for (int j = 0; j < done; j += 16)
                {
                    nuint gi = g0 + (nuint)j, s = s0 + (nuint)j, gz = gi + (nuint)H, gn = gi + (nuint)(2 * H);
                    Vector512<float> r = Kernels.SigmoidFloat(Vector512.LoadUnsafe(ref gr, gi) + Vector512.LoadUnsafe(ref hhr, gi));
                    Vector512<float> z = Kernels.SigmoidFloat(Vector512.LoadUnsafe(ref gr, gz) + Vector512.LoadUnsafe(ref hhr, gz));
                    Vector512<float> n = Kernels.TanhFloat(Vector512.LoadUnsafe(ref gr, gn) + r * Vector512.LoadUnsafe(ref hhr, gn));
                    r.StoreUnsafe(ref gr, gi); z.StoreUnsafe(ref gr, gz); n.StoreUnsafe(ref gr, gn);
                    (n + z * (Vector512.LoadUnsafe(ref hpr, s) - n)).StoreUnsafe(ref hr, s);
                }
            }
        }
        if (done < H) GruForwardRows(gates, hh, hPrev, h, H, done);
    }

    /// <summary>The definition of <see cref="GruForward{T}"/> for columns j0..H-1 of every row.</summary>
    internal static void GruForwardRows<T>(Span<T> gates, ReadOnlySpan<T> hh, ReadOnlySpan<T> hPrev, Span<T> h, int H, int j0)
        where T : IFloatingPointIeee754<T>
    {
        int w = H - j0;
        for (int b = 0; b < h.Length / H; b++)
        {
            Span<T> row = gates.Slice(b * 3 * H, 3 * H);
            ReadOnlySpan<T> hhRow = hh.Slice(b * 3 * H, 3 * H);
            Span<T> r = row.Slice(j0, w), z = row.Slice(H + j0, w), n = row.Slice(2 * H + j0, w);
            Kernels.Add<T>(r, hhRow.Slice(j0, w), r); Kernels.Sigmoid<T>(r, r);
            Kernels.Add<T>(z, hhRow.Slice(H + j0, w), z); Kernels.Sigmoid<T>(z, z);
            ReadOnlySpan<T> hn = hhRow.Slice(2 * H + j0, w);
            for (int j = 0; j < w; j++) n[j] += r[j] * hn[j];
            Kernels.Tanh<T>(n, n);
            ReadOnlySpan<T> hp = hPrev.Slice(b * H + j0, w);
            Span<T> hb = h.Slice(b * H + j0, w);
            for (int j = 0; j < w; j++) hb[j] = n[j] + z[j] * (hp[j] - n[j]);
        }
    }

    /// <summary>Checks the shapes against [B, G·H] and [B, H] and returns B.</summary>
    private static int Rows(int gatesLength, int g, int hidden, params ReadOnlySpan<int> stateLengths)
    {
        if (hidden <= 0) throw new ArgumentOutOfRangeException(nameof(hidden), $"hidden size must be positive, got {hidden}");
        if (gatesLength % (g * hidden) != 0) throw new ArgumentException($"gates has {gatesLength} values, not a multiple of {g}·H = {g * hidden}");
        int rows = gatesLength / (g * hidden);
        foreach (int length in stateLengths)
            if (length != rows * hidden) throw new ArgumentException($"a state span has {length} values, expected [B={rows}, H={hidden}]");
        return rows;
    }

    /// <summary>The first float of a span the caller has just tested to hold floats.</summary>
    private static ref float F<T>(ReadOnlySpan<T> x) => ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(x));
}
