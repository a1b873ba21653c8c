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

    /// <summary>The four entries, row-major, each starting at the preset.</summary>
    public static readonly Control[] Entries =
        [.. new[] { "a11", "a12", "a21", "a22" }.Select((name, i) => Limits.Refresher.Entry(name, Preset[i]))];

    /// <summary>The power at which the page states each direction's size, as the quiz asks about A¹⁰.</summary>
    public const int FactPower = 10;

    public static void MapRefresher(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/refresher", (HttpRequest request) =>
        {
            var q = new Inputs(request.Query);
            double[] a = [.. Entries.Select(q.Double)];
            int k = q.Int(Limits.Refresher.K);
            if (q.Problem is { } bad) return bad;
            return Results.Ok(Compute(a, k));
        });
    }

    /// <summary>
    /// A repeated eigenvalue whose two computed eigenvectors are parallel (|cos| within 1e−9 of 1): the matrix has one
    /// eigen-direction, not two (a Jordan block such as [[1, 1], [0, 1]]), and A^k grows like k·λ^k off it.
    /// </summary>
    static bool Defective(MatrixPowerProfile p)
    {
        var (u, v) = (p.Directions[0].Eigenvector, p.Directions[1].Eigenvector);
        double cos = (u[0] * System.Numerics.Complex.Conjugate(v[0]) + u[1] * System.Numerics.Complex.Conjugate(v[1])).Magnitude;
        return cos > 1 - 1e-9;
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
            factPower = Math.Min(FactPower, k),
            defective = Defective(p),
        };
    }
}
