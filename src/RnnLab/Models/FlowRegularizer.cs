using System.Numerics;
using RnnLab.Numerics;

namespace RnnLab.Models;

/// <summary>
/// The vanishing-gradient regulariser of Pascanu, Mikolov &amp; Bengio 2013 ("On the difficulty of training recurrent
/// neural networks", eq. 9), which asks every step Jacobian to preserve the norm of the gradient it carries:
/// <code>
///   Ω = Σ_k ( ‖(∂E/∂h_k)·∂h_k/∂h_{k−1}‖² / ‖∂E/∂h_k‖² − 1 )²
/// </code>
/// for a tanh RNN, where (∂E/∂h_k)·∂h_k/∂h_{k−1} = u_k·W_hh with u_k = ∂E/∂h_k ⊙ (1 − h_k²) = ∂E/∂z_k. As in the
/// authors' code (trainingRNNs/RNN.py): squared norms, one term per step k and sequence b, terms whose
/// ‖∂E/∂h_k‖² &lt; 10⁻²⁰ skipped, the sum divided by the number of terms kept, and the gradient taken with respect to
/// W_hh only, holding ∂E/∂h_k and the activations constant (their consider-constant clone), so that
/// <code>
///   ∂Ω/∂W_hh = Σ_{k,b} 4·(r − 1)/(N·‖v‖²) · uᵀ(u·W_hh),   r = ‖u·W_hh‖²/‖v‖²,  v = ∂E/∂h_k
/// </code>
/// is one GEMM over the stacked steps. The trainer adds α·∂Ω/∂W_hh to the loss gradient of W_hh (their α = 2).
/// </summary>
public static class FlowRegularizer
{
    /// <summary>Terms with ‖∂E/∂h_k‖² below this are skipped (the authors' <c>bound</c>).</summary>
    public const double Bound = 1e-20;

    /// <summary>The authors' default weight α.</summary>
    public const double DefaultAlpha = 2.0;

    /// <summary>
    /// ∂E/∂h_k for every step of the last backward pass of a tanh RNN, [T, B, H]: the readout's own term plus what
    /// step k + 1 carried back, v_k = dOutput_k + u_{k+1}·W_hh (v_T = dOutput_T). Full BPTT only.
    /// </summary>
    public static T[] StateGradients<T>(RnnLayer<T> layer, ReadOnlySpan<T> dOutput) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int T_ = layer.Steps, B = layer.Batch, H = layer.HiddenSize, bh = B * H;
        if (dOutput.Length != T_ * bh) throw new ArgumentException($"dOutput has {dOutput.Length} values, expected [T={T_}, B={B}, H={H}]");
        var carried = new T[T_ * bh];                                      // [T, B, H]  u_k·W_hh
        Gemm.Multiply(Op.N, Op.N, T_ * B, H, H, layer.PreActivationGradients, layer.WeightHH.Value, carried, accumulate: false);
        var v = dOutput.ToArray();
        for (int k = 0; k + 1 < T_; k++)
        {
            Span<T> vk = v.AsSpan(k * bh, bh);
            Kernels.Add(vk, carried.AsSpan((k + 1) * bh, bh), vk);
        }
        return v;
    }

    /// <summary>
    /// Ω for u = ∂E/∂z [T·B, H], v = ∂E/∂h [T·B, H] and W_hh [H, H]; adds α·∂Ω/∂W_hh into <paramref name="dWeight"/> when
    /// it is not empty. Returns Ω (0 when no term is kept) and the number of terms kept.
    /// </summary>
    public static (double Omega, int Terms) Apply<T>(ReadOnlySpan<T> u, ReadOnlySpan<T> v, ReadOnlySpan<T> weight, int hidden,
        double alpha, Span<T> dWeight) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int H = hidden, rows = u.Length / H;
        if (u.Length != rows * H || v.Length != u.Length) throw new ArgumentException($"u has {u.Length} and v {v.Length} values, expected the same [T·B, H={H}]");
        if (weight.Length != H * H) throw new ArgumentException($"W_hh has {weight.Length} values, expected [{H}, {H}]");
        var s = new T[rows * H];                                           // [T·B, H]  u·W_hh
        Gemm.Multiply(Op.N, Op.N, rows, H, H, u, weight, s, accumulate: false);
        var ratio = new double[rows];
        var norm = new double[rows];
        int kept = 0;
        for (int r = 0; r < rows; r++)
        {
            norm[r] = Kernels.SumOfSquares<T>(v.Slice(r * H, H));
            if (norm[r] < Bound) { ratio[r] = double.NaN; continue; }
            ratio[r] = Kernels.SumOfSquares<T>(s.AsSpan(r * H, H)) / norm[r];
            kept++;
        }
        if (kept == 0) return (0, 0);
        double omega = 0;
        for (int r = 0; r < rows; r++) if (!double.IsNaN(ratio[r])) omega += (ratio[r] - 1) * (ratio[r] - 1);
        omega /= kept;
        if (!dWeight.IsEmpty)
        {
            // dW += uᵀ·(c ⊙ s), c_r = α·4·(r − 1)/(N·‖v_r‖²), each row of s scaled by its c
            for (int r = 0; r < rows; r++)
            {
                T c = double.IsNaN(ratio[r]) ? T.Zero : T.CreateTruncating(alpha * 4 * (ratio[r] - 1) / (kept * norm[r]));
                Span<T> row = s.AsSpan(r * H, H);
                for (int j = 0; j < H; j++) row[j] *= c;
            }
            Gemm.Multiply(Op.T, Op.N, H, H, rows, u, s, dWeight, accumulate: true);
        }
        return (omega, kept);
    }
}
