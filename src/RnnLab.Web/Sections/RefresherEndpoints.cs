using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RnnLab.Lesson;
using RnnLab.Analysis;

namespace RnnLab.Web.Sections;

/// <summary>Section 1, the refresher: a 2×2 matrix, its eigenvalues, and the size of each eigen-direction in A^k.</summary>
static class RefresherEndpoints
{
    /// <summary>The lesson's example: eigenvalues 0.7 and 1.2 (upper triangular, non-orthogonal eigenvectors).</summary>
    public static readonly double[] Preset = RefresherExample.Matrix();

    public static void MapRefresher(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/refresher", (HttpRequest request) =>
        {
            var q = new Inputs(request.Query);
            double m = Limits.RefresherMaxEntry;
            double[] a =
            [
                q.Double("a11", -m, m, Preset[0]), q.Double("a12", -m, m, Preset[1]),
                q.Double("a21", -m, m, Preset[2]), q.Double("a22", -m, m, Preset[3]),
            ];
            int k = q.Int("k", 1, Limits.RefresherMaxPower, 30);
            if (q.Problem is { } bad) return bad;
            return Results.Ok(Compute(a, k));
        });
    }

    public static object Compute(double[] a, int k)
    {
        var p = MatrixPowers.Profile(a, 2, k);
        return new
        {
            matrix = a,
            preset = Preset,
            k,
            eigenvalues = p.Eigenvalues,
            spectralRadius = p.SpectralRadius,
            directions = p.Directions.Select(d => new { eigenvalue = d.Eigenvalue, eigenvector = d.Eigenvector, log10Size = d.Log10Size }),
            log10Norm = p.Log10Norm,
        };
    }
}
