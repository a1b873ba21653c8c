using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Web;

/// <summary>
/// The small float64 models the analysis sections look at: a layer initialised by the library's initializers
/// (W_hh gate blocks rescaled to a chosen spectral radius), and a random input sequence to run it on.
/// </summary>
static class LabModels
{
    /// <summary>Inputs per step of the lab's sequences: a few channels of N(0, 1) noise.</summary>
    public const int InputSize = 4;

    public static readonly string[] Inits = ["orthogonal", "xavier", "pytorch", "identity"];

    public static RecurrentLayer<double> Layer(CellKind kind, int hidden, string init, double? rho, ulong seed)
    {
        var layer = RecurrentLayer<double>.Create(kind, InputSize, hidden);
        Initializers.Apply(layer, Initializers.Parse(init), new SeededRandom(seed), rho);
        return layer;
    }

    /// <summary>x [T, I], N(0, 1), from its own seed so that changing the model keeps the sequence.</summary>
    public static double[] Sequence(int steps, ulong seed)
    {
        var x = new double[steps * InputSize];
        new SeededRandom(seed ^ 0x5EC0_E5CE).FillGaussian<double>(x, 0, 1);
        return x;
    }
}
