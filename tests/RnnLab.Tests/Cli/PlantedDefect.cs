// The runtime looks for exactly this type, in no namespace, in an assembly named by DOTNET_STARTUP_HOOKS.
#pragma warning disable CA1050

/// <summary>
/// A defect planted in a child rnnlab process by ErrorPathProcessTests (and only there: it runs when
/// DOTNET_STARTUP_HOOKS names this assembly): standard output throws an exception no user input explains, so the
/// CLI's bug path (one line, the exception's type, a log file with the trace, exit 70) can be seen from outside.
/// </summary>
internal static class StartupHook
{
    public static void Initialize() => Console.SetOut(new DefectiveWriter());

    sealed class DefectiveWriter : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;
        public override void Write(char value) => throw new InvalidOperationException("a defect planted by the test");
        public override void Write(string? value) => throw new InvalidOperationException("a defect planted by the test");
        public override void WriteLine(string? value) => throw new InvalidOperationException("a defect planted by the test");
    }
}
