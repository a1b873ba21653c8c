namespace RnnLab.Tasks;

/// <summary>Where a task's loss applies, which decides where the training loop runs the readout.</summary>
public enum TargetKind
{
    /// <summary>One real-valued target vector per sequence, read out at the last step (adding problem).</summary>
    RegressionAtLastStep,
    /// <summary>One class per sequence, read out at the last step (agreement).</summary>
    ClassificationAtLastStep,
    /// <summary>One class at every step, the loss averaged over all steps (copy memory).</summary>
    ClassificationAtEveryStep,
}
