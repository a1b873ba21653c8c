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
            int depth = q.Int(Limits.Depth.Layers);
            int width = q.Int(Limits.Depth.Width);
            double gain = q.Double(Limits.Depth.Gain);
            double inputScale = q.Double(Limits.Depth.InputScale);
            int seed = q.Int(Limits.Depth.Seed);
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
