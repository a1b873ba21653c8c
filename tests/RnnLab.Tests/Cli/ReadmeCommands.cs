using System.Text.RegularExpressions;

namespace RnnLab.Tests.Cli;

/// <summary>One line of a README shell block that runs rnnlab: where it is, what it says, and its arguments to rnnlab.</summary>
/// <param name="Line">1-based line in README.md.</param>
/// <param name="Text">The command as written, without its comment.</param>
/// <param name="Args">What follows `rnnlab` (or `dotnet run ... --`).</param>
/// <param name="Comment">The line's trailing `# ...` comment, where the README says what the command writes.</param>
/// <param name="Project">The `--project` folder of a `dotnet run` line, else null.</param>
public sealed record ReadmeCommand(int Line, string Text, string[] Args, string Comment, string? Project)
{
    public string Verb => Args.Length > 0 ? Args[0] : "";

    /// <summary>The value after <paramref name="option"/>, or null when the command does not give it.</summary>
    public string? Value(string option) => Value(Args, option);

    public static string? Value(string[] args, string option)
    {
        int at = Array.IndexOf(args, option);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}

/// <summary>A fenced shell block of README.md (its first line) and the rnnlab commands in it, in order.</summary>
public sealed record ReadmeBlock(int Line, ReadmeCommand[] Commands);

/// <summary>
/// README.md read as a reader runs it: every line of a ```bash (or sh, shell, console) block that starts with
/// `rnnlab` or `dotnet run ... --` is an rnnlab command. Other lines (`bash .ci/run`, `dotnet pack`, Slurm and
/// kubectl commands) belong to other tools. A command holding shell syntax the tests cannot run literally
/// (pipes, redirections, variables, quotes, chains) is refused, so the README cannot grow one silently.
/// </summary>
public static partial class ReadmeCommands
{
    public static string File => Path.Combine(Deploy.InstalledTool.RepoRoot, "README.md");

    static readonly string[] ShellLanguages = ["bash", "sh", "shell", "console"];

    [GeneratedRegex(@"^\s*```\s*(\w*)")]
    private static partial Regex Fence();

    [GeneratedRegex(@"(^|\s)#")]
    private static partial Regex CommentStart();

    [GeneratedRegex(@"&&|\|\||[|;<>$`'""\\]")]
    private static partial Regex ShellSyntax();

    public static IReadOnlyList<ReadmeBlock> Blocks(string markdown)
    {
        var blocks = new List<ReadmeBlock>();
        string[] lines = markdown.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var open = Fence().Match(lines[i]);
            if (!open.Success) continue;
            int start = i;
            var commands = new List<ReadmeCommand>();
            for (i++; i < lines.Length && !Fence().IsMatch(lines[i]); i++)
                if (ShellLanguages.Contains(open.Groups[1].Value) && Parse(i + 1, lines[i]) is { } command) commands.Add(command);
            if (commands.Count > 0) blocks.Add(new ReadmeBlock(start + 1, [.. commands]));
        }
        return blocks;
    }

    public static IReadOnlyList<ReadmeBlock> Blocks() => Blocks(System.IO.File.ReadAllText(File));

    /// <summary>The rnnlab command on one shell line, or null when the line runs something else.</summary>
    static ReadmeCommand? Parse(int line, string text)
    {
        var comment = CommentStart().Match(text);
        string command = (comment.Success ? text[..comment.Index] : text).Trim();
        string note = comment.Success ? text[(comment.Index + comment.Length)..].Trim() : "";
        string[] words = command.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        string[] args;
        string? project = null;
        if (words.Length > 0 && words[0] == "rnnlab") args = words[1..];
        else if (words.Length > 1 && words[0] == "dotnet" && words[1] == "run" && Array.IndexOf(words, "--") is var dashes and > 0)
        {
            args = words[(dashes + 1)..];
            project = ReadmeCommand.Value(words[..dashes], "--project");
        }
        else return null;
        if (ShellSyntax().IsMatch(command))
            throw new FormatException($"README.md:{line}: '{command}' uses shell syntax the README tests cannot run as written");
        return new ReadmeCommand(line, command, args, note, project);
    }

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^""(\w+)"":")]
    private static partial Regex JsonKey();

    [GeneratedRegex(@"^[\w.-]+\.\w+$")]
    private static partial Regex FileName();

    /// <summary>The prose paragraphs of the README (code blocks left out), each with its inline code spans.</summary>
    static IEnumerable<string[]> ProseParagraphs(string markdown)
    {
        var paragraph = new List<string>();
        bool inBlock = false;
        foreach (string line in markdown.Split('\n').Append(""))
        {
            if (Fence().IsMatch(line)) inBlock = !inBlock;
            if (!inBlock && line.Trim().Length > 0 && !Fence().IsMatch(line)) { paragraph.Add(line); continue; }
            if (paragraph.Count > 0) yield return [.. CodeSpan().Matches(string.Join(' ', paragraph)).Select(m => m.Groups[1].Value)];
            paragraph.Clear();
        }
    }

    /// <summary>
    /// The JSON keys the README promises (a code span such as `"resumed_points": N`), each with the verbs its
    /// paragraph names (`experiment`, `rnnlab lesson ...`): their --json output holds the key.
    /// </summary>
    public static IEnumerable<(string Key, string[] Verbs)> JsonKeyClaims(string markdown, IReadOnlySet<string> verbs)
    {
        foreach (string[] spans in ProseParagraphs(markdown))
        {
            string[] named = [.. spans.Select(s => s.StartsWith("rnnlab ", StringComparison.Ordinal) ? s.Split(' ')[1] : s).Where(verbs.Contains).Distinct()];
            foreach (var key in spans.Select(s => JsonKey().Match(s)).Where(m => m.Success))
                yield return (key.Groups[1].Value, named);
        }
    }

    /// <summary>The files the README says a run folder holds: the file names in its paragraph that starts "A run folder".</summary>
    public static string[] RunFolderFiles(string markdown)
    {
        string paragraph = string.Join('\n', markdown.Split("\n\n").Where(p => p.TrimStart().StartsWith("A run folder", StringComparison.Ordinal)));
        return [.. CodeSpan().Matches(paragraph).Select(m => m.Groups[1].Value).Where(s => FileName().IsMatch(s)).Distinct()];
    }
}
