namespace RnnLab.Cli;

/// <summary>RnnLab's version, as --version prints it (with the commit it was built from) and every JSON answer and file carries it.</summary>
public static class Version
{
    public static string Text => Training.Envelope.Version;
}
