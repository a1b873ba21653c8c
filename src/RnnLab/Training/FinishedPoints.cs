using System.Text.Json;
using RnnLab.Numerics;

namespace RnnLab.Training;

/// <summary>
/// The journal of a sweep in progress: each grid point's result in its own file (<c>points/EXPERIMENT-PRESET-INDEX.json</c>
/// in the output folder), written atomically the moment the point finishes. A sweep stopped by a signal, a time
/// limit or a crash loses only the points it was training; run again, it reads the finished ones back instead of
/// training them (JSON keeps every double exactly, so the results are the same bit for bit). Shards of one grid may
/// share the folder: a point's file depends on its index only. Once the sweep's results file is written the journal
/// of its points is removed.
/// </summary>
public static class FinishedPoints
{
    public const string Folder = "points";

    public static string FileOf(string outDir, string experiment, Preset preset, int index) =>
        Path.Combine(outDir, Folder, $"{experiment}-{preset.Name()}-{index}.json");

    public static void Save(string file, PointResult result) =>
        AtomicFile.Write(file, s => JsonSerializer.Serialize(s, result, TrainingRun.Json));

    /// <summary>
    /// The saved result of <paramref name="point"/>, or null when there is none or it was made from another config (an
    /// older version's grid): that point is trained again.
    /// </summary>
    public static PointResult? Load(string file, GridPoint point)
    {
        if (!File.Exists(file)) return null;
        PointResult? saved;
        try
        {
            saved = JsonSerializer.Deserialize<PointResult>(File.ReadAllText(file), TrainingRun.Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}: not a saved grid point ({e.Message.ReplaceLineEndings(" ")}); remove it to train the point again");
        }
        return saved is not null && saved.Index == point.Index && saved.Config == point.Config ? saved : null;
    }

    /// <summary>
    /// Removes the journal files of points now kept in a results file. The folder goes too when it is empty and
    /// <paramref name="shared"/> is false: shards running beside this one may be about to write into it.
    /// </summary>
    public static void Remove(IReadOnlyCollection<string> files, bool shared)
    {
        foreach (string file in files) File.Delete(file);
        string? folder = files.Select(Path.GetDirectoryName).FirstOrDefault();
        if (!shared && folder is not null && Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
            Directory.Delete(folder);
    }
}
