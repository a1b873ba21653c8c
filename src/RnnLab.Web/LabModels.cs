using RnnLab.Analysis;
using RnnLab.Models;

namespace RnnLab.Web;

/// <summary>
/// The float64 networks and input sequences the analysis sections look at, from <see cref="AnalysisNetwork"/>, the
/// same source as <c>rnnlab flow</c> and <c>rnnlab spectrum</c>: the page's Jacobian lab with cell C, hidden H,
/// initializer K, radius ρ, length T and seed S shows what
/// <c>rnnlab flow --cell C --hidden H --input 8 --init K --rho ρ --seq T --seed S --json</c> prints.
/// </summary>
static class LabModels
{
    /// <summary>Inputs per step, as in <c>rnnlab flow</c>'s default.</summary>
    public const int InputSize = AnalysisNetwork.DefaultInputSize;

    public static readonly string[] Inits = ["orthogonal", "xavier", "pytorch", "identity"];

    public static RecurrentLayer<double> Layer(CellKind kind, int hidden, string init, double? rho, ulong seed) =>
        AnalysisNetwork.Generate(kind, InputSize, hidden, Initializers.Parse(init), rho, seed);

    /// <summary>x [T, I], N(0, 1); depends on the seed only, so changing the model keeps the sequence.</summary>
    public static double[] Sequence(int steps, ulong seed) => AnalysisNetwork.RandomInputs(steps, InputSize, seed);
}
