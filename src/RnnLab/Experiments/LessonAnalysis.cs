namespace RnnLab.Experiments;

/// <summary>
/// The analysis parts of the lesson page (no training): they call <c>RnnLab.Analysis</c>. Until that library is
/// present this list is empty and the page shows the training experiments only.
/// </summary>
public static class LessonAnalysis
{
    public static IReadOnlyList<(string Id, Func<Preset, LessonPart> Build)> Parts { get; } = [];
}
