using System.Globalization;

namespace RnnLab.Cli;

/// <summary>
/// One way to print a number with a few significant digits, in every table, message and progress line: 0.387,
/// 2.55e-10, 1e+16 (the exponent as C's %g and Python write it, not .NET's 2.55E-010).
/// </summary>
public static class Numbers
{
    public static string G(double value, int digits = 3)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        string s = value.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        int e = s.IndexOf('E');
        if (e < 0) return s;
        int exponent = int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return $"{s[..e]}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
    }
}
