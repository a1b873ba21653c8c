using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RnnLab.Lesson;

namespace RnnLab.Web.Sections;

/// <summary>
/// Section 8, the quiz. The page gets the questions without their answers; it posts the chosen options and gets
/// back the score, the right answers and an explanation pointing to the section of the page that shows it.
/// </summary>
static class QuizEndpoints
{
    public sealed record Submission(int?[]? Answers);

    public static void MapQuiz(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/quiz", () => Quiz.Questions.Select(q => new { q.Id, q.Text, q.Options }));
        app.MapPost("/api/quiz/grade", (Submission? submission) =>
        {
            var answers = submission?.Answers;
            if (answers is null || answers.Length != Quiz.Questions.Length)
                return Results.Json(new { error = $"send one answer per question ({Quiz.Questions.Length})", field = "answers" }, statusCode: 400);
            var results = Quiz.Questions.Select((q, i) => new
            {
                q.Id,
                chosen = answers[i],
                q.Answer,
                correct = answers[i] == q.Answer,
                q.Explanation,
                q.Section,
                q.SectionTitle,
            }).ToArray();
            return Results.Ok(new { score = results.Count(r => r.correct), total = Quiz.Questions.Length, results });
        });
    }
}
