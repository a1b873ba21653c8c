using RnnLab.Lesson;
using RnnLab.Analysis;

namespace RnnLab.Tests.Lesson;

public class DecayTableTests
{
    static LessonNumberCheck Get(string claim) => PrintedDecayTable.CheckLesson().Single(c => c.Claim == claim);

    [Fact]
    public void FormulaIsRhoToTheTMinusOne()
    {
        var e = DecayTable.Compute([0.9], [10]).Single();
        Assert.Equal(Math.Pow(0.9, 9), e.Value, 15);
        Assert.Equal(9, DecayTable.Compute([0.9, 0.8, 0.7], [10, 30, 100]).Length);
    }

    [Theory]
    // claim, matches ρ^(T−1), matches ρ^T
    [InlineData("table ρ=0.9, T=10", true, false)]     // 0.9^9 = 0.387
    [InlineData("table ρ=0.8, T=10", false, true)]     // 0.107 = 0.8^10, not 0.8^9 = 0.134
    [InlineData("table ρ=0.7, T=10", false, true)]     // 0.028 = 0.7^10, not 0.7^9 = 0.040
    [InlineData("table ρ=0.9, T=30", false, true)]     // 0.042 = 0.9^30, not 0.9^29 = 0.047
    [InlineData("table ρ=0.8, T=30", false, true)]     // 0.001 = 0.8^30 (0.0012), not 0.8^29 = 0.0015
    [InlineData("table ρ=0.7, T=30", false, false)]    // 7e-5 is neither 0.7^29 = 3.2e-5 nor 0.7^30 = 2.3e-5
    [InlineData("table ρ=0.9, T=100", false, true)]    // 2.7e-5 = 0.9^100, not 0.9^99 = 2.95e-5
    public void LessonTableVerdicts(string claim, bool matchesTMinus1, bool matchesT)
    {
        var c = Get(claim);
        Assert.Equal(matchesTMinus1, c.MatchesFormula);
        Assert.Equal(matchesT, c.MatchesAlternative);
    }

    [Fact]
    public void SevenTimesTenToTheMinusFiveIsRhoToAbout27()
    {
        var c = Get("table ρ=0.7, T=30");
        Assert.Equal(7e-5, c.PrintedValue, 15);
        Assert.InRange(c.ImpliedExponent, 26.5, 27.0);
        Assert.Equal(Math.Pow(0.7, 29), c.FormulaValue, 15);
    }

    [Fact]
    public void ApproximatelyZeroEntriesReportTheirValue()
    {
        var c = Get("table ρ=0.8, T=100");
        Assert.True(double.IsNaN(c.PrintedValue));
        Assert.Equal(Math.Pow(0.8, 99), c.FormulaValue);
        Assert.Contains("2.55e-10", c.Note);
        Assert.Contains("e-16", Get("table ρ=0.7, T=100").Note);   // 0.7^99 = 4.7e-16
        Assert.DoesNotMatch(@"\dE[-+]", c.Note);
    }

    [Fact]
    public void OtherLessonNumbers()
    {
        Assert.True(Get("signal reaching 'cat'").MatchesFormula);        // 0.8^13 = 0.0550
        Assert.True(Get("refresher, large direction").MatchesFormula);   // 1.2^10 = 6.19
        Assert.True(Get("refresher, small direction").MatchesFormula);   // 0.7^10 = 0.0282
        var twenty = Get("'20× smaller' than a one-step dependency");
        Assert.Equal(18.19, twenty.FormulaValue, 2);
        Assert.True(twenty.MatchesFormula);
    }

    [Theory]
    [InlineData("0.387", 0.387, 0.0005)]
    [InlineData("7×10⁻⁵", 7e-5, 0.5e-5)]
    [InlineData("2.7×10⁻⁵", 2.7e-5, 0.05e-5)]
    [InlineData("≈0.055", 0.055, 0.0005)]
    public void ParsesPrintedNumbers(string text, double value, double half)
    {
        var (v, h) = PrintedDecayTable.ParsePrinted(text);
        Assert.Equal(value, v, 15);
        Assert.Equal(half, h, 15);
    }
}
