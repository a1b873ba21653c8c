using RnnLab.Models;

namespace RnnLab.Tests;

/// <summary>
/// Checks an analytic gradient against central finite differences, in float64, entry by entry, and names the
/// tensor and the index of the worst entry when it fails ("readout.weight: max rel err 3.1e-04 at [2,1] ...").
///
/// For entry i with value x: h = step·max(1, |x|) and the numerical derivative is
///   n = (L(x + h) − L(x − h)) / 2h,
/// whose truncation error is O(h²) and whose rounding error is about u·|L|/h (u = 2.2e-16). The default step 1e-5
/// is near the cube root of u, where the two balance for a loss of order one.
///
/// The error of an entry with analytic value a is
///   rel = |a − n| / max(|a| + |n|, floor),
/// the symmetric relative error (0 when equal, 1 when of opposite sign, never divides by zero). Far from zero it is
/// a plain relative error; the floor stops an entry whose true derivative is (close to) zero from being judged by
/// the rounding noise of n. By default floor = noise / tol with noise = 100·u·max(|L|, 1)/h, an allowance of a
/// hundred roundings in each loss evaluation: entries below the floor pass when |a − n| ≤ noise, entries above it
/// when their relative error is ≤ tol. Pass an explicit floor for a loss whose evaluation rounds more than that.
/// A NaN in either gradient fails the check.
/// </summary>
public static class GradientCheck
{
    public const double DefaultStep = 1e-5;
    public const double DefaultTolerance = 1e-6;
    const double RoundingAllowance = 100 * 2.220446049250313e-16;  // 100 units of rounding, u = 2⁻⁵² (double's machine epsilon)

    /// <summary>The outcome of one tensor's check; <see cref="ToString"/> is the failure message.</summary>
    public sealed record Result(string Name, int[] Shape, int Entries, double MaxRelativeError, int WorstIndex,
        double Analytic, double Numerical, double Floor, double Tolerance)
    {
        public bool Passed => MaxRelativeError <= Tolerance;   // false for NaN

        public override string ToString() =>
            $"{Name}: max rel err {MaxRelativeError:0.0e+00} at {FormatIndex(Shape, WorstIndex)} " +
            $"(analytic {Analytic:G10}, numerical {Numerical:G10}; tol {Tolerance:0.0e+00}, floor {Floor:0.0e+00}, {Entries} entries)";
    }

    /// <summary>
    /// Perturbs each entry of <paramref name="values"/> in place (restoring it exactly afterwards) and compares
    /// <paramref name="analyticGrad"/> with the central difference of <paramref name="loss"/>, which must read
    /// <paramref name="values"/> and have no side effect on the result of the next call.
    /// </summary>
    public static Result Measure(string name, int[] shape, double[] values, ReadOnlySpan<double> analyticGrad, Func<double> loss,
        double step = DefaultStep, double tol = DefaultTolerance, double? floor = null)
    {
        int size = 1;
        foreach (int d in shape) size *= d;
        if (size != values.Length) throw new ArgumentException($"{name}: shape [{string.Join(",", shape)}] has {size} entries, values have {values.Length}");
        if (analyticGrad.Length != values.Length) throw new ArgumentException($"{name}: analytic gradient has {analyticGrad.Length} entries, values have {values.Length}");
        double[] analytic = analyticGrad.ToArray();   // loss() may run a backward pass that overwrites the caller's buffer
        double l0 = Math.Abs(loss());
        double worst = -1, worstA = 0, worstN = 0, worstFloor = 0;
        int worstIndex = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double x = values[i];
            double h = step * Math.Max(1, Math.Abs(x));
            values[i] = x + h;
            double plus = loss();
            values[i] = x - h;
            double minus = loss();
            values[i] = x;
            double n = (plus - minus) / (2 * h);
            double a = analytic[i];
            double f = floor ?? RoundingAllowance * Math.Max(l0, 1) / h / tol;
            double rel = Math.Abs(a - n) / Math.Max(Math.Abs(a) + Math.Abs(n), f);
            if (double.IsNaN(rel)) rel = double.PositiveInfinity;
            if (rel > worst) (worst, worstIndex, worstA, worstN, worstFloor) = (rel, i, a, n, f);
        }
        if (double.IsPositiveInfinity(worst)) worst = double.NaN;
        return new Result(name, shape, values.Length, Math.Max(worst, 0), worstIndex, worstA, worstN, worstFloor, tol);
    }

    /// <summary><see cref="Measure"/>, failing the test with the result's message when it does not pass.</summary>
    public static Result Check(string name, int[] shape, double[] values, ReadOnlySpan<double> analyticGrad, Func<double> loss,
        double step = DefaultStep, double tol = DefaultTolerance, double? floor = null)
    {
        var result = Measure(name, shape, values, analyticGrad, loss, step, tol, floor);
        if (!result.Passed) Assert.Fail(result.ToString());
        return result;
    }

    /// <summary>Checks a parameter's <see cref="Parameter{T}.Grad"/> (as it is now) against <paramref name="loss"/>.</summary>
    public static Result Check(Parameter<double> p, Func<double> loss, double step = DefaultStep, double tol = DefaultTolerance, double? floor = null)
        => Check(p.Name, p.Shape, p.Value, p.Grad, loss, step, tol, floor);

    /// <summary>
    /// Two computations of one gradient (truncated BPTT against its chunked definition) agree to 1e-12 relative, the
    /// rounding of float64 sums taken in another order; the message names the tensor and the element.
    /// </summary>
    public static void AssertSameGradient(string name, double[] expected, double[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * (1 + Math.Abs(expected[i])),
                $"{name}: element {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    /// <summary>"[2,1]" for flat index 7 of shape [3, 3]; "[7]" for a vector.</summary>
    public static string FormatIndex(int[] shape, int flat)
    {
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = shape[d] == 0 ? 0 : flat % shape[d];
            flat = shape[d] == 0 ? 0 : flat / shape[d];
        }
        return "[" + string.Join(",", index) + "]";
    }
}
