namespace RnnLab.Analysis;

/// <summary>One cell of a decay table: ρ^(T−1), the lesson's |∂h_T/∂h_1| ≈ ρ^(T−1).</summary>
public sealed record DecayEntry(double Rho, int T, double Value);

/// <summary>ρ^(T−1) for lists of ρ and T: the decay the lesson's approximation |∂h_T/∂h_1| ≈ ρ^(T−1) predicts.</summary>
public static class DecayTable
{
    public static DecayEntry[] Compute(IEnumerable<double> rhos, IEnumerable<int> lengths)
    {
        var list = new List<DecayEntry>();
        foreach (int t in lengths)
            foreach (double rho in rhos)
                list.Add(new DecayEntry(rho, t, RhoPowers.ValueAt(rho, t - 1)));
        return list.ToArray();
    }
}
