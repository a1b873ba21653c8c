using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RnnLab.Lesson;
using RnnLab.Analysis;

namespace RnnLab.Web.Sections;

/// <summary>
/// Section 2, multiplicative decay: the curve ρ^(T−1) for the chosen ρ up to the chosen T, the decay table
/// recomputed with the chosen values added, and the lesson's printed table with the library's verdict on each entry.
/// </summary>
static class DecayEndpoints
{
    static readonly double[] LessonRhos = [0.9, 0.8, 0.7];
    static readonly int[] LessonLengths = [10, 30, 100];

    public static void MapDecay(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/decay", (HttpRequest request) =>
        {
            var q = new Inputs(request.Query);
            double rho = q.Double(Limits.Decay.Rho);
            int t = q.Int(Limits.Decay.T);
            if (q.Problem is { } bad) return bad;
            return Results.Ok(Compute(rho, t));
        });
    }

    public static object Compute(double rho, int t)
    {
        var curve = DecayTable.Compute([rho], Enumerable.Range(1, t));
        double[] rhos = [.. LessonRhos.Append(rho).Distinct()];
        int[] lengths = [.. LessonLengths.Append(t).Distinct().Order()];
        var table = DecayTable.Compute(rhos, lengths);
        // CheckLesson lists the printed table first, entry for entry in LessonTable's order.
        var printed = PrintedDecayTable.LessonTable.Zip(PrintedDecayTable.CheckLesson()).ToArray();
        return new
        {
            rho,
            T = t,
            atT = curve[^1].Value,
            curve = new { t = curve.Select(e => e.T), value = curve.Select(e => e.Value) },
            table = new
            {
                rhos,
                ts = lengths,
                values = lengths.Select(n => rhos.Select(r => table.First(e => e.T == n && e.Rho == r).Value)),
            },
            lesson = new
            {
                rhos = LessonRhos,
                rows = LessonLengths.Select(n => new
                {
                    t = n,
                    entries = LessonRhos.Select(r => printed.First(p => p.First.T == n && p.First.Rho == r)).Select(p => new
                    {
                        rho = p.First.Rho, printed = p.First.Printed, formula = p.Second.Formula, computed = p.Second.FormulaValue,
                        agrees = p.Second.MatchesFormula, verdict = p.Second.Note,
                    }),
                }),
                entries = printed.Length,
                disagreements = printed.Count(p => !p.Second.MatchesFormula),
            },
        };
    }
}
