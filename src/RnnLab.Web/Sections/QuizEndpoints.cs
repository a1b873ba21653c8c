using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using RnnLab.Lesson;

namespace RnnLab.Web.Sections;

/// <summary>
/// Section 8, the quiz. The page gets the questions without their answers and posts the chosen options. Each
/// question says whether the chosen option is right; a right answer comes with its explanation, a wrong one only
/// with a pointer to the section that shows it, so the student can try again. <c>reveal</c> asks for every answer.
/// </summary>
static class QuizEndpoints
{
    public sealed record Submission(int?[]? Answers, bool Reveal);

    public static void MapQuiz(this IEndpointRouteBuilder app)
    {
        var questions = Quiz.Questions;
        app.MapGet("/api/quiz", () => questions.Select(q => new { q.Id, q.Text, q.Options }));
        app.MapPost("/api/quiz/grade", async (HttpRequest request, IOptions<JsonOptions> json) =>
        {
            if (!request.HasJsonContentType())
                return Error("send the answers as JSON (content-type: application/json)", StatusCodes.Status415UnsupportedMediaType);
            Submission? submission;
            try { submission = await JsonSerializer.DeserializeAsync<Submission>(request.Body, json.Value.SerializerOptions, request.HttpContext.RequestAborted); }
            catch (JsonException) { return Error("the body is not a JSON object of the form {\"answers\": [...]}", StatusCodes.Status400BadRequest); }
            var answers = submission?.Answers;
            if (answers is null || answers.Length != questions.Length)
                return Error($"send one answer per question ({questions.Length})", StatusCodes.Status400BadRequest);
            for (int i = 0; i < answers.Length; i++)
                if (answers[i] is int a && (a < 0 || a >= questions[i].Options.Length))
                    return Error($"answer {i + 1} must be an option number from 0 to {questions[i].Options.Length - 1}, or null", StatusCodes.Status400BadRequest);
            bool reveal = submission!.Reveal;
            var results = questions.Select((q, i) =>
            {
                bool correct = answers[i] == q.Answer;
                return new
                {
                    q.Id,
                    chosen = answers[i],
                    correct,
                    answer = correct || reveal ? q.Answer : (int?)null,
                    feedback = correct || reveal ? q.Explanation
                        : answers[i] is null ? "Choose an option, then check again." : "Not this one; think again, or look at the section that shows it.",
                    q.Section,
                    q.SectionTitle,
                };
            }).ToArray();
            return Results.Ok(new { score = results.Count(r => r.correct), total = questions.Length, results });
        });
    }

    static IResult Error(string message, int status) => Results.Json(new { error = message, field = "answers" }, statusCode: status);
}
