using RnnLab.Tasks;

namespace RnnLab.Training;

/// <summary>The tasks a run can name, built from a <see cref="TrainingConfig"/>.</summary>
public static class TaskCatalog
{
    public static IReadOnlyList<string> Names { get; } = ["adding", "copy", "agreement", "agreement-lm", "temporal-order"];

    public static ISequenceTask Create(TrainingConfig c) => c.Task switch
    {
        "adding" => new AddingTask(c.Seq),
        "copy" => new CopyTask(c.Seq),
        "agreement" => new AgreementTask(c.Seq, c.Attractors),
        "agreement-lm" => new AgreementLanguageModelTask(c.Seq, c.Attractors),
        "temporal-order" => new TemporalOrderTask(c.Seq),
        _ => throw new InvalidInputException($"unknown task '{c.Task}': choose {string.Join(", ", Names)}"),
    };
}
