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
        await page.Locator("#quiz-submit").ClickAsync();
        var score = page.Locator("#quiz-score[data-score]");
        await score.WaitForAsync();
        Assert.Equal($"Score: {questions.Length - 1} / {questions.Length}", await score.InnerTextAsync());
        Assert.Equal(questions.Length - 1, await page.Locator(".quiz-q.right").CountAsync());
        var wrong = page.Locator(".quiz-q.wrong");
        Assert.Equal(1, await wrong.CountAsync());
        string feedback = await wrong.Locator(".explain").InnerTextAsync();
        Assert.Contains($"“{last.Options[wrongChoice]}” is not right", feedback);
        Assert.DoesNotContain(last.Options[last.Answer], feedback);   // the answer is not given away
        Assert.Contains(last.SectionTitle, feedback);
        Assert.Equal($"#{last.Section}", await wrong.Locator(".explain a").GetAttributeAsync("href"));

        // Retry clears only the wrong question; answering it right gives full marks.
        await page.Locator("#quiz-retry").ClickAsync();
        Assert.False(await page.Locator($"input[name=q{questions.Length - 1}][value=\"{wrongChoice}\"]").IsCheckedAsync());
        Assert.True(await page.Locator($"input[name=q0][value=\"{questions[0].Answer}\"]").IsCheckedAsync());
        await page.Locator($"input[name=q{questions.Length - 1}][value=\"{wrongChoice}\"]").CheckAsync();
        await page.Locator("#quiz-submit").ClickAsync();
        await page.Locator("#quiz-reveal").ClickAsync();
        await page.WaitForFunctionAsync("t => document.querySelector('.quiz-q.wrong .explain').innerText.includes(t)", last.Options[last.Answer]);
        await lesson.ScreenshotAsync(page, "8-quiz", "#quiz");
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
