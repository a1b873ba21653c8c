using RnnLab.Lesson;

namespace RnnLab.Tests.Lesson;

public class TokenDistanceTests
{
    [Fact]
    public void LessonSentence()
    {
        var r = TokenDistance.Measure(TokenDistance.LessonSentence);
        Assert.Equal(17, r.Tokens.Length);            // 16 words and the full stop
        Assert.Equal("cat", r.Subject);
        Assert.Equal("was", r.Verb);
        Assert.Equal("hungry", r.Predicate);
        Assert.Equal(13, r.SubjectToVerb);            // 13 Jacobian factors from h_cat to h_was: the lesson's "13 steps"
        Assert.Equal(14, r.SubjectToPredicate);       // 14 if the gradient starts at the step that reads "hungry"
        Assert.Equal(12, r.BetweenSubjectAndVerb);    // the lesson's "12 tokens ago" counts the tokens in between
        Assert.Equal(13, r.BetweenSubjectAndPredicate); // the 13 words the lesson lists (was … that)
    }

    [Fact]
    public void ExplicitWords()
    {
        var r = TokenDistance.Measure("The keys to the cabinet are on the table.", "keys", "are");
        Assert.Equal(4, r.SubjectToVerb);
    }
}
