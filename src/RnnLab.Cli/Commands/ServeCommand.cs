using System.CommandLine;
using RnnLab.Web;

namespace RnnLab.Cli.Commands;

/// <summary><c>rnnlab serve</c>: the interactive lesson in the browser (RnnLab.Web), on loopback by default.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Where to listen (loopback by default; the lesson is a local tool).",
            DefaultValueFactory = _ => new LessonOptions().Urls,
        };
        var command = new Command("serve", "Serve the interactive lesson on vanishing and exploding gradients in the browser.") { urls };
        command.SetAction(parseResult =>
        {
            string value = parseResult.GetValue(urls)!;
            if (!Uri.TryCreate(value.Split(';')[0], UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new UsageException($"--urls must be an http address such as http://127.0.0.1:5080, got '{value}'");
            try
            {
                // Ctrl+C or SIGTERM (Cli.Interrupted) shuts the server down and ends the command normally.
                LessonServer.RunAsync(new LessonOptions { Urls = value },
                    address => Console.WriteLine($"RnnLab lesson at {address}  (Ctrl+C to stop)"), Cli.Interrupted).GetAwaiter().GetResult();
            }
            catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                throw new UsageException($"{value} is already in use: stop the other server or pass --urls with another port");
            }
            return 0;
        });
        return command;
    }
}
