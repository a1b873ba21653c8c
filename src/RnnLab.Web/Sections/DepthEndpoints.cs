using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RnnLab.Analysis;

namespace RnnLab.Web.Sections;

/// <summary>
/// Section 4, feedforward against recurrent depth: ‖∂L/∂x_ℓ‖ through a plain and a residual tanh MLP of L layers
/// and ‖∂L/∂h_t‖ through a tanh RNN run for L steps, from <see cref="DepthComparison"/>.
/// </summary>
static class DepthEndpoints
{
    public static void MapDepth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/depth", (HttpRequest request) =>
        {
            var q = new Inputs(request.Query);
            int depth = q.Int("depth", 1, Limits.DepthMaxLayers, 50);
            int width = q.Int("width", 1, Limits.JacobianMaxHidden, 32);
            double gain = q.Double("gain", 0.1, Limits.MaxSpectralRadius, 1.0);
            double inputScale = q.Double("inputScale", 0, 3, 1.0);
            int seed = q.Int("seed", 0, 1_000_000, 1);
            if (q.Problem is { } bad) return bad;
            return Results.Ok(Compute(depth, width, gain, inputScale, (ulong)seed));
        });
    }

    public static object Compute(int depth, int width, double gain, double inputScale, ulong seed)
    {
        var curves = DepthComparison.Run(new DepthOptions { Width = width, Depths = [depth], Gain = gain, RnnInputScale = inputScale, Seed = seed });
        return new
        {
            depth,
            width,
            gain,
            inputScale,
            layers = Enumerable.Range(0, depth + 1),
            series = curves.Select(c => new { name = c.Label, gradientNorm = c.GradientNorm }),
            facts = curves.Select(c => new { label = $"{c.Label}: gradient at the input", value = c.GradientNorm[0] }),
        };
    }
}
