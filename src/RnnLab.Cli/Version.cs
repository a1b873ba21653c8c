using System.Reflection;

namespace RnnLab.Cli;

/// <summary>RnnLab's version, as --version prints it (with the commit it was built from) and every JSON answer carries it.</summary>
public static class Version
{
    public static string Text { get; } =
        typeof(Version).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
}
