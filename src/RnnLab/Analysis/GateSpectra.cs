using System.Numerics;
using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Analysis;

/// <summary>The spectrum of one H×H gate block of W_hh (the whole matrix for the RNN).</summary>
/// <param name="Gate">the block's name in PyTorch's gate order (<see cref="CellKinds.GateNames"/>)</param>
/// <param name="SpectralRadius">max |λ| by the eigen solver</param>
/// <param name="PowerIterationRadius">max |λ| by power iteration, a check that needs no decomposition; null when the
/// iteration did not settle (<see cref="PowerIterationRadiusNote"/> says why), never its last unsettled estimate</param>
/// <param name="SpectralNorm">σ_max</param>
/// <param name="Eigenvalues">all eigenvalues, by decreasing modulus</param>
/// <param name="SingularValues">all singular values, decreasing</param>
public sealed record GateBlockSpectrum(string Gate, double SpectralRadius, double? PowerIterationRadius, double SpectralNorm,
    Complex[] Eigenvalues, double[] SingularValues)
{
    /// <summary>Why <see cref="PowerIterationRadius"/> is missing; null when it is given.</summary>
    public string? PowerIterationRadiusNote { get; init; }

    /// <summary>
    /// The block with power iteration's answer: its radius when it converged, else none and a note. The three-term
    /// iteration separates a real eigenvalue or a complex pair of largest modulus; it cannot settle when more
    /// eigenvalues share that modulus (an orthogonal W_hh, exp(A) of an expRNN, has all of them on the unit circle),
    /// and its last estimate then wanders by far more than the six digits a table would show.
    /// </summary>
    internal static GateBlockSpectrum WithPowerIteration(string gate, SpectrumResult spectrum, PowerIterationResult power) =>
        new(gate, spectrum.SpectralRadius, power.Converged ? power.SpectralRadius : null, spectrum.SpectralNorm, spectrum.Eigenvalues, spectrum.SingularValues)
        {
            PowerIterationRadiusNote = power.Converged ? null :
                $"power iteration did not settle to {Spectra.PowerIterationTolerance:0e0} in {power.Iterations:N0} steps: " +
                "more than two eigenvalues share the largest modulus (as in an orthogonal W_hh), which it cannot separate; the eigen solver's radius stands",
        };
}

/// <summary>The eigenvalues of one gate block of W_hh, by decreasing modulus.</summary>
public sealed record GateEigenvalues(string Gate, Complex[] Eigenvalues)
{
    /// <summary>max |λ|.</summary>
    public double SpectralRadius => Eigenvalues.Length > 0 ? Eigenvalues[0].Magnitude : 0;
}

/// <summary>
/// The spectra of the gate blocks of W_hh [G·H, H]: block g is rows g·H..(g+1)·H, the recurrent matrix of gate g.
/// The one place that splits W_hh into gates: <c>rnnlab spectrum</c>, <c>rnnlab flow</c>'s gate radii, the web
/// page's Jacobian lab and the lesson read their numbers from here.
/// </summary>
public static class GateSpectra
{
    /// <summary>Block <paramref name="gate"/> of W_hh [G·H, H], as [H, H] row-major.</summary>
    public static ReadOnlySpan<double> Block(ReadOnlySpan<double> weightHH, int hidden, int gate) =>
        weightHH.Slice(gate * hidden * hidden, hidden * hidden);

    /// <summary>The eigenvalues of every gate block, in gate order: the eigen solver only (no SVD, no power iteration).</summary>
    public static GateEigenvalues[] Eigenvalues(CellKind kind, ReadOnlySpan<double> weightHH, int hidden)
    {
        var names = kind.GateNames();
        var blocks = new GateEigenvalues[names.Count];
        for (int g = 0; g < names.Count; g++) blocks[g] = new GateEigenvalues(names[g], Spectra.Eigenvalues(Block(weightHH, hidden, g), hidden));
        return blocks;
    }

    /// <summary>ρ of each gate block by the eigen solver, by gate name.</summary>
    public static IReadOnlyDictionary<string, double> Radii(CellKind kind, ReadOnlySpan<double> weightHH, int hidden) =>
        Eigenvalues(kind, weightHH, hidden).ToDictionary(b => b.Gate, b => b.SpectralRadius);

    /// <summary>
    /// Eigenvalues, singular values and both spectral radii of every gate block, in gate order (the eigenvalues are
    /// <see cref="Spectra.Eigenvalues(ReadOnlySpan{double}, int)"/>'s, as in <see cref="Eigenvalues(CellKind, ReadOnlySpan{double}, int)"/>).
    /// <paramref name="phase"/> hears each block's phases as they start ("f: eigenvalues", "f: singular values",
    /// "f: power iteration"; without the gate name for the RNN's single block).
    /// </summary>
    public static GateBlockSpectrum[] Analyze(CellKind kind, ReadOnlySpan<double> weightHH, int hidden, Action<string>? phase = null)
    {
        var names = kind.GateNames();
        var blocks = new GateBlockSpectrum[names.Count];
        for (int g = 0; g < names.Count; g++)
        {
            var w = Block(weightHH, hidden, g);
            string prefix = names.Count == 1 ? "" : names[g] + ": ";
            Action<string>? blockPhase = phase is null ? null : p => phase(prefix + p);
            var s = Spectra.Analyze(w, hidden, blockPhase);
            blockPhase?.Invoke("power iteration");
            blocks[g] = GateBlockSpectrum.WithPowerIteration(names[g], s, Spectra.PowerIterationSpectralRadius(w, hidden));
        }
        return blocks;
    }
}
