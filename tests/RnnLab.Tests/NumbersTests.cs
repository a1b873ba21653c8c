using RnnLab.Lesson;

namespace RnnLab.Tests;

public class NumbersTests
{
    [Theory]
    [InlineData(2.5512e-10, 3, "2.55e-10")]
    [InlineData(1e-5, 3, "1e-5")]
    [InlineData(1e16, 3, "1e+16")]
    [InlineData(4.7e-300, 2, "4.7e-300")]
    [InlineData(0.38712, 3, "0.387")]
    [InlineData(-1234.5, 4, "-1234")]
    [InlineData(double.NaN, 3, "nan")]
    [InlineData(double.NegativeInfinity, 3, "-inf")]
    public void G_writes_the_exponent_as_javascript_and_python_do(double value, int digits, string expected) =>
        Assert.Equal(expected, Numbers.G(value, digits));

    [Theory]
    [InlineData(0.9, "0.9")]
    [InlineData(1e-5, "1e-5")]
    [InlineData(double.MaxValue, "1.7976931348623157e+308")]
    public void Exact_is_the_shortest_text_that_reads_back(double value, string expected)
    {
        Assert.Equal(expected, Numbers.Exact(value));
        Assert.Equal(value, double.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("E2", "2.55e-10")]
    [InlineData("0.00E+0", "2.55e-10")]
    [InlineData("F3", "0.000")]
    public void Format_normalises_any_exponent_format(string format, string expected) => Assert.Equal(expected, Numbers.Format(2.5512e-10, format));

    [Fact]
    public void Report_tables_write_tiny_numbers_the_same_way()
    {
        string html = Html.Table(["a", "b"], [[Html.Num(2.5512e-10), Html.Num(3e-5, "G4")]]);
        Assert.Contains("2.55e-10", html);
        Assert.Contains("3e-5", html);
        Assert.DoesNotMatch(@"\dE[-+]", html);
    }
}
