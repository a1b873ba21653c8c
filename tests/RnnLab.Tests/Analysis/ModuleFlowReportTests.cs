using RnnLab.Analysis;

namespace RnnLab.Tests.Analysis;

/// <summary>How <c>flow --model</c> sums a series over several sequences.</summary>
public class ModuleFlowReportTests
{
    /// <summary>
    /// A value refused in one sequence (NaN: below the rounding floor) is refused in the mean and in both ends of the
    /// range; the other k are the plain mean, min and max, and −∞ (an exact zero) stays an ordinary value.
    /// </summary>
    [Fact]
    public void A_value_refused_in_one_sequence_is_refused_in_the_mean_min_and_max()
    {
        double[] a = [0, -1, double.NaN, double.NegativeInfinity], b = [-2, -3, -4, -5];
        var o = new Dictionary<string, object?>();
        ModuleFlowReport.AddSeries(o, "spectral_norm", [a, b]);
        Assert.Equal([-1, -2, double.NaN, double.NegativeInfinity], (double[])o["log10_spectral_norm"]!);
        Assert.Equal([-2, -3, double.NaN, double.NegativeInfinity], (double[])o["log10_spectral_norm_min"]!);
        Assert.Equal([0, -1, double.NaN, -5], (double[])o["log10_spectral_norm_max"]!);
    }
}
