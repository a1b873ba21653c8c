using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RnnLab.Analysis;
using RnnLab.Models;

namespace RnnLab.Web.Sections;

/// <summary>
/// Section 7, the LSTM's way out: on one input sequence, the LSTM's cell path ‖∂c_T/∂c_{T−k}‖₂ = ‖Π diag(f_t)‖₂
/// beside a tanh RNN's ‖∂h_T/∂h_{T−k}‖₂, both from <see cref="FlowProfile"/>. The forget-gate bias is the control
/// that matters: it sets how close to 1 the forget gates sit (Gers, Schmidhuber &amp; Cummins 2000).
/// </summary>
static class CellPathEndpoints
{
    public static void MapCellPath(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/lstm", (HttpRequest request) =>
        {
            var q = new Inputs(request.Query);
            int steps = q.Int("steps", 2, Limits.JacobianMaxSteps, 100);
            int hidden = q.Int("hidden", 1, Limits.JacobianMaxHidden, 16);
            double forgetBias = q.Double("forgetBias", -2, 5, 2);
            int seed = q.Int("seed", 0, 1_000_000, 1);
            if (q.Problem is { } bad) return bad;
            return Results.Ok(Compute(steps, hidden, forgetBias, (ulong)seed));
        });
    }

    /// <summary>Both cells PyTorch-initialised with the same seed; the LSTM's forget-gate biases set to the chosen value.</summary>
    public static object Compute(int steps, int hidden, double forgetBias, ulong seed)
    {
        var x = LabModels.Sequence(steps, seed);
        var lstm = LabModels.Layer(CellKind.Lstm, hidden, "pytorch", null, seed);
        // Gate order i, f, g, o: the f block is rows H..2H. b_ih + b_hh is what enters the gate, so put it all in b_ih.
        lstm.BiasIH.Value.AsSpan(hidden, hidden).Fill(forgetBias);
        lstm.BiasHH.Value.AsSpan(hidden, hidden).Clear();
        var rnn = LabModels.Layer(CellKind.Rnn, hidden, "pytorch", null, seed);
        var lstmFlow = FlowProfile.Compute(lstm, x, steps);
        var rnnFlow = FlowProfile.Compute(rnn, x, steps);
        return new
        {
            steps,
            hidden,
            forgetBias,
            distances = Enumerable.Range(0, steps),
            log10CellPath = lstmFlow.Log10CellSpectralNorm,
            log10LstmHidden = lstmFlow.Log10SpectralNorm,
            log10Rnn = rnnFlow.Log10SpectralNorm,
            facts = new object[]
            {
                new { label = "LSTM cell path after all steps (log₁₀)", value = lstmFlow.Log10CellSpectralNorm![^1] },
                new { label = "tanh RNN after all steps (log₁₀)", value = rnnFlow.Log10SpectralNorm[^1] },
                new { label = "tanh RNN horizon (steps to 1%)", value = (double)rnnFlow.Horizon },
                new { label = "tanh RNN effective ρ", value = rnnFlow.EffectiveRho },
            },
        };
    }
}
