using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RnnLab.Numerics;
using RnnLab.Analysis;
using RnnLab.Models;

namespace RnnLab.Web.Sections;

/// <summary>
/// Section 3, the Jacobian lab: a cell with W_hh at a chosen spectral radius run on a random sequence; the
/// eigenvalues of W_hh (each gate block for LSTM and GRU), the measured flow profile ‖∂h_T/∂h_{T−k}‖₂ beside ρ^k,
/// and the effective ρ, Lyapunov exponents and horizon, all from <see cref="FlowProfile"/> and <see cref="Spectra"/>.
/// </summary>
static class JacobianEndpoints
{
    public static void MapJacobian(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/jacobian", (HttpRequest request) =>
        {
            var q = new Inputs(request.Query);
            string cell = q.Choice("cell", TrainRequest.Cells, "rnn");
            string init = q.Choice("init", LabModels.Inits, "orthogonal");
            int hidden = q.Int("hidden", 1, Limits.JacobianMaxHidden, 16);
            double rho = q.Double("rho", 0.05, Limits.MaxSpectralRadius, 0.9);
            int steps = q.Int("steps", 2, Limits.JacobianMaxSteps, 60);
            int seed = q.Int("seed", 0, 1_000_000, 1);
            if (q.Problem is { } bad) return bad;
            return Results.Ok(Compute(cell, init, hidden, rho, steps, (ulong)seed));
        });
    }

    public static object Compute(string cell, string init, int hidden, double rho, int steps, ulong seed)
    {
        var (kind, _) = CellKinds.Parse(cell);
        var layer = LabModels.Layer(kind, hidden, init, rho, seed);
        var flow = FlowProfile.Compute(layer, LabModels.Sequence(steps, seed), steps);
        string[] gateNames = kind switch { CellKind.Lstm => ["i", "f", "g", "o"], CellKind.Gru => ["r", "z", "n"], _ => ["h"] };
        int hh = hidden * hidden;
        var blocks = gateNames.Select((g, b) => new
        {
            gate = g,
            eigenvalues = Spectra.Eigenvalues(layer.WeightHH.Value.AsSpan(b * hh, hh), hidden),
        }).ToArray();
        double spectralRadius = flow.SpectralRadius ?? Spectra.SpectralRadius(layer.WeightHH.Value.AsSpan(0, hh), hidden);
        var distances = Enumerable.Range(0, steps).ToArray();
        // ρ^k for k = 0..T−1 is ρ^(n−1) for n = 1..T.
        var rhoPowers = DecayTable.Compute([spectralRadius], distances.Select(k => k + 1)).Select(e => e.Value);
        var effectivePowers = DecayTable.Compute([flow.EffectiveRho], distances.Select(k => k + 1)).Select(e => e.Value);
        return new
        {
            cell = kind.Name(),
            hidden,
            steps,
            matrixName = kind == CellKind.Rnn ? "W_hh" : "W_hh gate blocks",
            blocks,
            spectralRadius,
            gateSpectralRadii = flow.GateSpectralRadii,
            distances,
            log10Norm = flow.Log10SpectralNorm,
            rhoPower = rhoPowers,
            effectivePower = effectivePowers,
            effectiveRho = flow.EffectiveRho,
            lyapunov = flow.LyapunovExponents,
            horizon = flow.Horizon,
            horizonThreshold = flow.HorizonThreshold,
            command = FormattableString.Invariant(
                $"rnnlab flow --cell {kind.Name()} --hidden {hidden} --input {LabModels.InputSize} --init {init} --rho {rho} --seq {steps} --seed {seed} --json"),
        };
    }
}
