using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RnnLab.Lesson;
using RnnLab.Analysis;
using RnnLab.Numerics;
using RnnLab.Tasks;

namespace RnnLab.Web.Sections;

/// <summary>
/// Section 5, the long-range sentence: the lesson's sentence parsed by the agreement grammar (subject, verb, the
/// steps between them), or a sentence of the same grammar at another distance, the kind the agreement task trains on.
/// </summary>
static class SentenceEndpoints
{
    public const string LessonSentence = TokenDistance.LessonSentence;

    /// <summary>The lesson's example ρ for the signal that reaches the subject: "even for ρ = 0.8".</summary>
    public const double LessonRho = 0.8;

    /// <summary>Steps from the lesson's subject to its verb, as the grammar parses the lesson's sentence.</summary>
    public static readonly int LessonDistance = AgreementGrammar.Parse(LessonSentence).Distance;

    public static readonly Control Distance = Limits.Training.Distance(1, LessonDistance);

    /// <summary>0 is the lesson's own sentence (at its distance); other seeds draw sentences from the grammar.</summary>
    public static readonly Control Seed = Limits.Seed(0);

    public static void MapSentence(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/sentence", (HttpRequest request) =>
        {
            var q = new Inputs(request.Query);
            int distance = q.Int(Distance);
            int seed = q.Int(Seed);
            if (q.Problem is { } bad) return bad;
            return Results.Ok(Compute(distance, seed));
        });
    }

    /// <summary>The lesson's sentence when it has the requested distance and seed 0; otherwise one drawn from the grammar.</summary>
    public static object Compute(int distance, int seed)
    {
        var lesson = AgreementGrammar.Parse(LessonSentence);
        bool useLesson = seed == 0 && lesson.Distance == distance;
        var s = useLesson ? lesson : AgreementGrammar.Generate(distance, 0.5, new RandomChoices(new SeededRandom((ulong)seed * 1000 + (ulong)distance)));
        return new
        {
            tokens = s.Words,
            subjectIndex = s.SubjectIndex,
            verbIndex = s.VerbIndex,
            attractorIndices = s.AttractorIndices,
            distance = s.Distance,
            wordsBetween = s.Distance - 1,
            number = s.Number.ToString().ToLowerInvariant(),
            isLessonSentence = useLesson,
            lessonDistance = lesson.Distance,
            // ρ^d for d steps is ρ^(n−1) with n = d + 1.
            signal = new { rho = LessonRho, value = DecayTable.Compute([LessonRho], [s.Distance + 1])[0].Value },
            tokenDistance = useLesson ? TokenDistance.Measure(LessonSentence) : null,
        };
    }
}
