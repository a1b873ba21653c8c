using System.CommandLine;
using System.Net;
using System.Text.RegularExpressions;
using RnnLab.Web;

namespace RnnLab.Cli.Commands;

/// <summary><c>rnnlab serve</c>: the interactive lesson in the browser (RnnLab.Web), on loopback unless told otherwise.</summary>
public static partial class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Where to listen, e.g. http://127.0.0.1:5080 or http://localhost:5090 (loopback; other addresses need --public).",
            DefaultValueFactory = _ => new LessonOptions().Urls,
        };
        var open = new Option<bool>("--public") { Description = "Allow a non-loopback address in --urls: anyone who reaches it can run training jobs here." };
        var command = new Command("serve", "Serve the interactive lesson on vanishing and exploding gradients in the browser.") { urls, open };
        command.SetAction(parseResult =>
        {
            string value = parseResult.GetValue(urls)!;
            var exposed = NonLoopback(value);
            if (exposed.Count > 0 && !parseResult.GetValue(open))
                throw new UsageException($"--urls {value}: {string.Join(", ", exposed)} is reachable from other machines; add --public to serve there, or use 127.0.0.1 or localhost");
            foreach (string address in exposed)
                parseResult.InvocationConfiguration.Error.WriteLine($"rnnlab: warning: listening on {address}: anyone who can reach it can use this machine to train networks");
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

    [GeneratedRegex(@"^(?<scheme>https?)://(?<host>\[[0-9A-Fa-f:.]+\]|[^:/\[\]]+)(?::(?<port>\d{1,5}))?/?$")]
    private static partial Regex Url();

    /// <summary>
    /// The hosts in a ';'-separated --urls list that are not loopback (empty when all are 127.0.0.0/8, ::1 or
    /// localhost). A host that is neither an IP address nor localhost is refused: the server would bind every
    /// interface for it (a typo such as "localhos" would serve the network).
    /// </summary>
    public static IReadOnlyList<string> NonLoopback(string urls)
    {
        var exposed = new List<string>();
        foreach (string url in urls.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).DefaultIfEmpty(""))
        {
            var m = Url().Match(url);
            if (!m.Success) throw new UsageException($"--urls must be http addresses such as http://127.0.0.1:5080, got '{url}'");
            if (m.Groups["port"].Success && int.Parse(m.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture) > 65535)
                throw new UsageException($"--urls {url}: the port must be at most 65535");
            string host = m.Groups["host"].Value;
            if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) continue;
            if (!IPAddress.TryParse(host.Trim('[', ']'), out var ip))
                throw new UsageException($"--urls {url}: '{host}' is neither an IP address nor localhost (the server would listen on every interface)");
            if (!IPAddress.IsLoopback(ip)) exposed.Add(host);
        }
        return exposed;
    }
}
