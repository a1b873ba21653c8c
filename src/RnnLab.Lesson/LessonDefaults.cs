namespace RnnLab.Lesson;

/// <summary>Settings the lesson's runs share (its experiments and the web lab's training).</summary>
public static class LessonDefaults
{
    /// <summary>
    /// The forget-gate (LSTM) and update-gate (GRU) bias offset the lesson's runs give the gated cells. At +1 (Gers et
    /// al. 2000; Jozefowicz et al. 2015) σ(1) ≈ 0.73 keeps 0.73^64 ≈ 2e-9 of a cell over 64 steps, so at first the
    /// additive path carries nothing that far and the LSTM sat at chance on agreement at distance 32 and 64 and on
    /// adding at T ≥ 200; at +3, σ(3) ≈ 0.95 keeps 4% over 64 steps (the idea behind chrono initialisation, Tallec
    /// &amp; Ollivier 2018) and both tasks are learned.
    /// </summary>
    public const double GateBias = 3.0;
}
