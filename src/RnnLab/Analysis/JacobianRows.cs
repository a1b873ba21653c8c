using System.Numerics.Tensors;
using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Analysis;

/// <summary>
/// Row vectors times one step Jacobian, result[m, S] = rows[m, S]·J_t, without forming J_t where its structure
/// allows: what every sweep does at every step. Late in a sweep only a few rows are left, and forming the dense
/// [S, S] Jacobian then costs more than the product itself, so the tanh RNN (J = diag(d)·W_hh: scale the columns,
/// multiply by W_hh) and the LSTM (the cell's backward step below) never form it; the GRU does
/// (<see cref="StepJacobian.Dense"/>). Same numbers as rows·J to rounding (tests compare the two).
/// <para>
/// LSTM, rows u = (u_h [H_out], u_c [H]), m = o ⊙ tanh c, h = m or W_hr·m: with u_m = u_h (or u_h·W_hr) and, per unit,
/// w = u_m·dc + u_c (the row's weight on c_t, through h and directly),
/// <code>
///   u·∂s_t/∂h_{t−1} = [w·ai, w·af, w·ag, u_m·ao]·W_hh      (the gate blocks i, f, g, o of W_hh [4H, H_out])
///   u·∂s_t/∂c_{t−1} = w·f
/// </code>
/// with the factors of <see cref="StepJacobian.LstmTerms"/>: one GEMM of 4·m·H·H_out multiply-adds, as rows·J, and
/// O(m·H) besides instead of forming J's (H_out + H)² entries.
/// </para>
/// </summary>
internal sealed class JacobianRows(CellWeights cell)
{
    readonly double[] _d = new double[cell.HiddenSize];                  // RNN: the diagonal; LSTM: unused
    readonly double[] _jac = cell.Kind == CellKind.Gru ? new double[cell.StateSize * cell.StateSize] : [];
    readonly double[] _ai = new double[cell.HiddenSize], _af = new double[cell.HiddenSize], _ag = new double[cell.HiddenSize],
        _ao = new double[cell.HiddenSize], _dc = new double[cell.HiddenSize], _f = new double[cell.HiddenSize];
    double[] _delta = [], _um = [], _vh = [];

    /// <summary>result[m, S] = rows[m, S]·J_t (t 1-based); <paramref name="rows"/> may be overwritten.</summary>
    public void Apply(CellTrajectory tr, int t, Span<double> rows, int m, Span<double> result)
    {
        int S = cell.StateSize;
        switch (cell.Kind)
        {
            case CellKind.Rnn:
                StepJacobian.RnnDiagonal(tr, t, _d);
                for (int j = 0; j < m; j++) TensorPrimitives.Multiply(rows.Slice(j * S, S), _d, rows.Slice(j * S, S));
                Gemm.Multiply<double>(Op.N, Op.N, m, S, S, rows[..(m * S)], cell.WeightHH, result[..(m * S)], accumulate: false);
                break;
            case CellKind.Lstm:
                Lstm(tr, t, rows, m, result);
                break;
            default:
                StepJacobian.Dense(tr, t, _jac);
                Gemm.Multiply<double>(Op.N, Op.N, m, S, S, rows[..(m * S)], _jac, result[..(m * S)], accumulate: false);
                break;
        }
    }

    void Lstm(CellTrajectory tr, int t, ReadOnlySpan<double> rows, int m, Span<double> result)
    {
        int H = cell.HiddenSize, Ho = cell.OutputSize, S = cell.StateSize;
        ReadOnlySpan<double> gates = tr.GatesAt(t), cPrev = tr.CellAt(t - 1), c = tr.CellAt(t);
        for (int r = 0; r < H; r++) (_ai[r], _af[r], _ag[r], _ao[r], _dc[r], _f[r]) = StepJacobian.LstmTerms(gates, cPrev, c, H, r);
        if (_delta.Length < m * 4 * H) { _delta = new double[m * 4 * H]; _um = new double[m * H]; _vh = new double[m * Ho]; }
        Span<double> um = _um.AsSpan(0, m * H);                          // [m, H]: the rows' weight on m_t
        if (cell.ProjSize > 0)
        {
            for (int j = 0; j < m; j++) rows.Slice(j * S, Ho).CopyTo(_vh.AsSpan(j * Ho, Ho));
            Gemm.Multiply<double>(Op.N, Op.N, m, H, Ho, _vh.AsSpan(0, m * Ho), cell.WeightHR, um, accumulate: false);
        }
        else
            for (int j = 0; j < m; j++) rows.Slice(j * S, Ho).CopyTo(um.Slice(j * H, H));
        for (int j = 0; j < m; j++)
        {
            ReadOnlySpan<double> umj = um.Slice(j * H, H), uc = rows.Slice(j * S + Ho, H);
            Span<double> delta = _delta.AsSpan(j * 4 * H, 4 * H), w = delta[(3 * H)..];
            TensorPrimitives.MultiplyAdd(umj, _dc, uc, w);               // w = u_m·dc + u_c, parked in the o block
            TensorPrimitives.Multiply(w, _f, result.Slice(j * S + Ho, H)); // u·∂s/∂c_prev = w·f
            TensorPrimitives.Multiply(w, _ai, delta[..H]);
            TensorPrimitives.Multiply(w, _af, delta.Slice(H, H));
            TensorPrimitives.Multiply(w, _ag, delta.Slice(2 * H, H));
            TensorPrimitives.Multiply(umj, _ao, w);                       // the o block: u_m·ao
        }
        Gemm.Multiply<double>(Op.N, Op.N, m, Ho, 4 * H, _delta.AsSpan(0, m * 4 * H), cell.WeightHH, _vh.AsSpan(0, m * Ho), accumulate: false);
        for (int j = 0; j < m; j++) _vh.AsSpan(j * Ho, Ho).CopyTo(result.Slice(j * S, Ho));
    }
}
