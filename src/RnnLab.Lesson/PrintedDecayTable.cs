using System.Globalization;

namespace RnnLab.Lesson;

/// <summary>A number the lesson prints, checked against the formulas.</summary>
/// <param name="Claim">where it appears, e.g. "table ρ=0.9, T=10"</param>
/// <param name="Printed">the text as printed</param>
/// <param name="PrintedValue">its value (NaN for "≈0")</param>
/// <param name="Formula">the formula the lesson attaches, e.g. "0.9^9"</param>
/// <param name="FormulaValue">what the formula gives</param>
/// <param name="MatchesFormula">the formula value rounds to the printed digits</param>
/// <param name="Alternative">the nearby formula a reader might suspect instead (ρ^T for the table), or null</param>
/// <param name="AlternativeValue">its value</param>
/// <param name="MatchesAlternative">the alternative rounds to the printed digits</param>
/// <param name="ImpliedExponent">n with ρ^n = printed value (NaN when not applicable)</param>
/// <param name="Note">a sentence for the report</param>
public sealed record LessonNumberCheck(string Claim, string Printed, double PrintedValue, string Formula, double FormulaValue,
    bool MatchesFormula, string? Alternative, double AlternativeValue, bool MatchesAlternative, double ImpliedExponent, string Note);

/// <summary>
/// Every decay number the lesson prints, checked against the formula it attaches. A printed number "matches" a
/// formula when the formula's value, rounded to the printed number's last digit, equals it (|value − printed| ≤ half
/// a unit of the last printed digit).
/// </summary>
public static class PrintedDecayTable
{
    /// <summary>The lesson's table as printed: (ρ, T, text), text in the lesson's notation.</summary>
    public static readonly (double Rho, int T, string Printed)[] LessonTable =
    [
        (0.9, 10, "0.387"), (0.8, 10, "0.107"), (0.7, 10, "0.028"),
        (0.9, 30, "0.042"), (0.8, 30, "0.001"), (0.7, 30, "7×10⁻⁵"),
        (0.9, 100, "2.7×10⁻⁵"), (0.8, 100, "≈0"), (0.7, 100, "≈0"),
    ];

    /// <summary>Parses "0.387", "7×10⁻⁵", "2.7×10⁻⁵", "≈0.055" and "≈0" (NaN). Returns the value and half a unit of its last digit.</summary>
    public static (double Value, double HalfUnit) ParsePrinted(string text)
    {
        string s = text.Trim().TrimStart('≈').Trim();
        if (s == "0") return (double.NaN, double.NaN);
        int exp = 0;
        int times = s.IndexOf('×');
        if (times >= 0)
        {
            string power = s[(times + 1)..].Replace("10", "", StringComparison.Ordinal);
            exp = int.Parse(FromSuperscript(power), CultureInfo.InvariantCulture);
            s = s[..times];
        }
        double mantissa = double.Parse(s, CultureInfo.InvariantCulture);
        int dot = s.IndexOf('.');
        int decimals = dot < 0 ? 0 : s.Length - dot - 1;
        return (mantissa * Math.Pow(10, exp), 0.5 * Math.Pow(10, exp - decimals));
    }

    static string FromSuperscript(string s)
    {
        const string sup = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        var chars = s.Select(c => c == '⁻' ? '-' : sup.IndexOf(c) is int i && i >= 0 ? (char)('0' + i) : c);
        return new string(chars.ToArray());
    }

    /// <summary>Every decay number of the lesson, checked.</summary>
    public static LessonNumberCheck[] CheckLesson()
    {
        var checks = new List<LessonNumberCheck>();
        foreach (var (rho, t, printed) in LessonTable)
            checks.Add(Check($"table ρ={rho}, T={t}", printed, rho, t - 1, $"{rho}^{t - 1}", t, $"{rho}^{t}"));
        checks.Add(Check("signal reaching 'cat'", "≈0.055", 0.8, 13, "0.8^13", null, null));
        checks.Add(Check("refresher, large direction", "≈6.2", 1.2, 10, "1.2^10", null, null));
        checks.Add(Check("refresher, small direction", "≈0.028", 0.7, 10, "0.7^10", null, null));
        // "The weight update based on this gradient is 20× smaller": 1/0.8^13.
        double ratio = 1 / Math.Pow(0.8, 13);
        checks.Add(new LessonNumberCheck("'20× smaller' than a one-step dependency", "20×", 20, "1/0.8^13", ratio,
            Math.Abs(ratio - 20) <= 5, "1/0.055", 1 / 0.055, Math.Abs(1 / 0.055 - 20) <= 5, double.NaN,
            $"1/0.8^13 = {ratio:F1}: \"20×\" is this rounded to one significant figure (18 would be the two-figure value). " +
            "Against a one-step dependency (factor 0.8) the ratio is 0.8/0.8^13 = 0.8^-12 = " + (1 / Math.Pow(0.8, 12)).ToString("F1", CultureInfo.InvariantCulture) + "."));
        return checks.ToArray();
    }

    static LessonNumberCheck Check(string claim, string printed, double rho, int n, string formula, int? altN, string? alt)
    {
        var (value, half) = ParsePrinted(printed);
        double f = Math.Pow(rho, n);
        double a = altN is int m ? Math.Pow(rho, m) : double.NaN;
        if (double.IsNaN(value))
        {
            string noteZero = $"\"≈0\" is not zero: {formula} = {Numbers.Format(f, "E2")}" + (alt is null ? "" : $" ({alt} = {Numbers.Format(a, "E2")})") +
                "; small, but a float32 gradient (smallest normal 1.2e-38) would still carry it.";
            return new LessonNumberCheck(claim, printed, value, formula, f, f < 1e-3, alt, a, a < 1e-3, double.NaN, noteZero);
        }
        bool mf = Math.Abs(f - value) <= half * (1 + 1e-12);
        bool ma = alt is not null && Math.Abs(a - value) <= half * (1 + 1e-12);
        double implied = Math.Log(value) / Math.Log(rho);
        string note = mf ? $"matches {formula} = {Fmt(f)}"
            : ma ? $"does not match {formula} = {Fmt(f)}; it matches {alt} = {Fmt(a)}"
            : $"matches neither {formula} = {Fmt(f)}" + (alt is null ? "" : $" nor {alt} = {Fmt(a)}") + $"; it is {rho}^{implied:F1}";
        if (mf && ma) note = $"matches both {formula} = {Fmt(f)} and {alt} = {Fmt(a)} at the printed precision";
        return new LessonNumberCheck(claim, printed, value, formula, f, mf, alt, a, ma, implied, note);
    }

    static string Fmt(double v) => Numbers.Format(v, v >= 1e-3 ? "G4" : "0.00E+0");
}
