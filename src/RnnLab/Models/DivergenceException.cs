namespace RnnLab.Models;

/// <summary>A loss or gradient became NaN or infinite; <see cref="Step"/> is the training step where it first appeared.</summary>
public sealed class DivergenceException(int step, string what, double value)
    : Exception($"training diverged at step {step}: {what} is {Format(value)}")
{
    public int Step { get; } = step;
    public string What { get; } = what;
    public double Value { get; } = value;

    static string Format(double v) => double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : v.ToString("G6");
}
