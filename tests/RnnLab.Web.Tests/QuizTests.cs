using RnnLab.Lesson;

namespace RnnLab.Web.Tests;

[Collection(BrowserCollection.Name)]
public class QuizTests(LessonFixture lesson)
{
    [Fact]
    public async Task Answering_the_quiz_shows_explanations_and_the_score()
    {
        var page = await lesson.OpenAsync();
        var questions = Quiz.Questions;
        Assert.True(questions.Length >= 6);
        Assert.Contains("sequence of length 100", questions[0].Text);
        Assert.Equal("a product of 99 Jacobians", questions[0].Options[questions[0].Answer]);

        // All right except the last, which is answered wrongly.
        for (int i = 0; i < questions.Length; i++)
        {
            int choice = i < questions.Length - 1 ? questions[i].Answer : (questions[i].Answer + 1) % questions[i].Options.Length;
            await page.Locator($"input[name=q{i}][value=\"{choice}\"]").CheckAsync();
        }
        await page.Locator("#quiz-submit").ClickAsync();
        var score = page.Locator("#quiz-score[data-score]");
        await score.WaitForAsync();
        Assert.Equal($"Score: {questions.Length - 1} / {questions.Length}", await score.InnerTextAsync());
        Assert.Equal(questions.Length - 1, await page.Locator(".quiz-q.right").CountAsync());
        var wrong = page.Locator(".quiz-q.wrong");
        Assert.Equal(1, await wrong.CountAsync());
        Assert.Contains(questions[^1].SectionTitle, await wrong.Locator(".explain").InnerTextAsync());
        Assert.Equal($"#{questions[^1].Section}", await wrong.Locator(".explain a").GetAttributeAsync("href"));
        await lesson.ScreenshotAsync(page, "8-quiz", "#quiz");
        await page.CloseAsync();
    }
}
