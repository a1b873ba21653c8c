namespace RnnLab.Web;

/// <summary>
/// Caps on every control of the page, so that each request does bounded work. The page shows them beside the
/// controls (GET /api/limits) and the server checks them again (400 with a message naming the field).
/// </summary>
public static class Limits
{
    public const int RefresherMaxPower = 100;
    public const double RefresherMaxEntry = 10;

    // ρ^(T−1) stays a normal double over this range for every T ≤ DecayMaxT (0.5^999 ≈ 2e−301).
    public const double DecayMinRho = 0.5, DecayMaxRho = 1.5;
    public const int DecayMaxT = 1000;

    public const int JacobianMaxHidden = 64;
    public const int JacobianMaxSteps = 200;
    public const double MaxSpectralRadius = 3.0;

    public const int DepthMaxLayers = 200;

    public const int TrainMaxHidden = 32;
    public const int TrainMaxSteps = 400;
    public const int TrainMaxDistance = 40;
    public const int TrainMaxBatch = 64;
    public const double TrainMaxLearningRate = 10;

    public static object Describe(LessonOptions options) => new
    {
        refresher = new { maxPower = RefresherMaxPower, maxEntry = RefresherMaxEntry },
        decay = new { minRho = DecayMinRho, maxRho = DecayMaxRho, maxT = DecayMaxT },
        jacobian = new { maxHidden = JacobianMaxHidden, maxSteps = JacobianMaxSteps, maxRho = MaxSpectralRadius },
        depth = new { maxLayers = DepthMaxLayers },
        training = new
        {
            maxHidden = TrainMaxHidden, maxSteps = TrainMaxSteps, maxDistance = TrainMaxDistance, maxBatch = TrainMaxBatch,
            maxLearningRate = TrainMaxLearningRate, maxRho = MaxSpectralRadius,
            wallSeconds = (int)options.TrainingWallTime.TotalSeconds, concurrentRuns = options.ConcurrentTrainingRuns,
        },
    };
}
