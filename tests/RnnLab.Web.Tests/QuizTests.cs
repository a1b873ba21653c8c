using Microsoft.Playwright;
using RnnLab.Lesson;

namespace RnnLab.Web.Tests;

[Collection(BrowserCollection.Name)]
public class QuizTests(LessonFixture lesson)
{
    [Fact]
    public async Task The_quiz_judges_the_chosen_option_lets_wrong_ones_be_retried_and_reveals_only_on_request()
    {
        var page = await lesson.OpenAsync();
        var questions = Quiz.Questions;
        Assert.True(questions.Length >= 6);
        Assert.Contains("sequence of length 100", questions[0].Text);
        Assert.Equal("a product of 99 Jacobians", questions[0].Options[questions[0].Answer]);
        // Each question is a group named by its text.
        Assert.Equal(questions.Length, await page.Locator("#quiz-form fieldset > legend").CountAsync());

        // All right except the last, which is answered wrongly.
        var last = questions[^1];
        int wrongChoice = (last.Answer + 1) % last.Options.Length;
        for (int i = 0; i < questions.Length; i++)
            await page.Locator($"input[name=q{i}][value=\"{(i < questions.Length - 1 ? questions[i].Answer : wrongChoice)}\"]").CheckAsync();
        // Each answer is awaited by what it changes on the page (never a fixed pause), with the fixture's long
        // timeout: under load a grading request may take seconds, and two in flight may be answered in either order.
        await page.Locator("#quiz-submit").ClickAsync();
        var score = page.Locator("#quiz-score");
        await lesson.WaitForAsync(page, "() => document.querySelector('#quiz-score').dataset.score !== undefined", "#quiz-score");
        Assert.Equal($"Score: {questions.Length - 1} / {questions.Length}", await score.InnerTextAsync());
        Assert.Equal(questions.Length - 1, await page.Locator(".quiz-q.right").CountAsync());
        var wrong = page.Locator(".quiz-q.wrong");
        Assert.Equal(1, await wrong.CountAsync());
        string feedback = await wrong.Locator(".explain").InnerTextAsync();
        Assert.Contains($"“{last.Options[wrongChoice]}” is not right", feedback);
        Assert.DoesNotContain(last.Options[last.Answer], feedback);   // the answer is not given away
        Assert.Contains(last.SectionTitle, feedback);
        Assert.Equal($"#{last.Section}", await wrong.Locator(".explain a").GetAttributeAsync("href"));

        // Retry clears only the wrong question.
        await page.Locator("#quiz-retry").ClickAsync();
        Assert.Equal(0, await wrong.CountAsync());
        Assert.False(await page.Locator($"input[name=q{questions.Length - 1}][value=\"{wrongChoice}\"]").IsCheckedAsync());
        Assert.True(await page.Locator($"input[name=q0][value=\"{questions[0].Answer}\"]").IsCheckedAsync());

        // The same wrong answer again is judged wrong, still without the answer, until the answer is asked for.
        await page.Locator($"input[name=q{questions.Length - 1}][value=\"{wrongChoice}\"]").CheckAsync();
        await page.Locator("#quiz-submit").ClickAsync();
        await lesson.WaitForAsync(page, "() => document.querySelectorAll('.quiz-q.wrong').length === 1", "#quiz-score");
        Assert.DoesNotContain(last.Options[last.Answer], await wrong.Locator(".explain").InnerTextAsync());
        await page.Locator("#quiz-reveal").ClickAsync();
        string answer = System.Text.Json.JsonSerializer.Serialize(last.Options[last.Answer]);
        await lesson.WaitForAsync(page, $"() => document.querySelector('.quiz-q.wrong .explain').innerText.includes({answer})", "#quiz-score");
        await lesson.ScreenshotAsync(page, "9-quiz", "#quiz");

        // Retried and answered right: full marks, and nothing left to retry or reveal.
        await page.Locator("#quiz-retry").ClickAsync();
        await page.Locator($"input[name=q{questions.Length - 1}][value=\"{last.Answer}\"]").CheckAsync();
        await page.Locator("#quiz-submit").ClickAsync();
        await lesson.WaitForAsync(page, $"() => document.querySelector('#quiz-score').dataset.score === '{questions.Length}'", "#quiz-score");
        Assert.Equal($"Score: {questions.Length} / {questions.Length}", await score.InnerTextAsync());
        Assert.True(await page.Locator("#quiz-retry").IsHiddenAsync() && await page.Locator("#quiz-reveal").IsHiddenAsync(), "retry or reveal still offered at full marks");
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_grading_answered_after_a_later_one_does_not_overwrite_it()
    {
        var page = await lesson.OpenAsync();
        var last = Quiz.Questions[^1];
        int wrongChoice = (last.Answer + 1) % last.Options.Length;
        await page.Locator($"input[name=q{Quiz.Questions.Length - 1}][value=\"{wrongChoice}\"]").CheckAsync();
        // Hold the server's answer to one "Check" while "Show the answers" is answered, then let it arrive late.
        bool holdNext = false;
        IRoute? held = null;
        await page.RouteAsync("**/api/quiz/grade", route =>
        {
            if (holdNext && held is null) { held = route; return Task.CompletedTask; }
            return route.ContinueAsync();
        });
        await page.Locator("#quiz-submit").ClickAsync();
        await lesson.WaitForAsync(page, "() => document.querySelector('#quiz-score').dataset.score !== undefined", "#quiz-score");

        holdNext = true;
        await page.Locator("#quiz-submit").ClickAsync();
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); held is null; await Task.Delay(10))
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), "the second Check sent no request");
        holdNext = false;
        await page.Locator("#quiz-reveal").ClickAsync();
        string answer = System.Text.Json.JsonSerializer.Serialize(last.Options[last.Answer]);
        string revealed = $"() => document.querySelector('[data-q=\"{Quiz.Questions.Length - 1}\"] .explain').innerText.includes({answer})";
        await lesson.WaitForAsync(page, revealed, "#quiz-score");

        var late = page.WaitForResponseAsync("**/api/quiz/grade");
        await held.ContinueAsync();
        await (await late).FinishedAsync();
        await page.EvaluateAsync("() => new Promise(r => setTimeout(r, 100))");   // the page's handler has run by now
        Assert.True(await page.EvaluateAsync<bool>(revealed), "the earlier grading, answered last, replaced the revealed answer");
        await page.CloseAsync();
    }

    [Fact]
    public void Quiz_text_agrees_with_the_sentence_section_and_its_wrong_options_state_no_falsehood()
    {
        int distance = Sections.SentenceEndpoints.LessonDistance;
        var decay = Quiz.Questions.Single(q => q.Id == "decay");
        Assert.Contains($"{distance} steps from the verb “was” back to the subject “cat”", decay.Text);
        Assert.Contains($"{distance + 1} tokens from “cat”", decay.Explanation);
        Assert.Equal(distance + 1, TokenDistance.Measure(TokenDistance.LessonSentence).SubjectToPredicate);
        var tanh = Quiz.Questions.Single(q => q.Id == "tanh");
        double slopeAt1 = 1 - Math.Tanh(1) * Math.Tanh(1);
        Assert.Contains($"≈ {slopeAt1:0.00}", tanh.Options.Single(o => o.StartsWith("at z = 1", StringComparison.Ordinal)));
    }
}
