using RnnLab.Models;

namespace RnnLab.Analysis;

/// <summary>
/// The Jacobian of one recurrent step, ∂s_t/∂s_{t−1}, formed in float64 from a <see cref="CellTrajectory"/>.
///
/// Convention (numerator layout): J[i, j] = ∂s_t[i] / ∂s_{t−1}[j], so J maps a perturbation of the previous state
/// forwards, δs_t = J·δs_{t−1}, and products read left to right from late to early:
/// ∂s_T/∂s_{T−k} = J_T·J_{T−1}···J_{T−k+1}. For the tanh RNN this is J_t = diag(1 − h_t²)·W_hh; for expRNN with
/// modReLU J_t = diag([h_t ≠ 0])·exp(A), the derivative the engine's backward pass uses (<see cref="ModRelu.Derivative"/>).
/// The lesson writes J_t = W_hᵀ·diag(tanh′(z_t)): that is the transpose, the matrix that carries a gradient
/// (row) vector backwards, ∂L/∂h_{t−1} = J_tᵀ·∂L/∂h_t. A matrix and its transpose have the same singular values
/// (and the same eigenvalues), so every norm and spectrum reported here is the same in either convention.
///
/// State s: h for the RNN and GRU ([H]); (h, c) stacked for the LSTM ([2H], h first), whose Jacobian is
/// <code>
///   [ ∂h_t/∂h_{t−1}   ∂h_t/∂c_{t−1} ]
///   [ ∂c_t/∂h_{t−1}   ∂c_t/∂c_{t−1} ]     with ∂c_t/∂c_{t−1} = diag(f_t) and ∂h_t/∂c_{t−1} = diag(o_t·(1 − tanh²c_t)·f_t).
/// </code>
/// Gate derivatives follow the equations in <see cref="CellTrajectory"/> (PyTorch's documentation of nn.RNN,
/// nn.LSTM and nn.GRU).
/// </summary>
public static class StepJacobian
{
    /// <summary>The full state Jacobian of step t (1-based) into <paramref name="j"/> [S, S], S = <see cref="CellWeights.StateSize"/>.</summary>
    public static void Dense(CellTrajectory tr, int t, Span<double> j)
    {
        var cell = tr.Cell;
        int H = cell.HiddenSize, S = cell.StateSize;
        if (t < 1 || t > tr.Steps) throw new ArgumentOutOfRangeException(nameof(t), $"step must be in 1..{tr.Steps}, got {t}");
        if (j.Length != S * S) throw new ArgumentException($"Jacobian buffer has {j.Length} values, expected [{S}, {S}]");
        j.Clear();
        ReadOnlySpan<double> w = cell.WeightHH;
        switch (cell.Kind)
        {
            case CellKind.Rnn:
            {
                // forward: h_t = act(z_t), z_t = … + W_hh h_{t−1}  →  J = diag(act′(z_t))·W_hh
                double[] dv = new double[H];
                RnnDiagonal(tr, t, dv);
                for (int r = 0; r < H; r++)
                    for (int c = 0; c < H; c++) j[r * H + c] = dv[r] * w[r * H + c];
                break;
            }
            case CellKind.Lstm:
                LstmBlocks(tr, t, j);
                break;
            case CellKind.Gru:
                Gru(tr, t, j);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(tr));
        }
    }

    /// <summary>
    /// RNN: the diagonal d_t of J_t = diag(d_t)·W_hh: 1 − h_t² for tanh, [h_t &gt; 0] for ReLU, [h_t ≠ 0] for modReLU
    /// (the derivative written in terms of the output, as the backward pass uses it).
    /// </summary>
    public static void RnnDiagonal(CellTrajectory tr, int t, Span<double> d)
    {
        ReadOnlySpan<double> h = tr.HiddenAt(t);
        var nl = tr.Cell.Nonlinearity;
        for (int r = 0; r < h.Length; r++)
            d[r] = nl switch
            {
                Nonlinearity.Tanh => 1 - h[r] * h[r],
                Nonlinearity.Relu => h[r] > 0 ? 1.0 : 0.0,
                _ => ModRelu.Derivative(h[r]),
            };
    }

    /// <summary>
    /// LSTM: the [S, S] Jacobian of (h_t, c_t) w.r.t. (h_{t−1}, c_{t−1}), h first, S = H_out + H. With a projection
    /// h = W_hr·m, m = o ⊙ tanh c, the h rows are W_hr times the rows of m.
    /// </summary>
    static void LstmBlocks(CellTrajectory tr, int t, Span<double> j)
    {
        var cell = tr.Cell;
        int H = cell.HiddenSize, Ho = cell.OutputSize, S = cell.StateSize;
        bool proj = cell.ProjSize > 0;
        ReadOnlySpan<double> w = cell.WeightHH;             // [4H, H_out], blocks i, f, g, o
        ReadOnlySpan<double> gates = tr.GatesAt(t);
        ReadOnlySpan<double> cPrev = tr.CellAt(t - 1), c = tr.CellAt(t);
        Span<double> mRows = proj ? new double[H * S] : j[..(H * S)];   // ∂m_t/∂s_{t−1}, [H, S]
        for (int r = 0; r < H; r++)
        {
            Span<double> rowM = mRows.Slice(r * S, S), rowC = j.Slice((Ho + r) * S, S);
            var (dc, f) = LstmGateRows(gates, cPrev, c, H, r, w, Ho, rowM, rowC);
            // forward: c = f·c_prev + …  →  ∂c/∂c_prev = diag(f);  ∂m/∂c_prev = o(1−tanh²c)·f
            rowC[Ho + r] = f;
            rowM[Ho + r] = dc * f;
        }
        // forward: h = W_hr·m  →  ∂h/∂s_prev = W_hr·∂m/∂s_prev
        if (proj) Numerics.Gemm.Multiply<double>(Numerics.Op.N, Numerics.Op.N, Ho, S, H, cell.WeightHR, mRows, j[..(Ho * S)], accumulate: false);
    }

    /// <summary>
    /// LSTM unit r's factors of the chain rule at one step, shared by the state and input Jacobians and by
    /// <see cref="JacobianRows"/>: ∂c/∂(W·) = ai·W_i + af·W_f + ag·W_g through the gates, ∂m/∂(W·) = ao·W_o + dc·∂c/∂(W·)
    /// with m = o ⊙ tanh c, and f, the direct path c_prev → c.
    /// </summary>
    internal static (double Ai, double Af, double Ag, double Ao, double Dc, double F) LstmTerms(ReadOnlySpan<double> gates,
        ReadOnlySpan<double> cPrev, ReadOnlySpan<double> c, int H, int r)
    {
        double i = gates[r], f = gates[H + r], g = gates[2 * H + r], o = gates[3 * H + r];
        double tc = Math.Tanh(c[r]);
        // forward: c = f·c_prev + i·g  →  ∂c/∂h_prev = c_prev·f(1−f)·W_hf + g·i(1−i)·W_hi + i·(1−g²)·W_hg
        double ai = g * i * (1 - i), af = cPrev[r] * f * (1 - f), ag = i * (1 - g * g);
        // forward: m = o·tanh(c)  →  ∂m/∂h_prev = tanh(c)·o(1−o)·W_ho + o(1−tanh²c)·∂c/∂h_prev
        double ao = tc * o * (1 - o), dc = o * (1 - tc * tc);
        return (ai, af, ag, ao, dc, f);
    }

    /// <summary>
    /// Row r of ∂c_t/∂v (into <paramref name="rowC"/>) and ∂m_t/∂v (into <paramref name="rowM"/>), for v = h_{t−1}
    /// with w = W_hh or v = x_t with w = W_ih ([4H, width], blocks i, f, g, o): both reach c and m through the
    /// same gate terms, only the weight differs. Returns the terms the c_{t−1} columns need.
    /// </summary>
    static (double Dc, double F) LstmGateRows(ReadOnlySpan<double> gates, ReadOnlySpan<double> cPrev, ReadOnlySpan<double> c, int H, int r,
        ReadOnlySpan<double> w, int width, Span<double> rowM, Span<double> rowC)
    {
        var (ai, af, ag, ao, dc, f) = LstmTerms(gates, cPrev, c, H, r);
        ReadOnlySpan<double> wi = w.Slice(r * width, width), wf = w.Slice((H + r) * width, width),
            wg = w.Slice((2 * H + r) * width, width), wo = w.Slice((3 * H + r) * width, width);
        for (int k = 0; k < width; k++)
        {
            double dcdv = af * wf[k] + ai * wi[k] + ag * wg[k];
            rowC[k] = dcdv;
            rowM[k] = ao * wo[k] + dc * dcdv;
        }
        return (dc, f);
    }

    /// <summary>
    /// The input Jacobian of step t (1-based), ∂s_t/∂x_t [S, I]: the same chain rule as the state Jacobian with W_ih
    /// in place of W_hh (the input enters every gate; the GRU's reset gate multiplies only W_hn·h + b_hn, and the
    /// previous state's direct paths, z ⊙ h_prev and f ⊙ c_prev, do not involve x).
    /// </summary>
    public static void Input(CellTrajectory tr, int t, Span<double> e)
    {
        var cell = tr.Cell;
        int H = cell.HiddenSize, Ho = cell.OutputSize, S = cell.StateSize, I = cell.InputSize;
        if (t < 1 || t > tr.Steps) throw new ArgumentOutOfRangeException(nameof(t), $"step must be in 1..{tr.Steps}, got {t}");
        if (e.Length != S * I) throw new ArgumentException($"input Jacobian buffer has {e.Length} values, expected [{S}, {I}]");
        ReadOnlySpan<double> w = cell.WeightIH;             // [G·H, I]
        ReadOnlySpan<double> gates = tr.GatesAt(t);
        switch (cell.Kind)
        {
            case CellKind.Rnn:
            {
                // forward: h = act(W_ih x + …)  →  ∂h/∂x = diag(act′)·W_ih
                Span<double> d = new double[H];
                RnnDiagonal(tr, t, d);
                for (int r = 0; r < H; r++)
                    for (int k = 0; k < I; k++) e[r * I + k] = d[r] * w[r * I + k];
                break;
            }
            case CellKind.Lstm:
            {
                bool proj = cell.ProjSize > 0;
                ReadOnlySpan<double> cPrev = tr.CellAt(t - 1), c = tr.CellAt(t);
                Span<double> mRows = proj ? new double[H * I] : e[..(H * I)];
                for (int r = 0; r < H; r++)
                    LstmGateRows(gates, cPrev, c, H, r, w, I, mRows.Slice(r * I, I), e.Slice((Ho + r) * I, I));
                if (proj) Numerics.Gemm.Multiply<double>(Numerics.Op.N, Numerics.Op.N, Ho, I, H, cell.WeightHR, mRows, e[..(Ho * I)], accumulate: false);
                break;
            }
            case CellKind.Gru:
            {
                ReadOnlySpan<double> hPrev = tr.HiddenAt(t - 1);
                ReadOnlySpan<double> hn = tr.HiddenPreN.AsSpan((t - 1) * H, H);
                for (int q = 0; q < H; q++)
                {
                    double r = gates[q], z = gates[H + q], n = gates[2 * H + q];
                    // forward: n = tanh(W_in x + b_in + r·(W_hn h + b_hn)), r = σ(W_ir x + …), z = σ(W_iz x + …)
                    double dn = (1 - z) * (1 - n * n);
                    double an = dn, ar = dn * hn[q] * r * (1 - r), az = (hPrev[q] - n) * z * (1 - z);
                    ReadOnlySpan<double> wr = w.Slice(q * I, I), wz = w.Slice((H + q) * I, I), wn = w.Slice((2 * H + q) * I, I);
                    Span<double> row = e.Slice(q * I, I);
                    for (int k = 0; k < I; k++) row[k] = an * wn[k] + ar * wr[k] + az * wz[k];
                }
                break;
            }
            default: throw new ArgumentOutOfRangeException(nameof(tr));
        }
    }

    /// <summary>GRU: the [H, H] Jacobian of h_t w.r.t. h_{t−1}.</summary>
    static void Gru(CellTrajectory tr, int t, Span<double> j)
    {
        int H = tr.Cell.HiddenSize;
        ReadOnlySpan<double> w = tr.Cell.WeightHH;          // [3H, H], blocks r, z, n
        ReadOnlySpan<double> gates = tr.GatesAt(t), hPrev = tr.HiddenAt(t - 1);
        ReadOnlySpan<double> hn = tr.HiddenPreN.AsSpan((t - 1) * H, H);
        for (int q = 0; q < H; q++)
        {
            double r = gates[q], z = gates[H + q], n = gates[2 * H + q];
            // forward: h = (1−z)·n + z·h_prev            →  ∂h/∂h_prev = (1−z)·∂n/∂h_prev + (h_prev − n)·∂z/∂h_prev + diag(z)
            // forward: n = tanh(x_n + r·(W_hn h_prev + b_hn)) →  ∂n/∂h_prev = (1−n²)·(r·W_hn + (W_hn h_prev + b_hn)·∂r/∂h_prev)
            // forward: r = σ(…+W_hr h_prev), z = σ(…+W_hz h_prev) → ∂r/∂h_prev = r(1−r)·W_hr, ∂z/∂h_prev = z(1−z)·W_hz
            double dn = (1 - z) * (1 - n * n);
            double an = dn * r, ar = dn * hn[q] * r * (1 - r), az = (hPrev[q] - n) * z * (1 - z);
            ReadOnlySpan<double> wr = w.Slice(q * H, H), wz = w.Slice((H + q) * H, H), wn = w.Slice((2 * H + q) * H, H);
            Span<double> row = j.Slice(q * H, H);
            for (int k = 0; k < H; k++) row[k] = an * wn[k] + ar * wr[k] + az * wz[k];
            row[q] += z;
        }
    }

    /// <summary>LSTM: the diagonal of ∂c_t/∂c_{t−1} with h held fixed, f_t ([H]).</summary>
    public static ReadOnlySpan<double> ForgetGate(CellTrajectory tr, int t)
    {
        if (tr.Cell.Kind != CellKind.Lstm) throw new InvalidOperationException("only the LSTM has a forget gate");
        int H = tr.Cell.HiddenSize;
        return tr.GatesAt(t).Slice(H, H);
    }

    /// <summary>
    /// Central finite differences of the step map, J[i, j] ≈ (s_t(s + εe_j) − s_t(s − εe_j))[i] / 2ε: the reference
    /// the analytic Jacobians are tested against.
    /// </summary>
    public static double[] FiniteDifference(CellTrajectory tr, int t, ReadOnlySpan<double> x, double eps = 1e-6)
    {
        var cell = tr.Cell;
        int H = cell.OutputSize, S = cell.StateSize;
        bool lstm = cell.Kind == CellKind.Lstm;
        var s = new double[S];
        tr.HiddenAt(t - 1).CopyTo(s);
        if (lstm) tr.CellAt(t - 1).CopyTo(s.AsSpan(H));
        var plus = new double[S];
        var minus = new double[S];
        var jac = new double[S * S];
        for (int col = 0; col < S; col++)
        {
            double keep = s[col];
            s[col] = keep + eps;
            Eval(cell, x, s, plus);
            s[col] = keep - eps;
            Eval(cell, x, s, minus);
            s[col] = keep;
            for (int row = 0; row < S; row++) jac[row * S + col] = (plus[row] - minus[row]) / (2 * eps);
        }
        return jac;
    }

    static void Eval(CellWeights cell, ReadOnlySpan<double> x, double[] s, double[] outState)
    {
        int Ho = cell.OutputSize, H = cell.HiddenSize;
        bool lstm = cell.Kind == CellKind.Lstm;
        CellTrajectory.StepMap(cell, x, s.AsSpan(0, Ho), lstm ? s.AsSpan(Ho, H) : default,
            outState.AsSpan(0, Ho), lstm ? outState.AsSpan(Ho, H) : default);
    }
}
