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
    /// <summary>Starts where the lesson's training runs start their gated cells, so sections 5 and 7 agree.</summary>
    public static readonly Control ForgetBias = new("forgetBias", -2, 5, Lesson.LessonDefaults.GateBias, Step: 0.5);

    public static void MapCellPath(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/lstm", (HttpRequest request) =>
        {
            var q = new Inputs(request.Query);
            int steps = q.Int(Limits.CellPath.Steps);
            int hidden = q.Int(Limits.CellPath.Hidden);
            double forgetBias = q.Double(ForgetBias);
            int seed = q.Int(Limits.CellPath.Seed);
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
            log10CellPath = lstmFlow.Log10CellPathNorm,
            log10LstmHidden = lstmFlow.Log10SpectralNorm,
            log10LstmHiddenNote = lstmFlow.Log10SpectralNormNote,   // the k refused below the rounding floor, as flow --json says
            log10Rnn = rnnFlow.Log10SpectralNorm,
            facts = new object[]
            {
                // log10 marks a value sent as its log₁₀ (it may be far below double's range); the page shows 10^value,
                // and 0 where zero says the norm is exactly 0 (its log₁₀, −∞, is written null).
                Log10Fact($"LSTM cell path ‖∏ diag(f_t)‖ after {steps - 1} steps", lstmFlow.Log10CellPathNorm![^1]),
                Log10Fact($"tanh RNN ‖∂h_T/∂h_0‖ after {steps - 1} steps", rnnFlow.Log10SpectralNorm[^1]),
                new { label = $"tanh RNN horizon (last k above {rnnFlow.HorizonThreshold * 100:0.#}%)", value = (double)rnnFlow.Horizon, log10 = false, zero = false },
                new { label = "tanh RNN effective ρ", value = rnnFlow.EffectiveRho, log10 = false, zero = false },
            },
        };
    }

    static object Log10Fact(string label, double log10) => new { label, value = log10, log10 = true, zero = double.IsNegativeInfinity(log10) };
}
