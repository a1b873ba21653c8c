namespace RnnLab.Analysis;

/// <summary>
/// The lesson's reference curve ρ^k for k = 0..K−1, beside which a measured ‖∂h_T/∂h_{T−k}‖ is drawn (its value at
/// k = T − 1 is the decay table's ρ^(T−1)). Kept as log₁₀ ρ^k = k·log₁₀ ρ, which neither underflows nor overflows
/// at any k; the values are 10 to those powers. <c>rnnlab flow</c>, the web page's Jacobian lab and the lesson's
/// plots all take the curve from here.
/// </summary>
public static class RhoPowers
{
    /// <summary>log₁₀ ρ^k = k·log₁₀ ρ (0 at k = 0 for every ρ, −∞ for ρ = 0 and k &gt; 0).</summary>
    public static double Log10At(double rho, int k) => k == 0 ? 0 : k * Math.Log10(rho);

    /// <summary>ρ^k as 10^(k·log₁₀ ρ).</summary>
    public static double ValueAt(double rho, int k) => Math.Pow(10, Log10At(rho, k));

    /// <summary>log₁₀ ρ^k for k = 0..count−1.</summary>
    public static double[] Log10(double rho, int count)
    {
        var curve = new double[count];
        for (int k = 0; k < count; k++) curve[k] = Log10At(rho, k);
        return curve;
    }

    /// <summary>ρ^k for k = 0..count−1, as 10^(k·log₁₀ ρ).</summary>
    public static double[] Values(double rho, int count)
    {
        var curve = new double[count];
        for (int k = 0; k < count; k++) curve[k] = ValueAt(rho, k);
        return curve;
    }
}
