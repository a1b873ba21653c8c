using RnnLab.Analysis;
using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Training;

/// <summary>
/// The top Lyapunov exponent λ₁ of a trained network along one held-out sequence of its task: the per-step log growth
/// rate of ‖∂h_T/∂h_{T−k}‖, whose exp is the effective ρ the lesson's ρ^k needs. rnn, relu, lstm and gru go through
/// <see cref="FlowProfile"/> in float64; expRNN's step Jacobian is J_t = diag(d_t)·exp(A), d_t = [h_t ≠ 0] for
/// modReLU (the derivative of sign(z)·relu(|z| + b), nonzero exactly where h is) and 1 − h_t² for tanh.
/// </summary>
public static class TrainedFlow
{
    const ulong SequenceSeed = 0x1A9A;

    /// <summary>λ₁ of the trained first layer along one sequence drawn from the task with a fixed seed.</summary>
    public static double TopLyapunov(Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var batch = trainer.Task.Generate(1, new SeededRandom(SequenceSeed));
        int T = batch.Steps;
        var layer = trainer.Model.Stack.Layer(0);
        if (layer is ExpRnnLayer<float> exp) return ExpRnnTopLyapunov(exp, batch.Inputs, T);
        double[] x = [.. batch.Inputs.Select(v => (double)v)];
        var result = FlowProfile.Compute(layer, x, T, new FlowOptions { LyapunovCount = 1, ComputeSpectralRadius = false });
        return result.LyapunovExponents[0];
    }

    static double ExpRnnTopLyapunov(ExpRnnLayer<float> layer, float[] x, int steps)
    {
        int H = layer.HiddenSize;
        var probe = new ExpRnnLayer<double>(layer.InputSize, H, layer.Nonlinearity);
        for (int p = 0; p < layer.Parameters.Count; p++)
            for (int i = 0; i < layer.Parameters[p].Size; i++) probe.Parameters[p].Value[i] = layer.Parameters[p].Value[i];
        probe.Forward([.. x.Select(v => (double)v)], steps, 1);          // recomputes W_hh = exp(A) in double
        double[] h = probe.HiddenStates.ToArray(), w = probe.WeightHH.Value;
        bool tanh = layer.Nonlinearity == Nonlinearity.Tanh;
        return Lyapunov.Exponents((t, j) =>
        {
            for (int r = 0; r < H; r++)
            {
                double ht = h[t * H + r], d = tanh ? 1 - ht * ht : ht != 0 ? 1 : 0;
                for (int c = 0; c < H; c++) j[r * H + c] = d * w[r * H + c];
            }
        }, steps, H, 1)[0];
    }
}
