using RnnLab.Tasks;

namespace RnnLab.Training;

/// <summary>
/// The network every point of an experiment grid is built with: stacked layers (PyTorch's <c>num_layers</c>) and a
/// reverse direction beside each (<c>bidirectional</c>). A grid as an experiment defines it is one layer, one
/// direction (<see cref="One"/>); another shape replaces those two values in every point's config and nothing else.
/// </summary>
public sealed record GridShape(int Layers = 1, bool Bidirectional = false)
{
    public static GridShape One { get; } = new();

    public bool IsOne => this == One;

    /// <summary>What a folder name adds for this shape: "", "-2layers", "-bidirectional" or "-2layers-bidirectional".</summary>
    public string Suffix => (Layers > 1 ? $"-{Layers}layers" : "") + (Bidirectional ? "-bidirectional" : "");

    /// <summary>Why no network may read a next-token task in both directions (every verb refuses it).</summary>
    public const string ReadsPredictedToken = "predicts each next token, which the reverse direction has already read: the task would be trivial";

    /// <summary>
    /// Why a reverse direction cannot take part in an experiment on <paramref name="task"/>, or null when it can: a
    /// readout of the last step reads output[T−1], where the reverse direction has read only x_T, so it adds nothing
    /// to what the experiment measures (a single run may still train it, as PyTorch would); a next-token prediction
    /// would read the token it predicts.
    /// </summary>
    public static string? ReverseDirectionRefusal(ISequenceTask task) => task switch
    {
        AgreementLanguageModelTask => $"{task.Name} {ReadsPredictedToken}",
        { TargetKind: TargetKind.RegressionAtLastStep or TargetKind.ClassificationAtLastStep } =>
            $"{task.Name} is read out at the last step, output[T−1], where the reverse direction has read only x_T",
        _ => null,
    };

    /// <summary>
    /// Every point of <paramref name="grid"/> in this shape, each config validated, before any work. Refuses the
    /// shape with <see cref="InvalidParameterException"/> naming <see cref="Bidirectional"/> or <see cref="Layers"/>,
    /// the experiment and the first point that cannot take it.
    /// </summary>
    public IReadOnlyList<GridPoint> Apply(string experiment, IReadOnlyList<GridPoint> grid)
    {
        if (IsOne) return grid;
        if (Layers < 1) throw new InvalidParameterException(nameof(Layers), "must be a positive integer", Layers);
        var shaped = new GridPoint[grid.Count];
        for (int i = 0; i < grid.Count; i++)
        {
            var p = grid[i];
            var config = p.Config with { Layers = Layers, Bidirectional = Bidirectional };
            if (Bidirectional && ReverseDirectionRefusal(TaskCatalog.Create(config)) is string why)
                throw InvalidParameterException.Conflict(nameof(Bidirectional), $"does not apply to experiment {experiment}: {why}");
            try { config.Validate(); }
            catch (InvalidParameterException e)
            {
                throw InvalidParameterException.Conflict(Layers > 1 ? nameof(Layers) : nameof(Bidirectional),
                    $"does not apply to experiment {experiment}: in its series '{p.Series}' {e.Parameter} {e.Requirement}");
            }
            shaped[i] = p with { Config = config };
        }
        return shaped;
    }
}
