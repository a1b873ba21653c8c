using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RnnLab.Analysis;
using RnnLab.Models;

namespace RnnLab.Web.Sections;

/// <summary>
/// Section 3, the Jacobian lab: a cell with W_hh at a chosen spectral radius run on a random sequence; the
/// eigenvalues of W_hh (each gate block for LSTM and GRU), the measured flow profile ‖∂h_T/∂h_{T−k}‖₂ beside ρ^k,
/// and the effective ρ, Lyapunov exponents and horizon, all from <see cref="FlowProfile"/> and <see cref="GateSpectra"/>.
/// </summary>
static class JacobianEndpoints
{
    public static void MapJacobian(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/jacobian", (HttpRequest request) =>
        {
            var q = new Inputs(request.Query);
            string cell = q.Choice(Limits.Jacobian.Cell);
            string init = q.Choice(Limits.Jacobian.Init);
            int hidden = q.Int(Limits.Jacobian.Hidden);
            double rho = q.Double(Limits.Jacobian.Rho);
            int steps = q.Int(Limits.Jacobian.Steps);
            int seed = q.Int(Limits.Jacobian.Seed);
            if (q.Problem is { } bad) return bad;
            return Results.Ok(Compute(cell, init, hidden, rho, steps, (ulong)seed));
        });
    }

    public static object Compute(string cell, string init, int hidden, double rho, int steps, ulong seed)
    {
        var (kind, _) = CellKinds.Parse(cell);
        var layer = LabModels.Layer(kind, hidden, init, rho, seed);
        var flow = FlowProfile.Compute(layer, LabModels.Sequence(steps, seed), steps);
        var blocks = GateSpectra.Eigenvalues(kind, layer.WeightHH.Value, hidden);
        double spectralRadius = flow.SpectralRadius!.Value;   // FlowOptions computes it by default: the largest block's
        var distances = Enumerable.Range(0, steps).ToArray();
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
            log10NormNote = flow.Log10SpectralNormNote,   // the k refused below the rounding floor (LSTM), as flow --json says
            rhoPower = RhoPowers.Values(spectralRadius, steps),
            effectivePower = RhoPowers.Values(flow.EffectiveRho, steps),
            effectiveRho = flow.EffectiveRho,
            lyapunov = flow.LyapunovExponents,
            horizon = flow.Horizon,
            horizonThreshold = flow.HorizonThreshold,
            command = FormattableString.Invariant(
                $"rnnlab flow --cell {kind.Name()} --hidden {hidden} --input {LabModels.InputSize} --init {init} --rho {Numbers.Exact(rho)} --seq {steps} --seed {seed} --json"),
        };
    }
}
