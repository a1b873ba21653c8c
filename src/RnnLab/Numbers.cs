using System.Globalization;

namespace RnnLab;

/// <summary>
/// The one way numbers are written for people, in every table, message, progress line and report: 0.387, 2.55e-10,
/// 1e+16, as JavaScript (the web page) and Python write them, never .NET's 2.55E-010 or 1E-05.
/// </summary>
public static class Numbers
{
    /// <summary>A few significant digits: 0.387, 2.55e-10; nan, inf, -inf.</summary>
    public static string G(double value, int digits = 3) => Format(value, "G" + digits.ToString(CultureInfo.InvariantCulture));

    /// <summary>The shortest text that reads back as the same double: 0.9, 1e-5, 1.7976931348623157e+308.</summary>
    public static string Exact(double value) => Format(value, "R");

    /// <summary>
    /// <paramref name="value"/> in a .NET numeric format (G3, F1, E2, R…), invariant culture, its exponent (if any)
    /// written e-10, e+16: lower-case, signed, without leading zeros.
    /// </summary>
    public static string Format(double value, string format)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        string s = value.ToString(format, CultureInfo.InvariantCulture);
        int e = s.IndexOfAny(['E', 'e']);
        if (e < 0) return s;
        int exponent = int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return $"{s[..e]}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent).ToString(CultureInfo.InvariantCulture)}";
    }
}
