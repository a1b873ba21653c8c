namespace RnnLab.Web;

/// <summary>How <c>rnnlab serve</c> listens and how much work it accepts. Defaults suit one laptop on loopback.</summary>
public sealed record LessonOptions
{
    /// <summary>Where to listen. Loopback by default: the lesson is a local tool, not a public service.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5080";

    /// <summary>Training runs executing at once; the rest wait in line (2 cores: more would only slow each run).</summary>
    public int ConcurrentTrainingRuns { get; init; } = 2;

    /// <summary>Training runs allowed to wait for a slot; beyond this a request gets 503 with a message.</summary>
    public int TrainingQueueLength { get; init; } = 64;

    /// <summary>Longest a training stream may last, waiting time included, before it is stopped.</summary>
    public TimeSpan TrainingWallTime { get; init; } = TimeSpan.FromSeconds(90);
}
