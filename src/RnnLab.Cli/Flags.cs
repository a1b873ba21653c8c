namespace RnnLab.Cli;

/// <summary>
/// The command line's words for the engine's parameter names: <see cref="InvalidParameterException"/> names a
/// config property (LogEvery, Lr) and the user reads the flag they typed (--log-every, --lr).
/// </summary>
public static class Flags
{
    /// <summary>Parameters whose flag is not the kebab-case of their name.</summary>
    static readonly Dictionary<string, string> Renamed = new()
    {
        ["OutDir"] = "--out",
        ["Chrono"] = "--forget-bias chrono",
        ["EvalBatch"] = "the held-out batch size",
        ["Warmup"] = "the number of warm-up steps",
    };

    public static string For(string parameter)
    {
        if (Renamed.TryGetValue(parameter, out var flag)) return flag;
        var kebab = new System.Text.StringBuilder("--");
        for (int i = 0; i < parameter.Length; i++)
        {
            char c = parameter[i];
            if (char.IsUpper(c) && i > 0) kebab.Append('-');
            kebab.Append(char.ToLowerInvariant(c));
        }
        return kebab.ToString();
    }
}
