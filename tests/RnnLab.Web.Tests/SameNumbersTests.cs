using System.Text.Json;
using RnnLab.Lesson;
using RnnLab.Training;

namespace RnnLab.Web.Tests;

/// <summary>
/// One number, one code path: the refresher rows, the ρ^k reference curve and the gate-block spectra of W_hh are
/// the same doubles from <c>rnnlab … --json</c>, from the web endpoint the page draws, and in the lesson report's
/// numbers. Compared exactly: JSON carries doubles round-trip, and a value shown as ρ^k on one side and log₁₀ ρ^k
/// on the other is 10 to the same power.
/// </summary>
[Collection(BrowserCollection.Name)]
public class SameNumbersTests(LessonFixture lesson)
{
    static readonly HttpClient Http = new();

    /// <summary>Runs a command line as printed ("rnnlab flow … --json") in-process and parses its output.</summary>
    static JsonElement Cli(string commandLine)
    {
        string[] args = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("rnnlab", args[0]);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = RnnLab.Cli.Cli.Run(RnnLab.Cli.Program.Commands(), args[1..], stdout, stderr);
        Assert.True(code == 0, $"{commandLine}: exit {code}, {stderr}");
        return JsonDocument.Parse(stdout.ToString()).RootElement;
    }

    async Task<JsonElement> Web(string path)
    {
        var response = await Http.GetAsync(lesson.Url + path);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    static LessonPart Part(string id) => LessonAnalysis.Parts.Single(p => p.Id == id).Build(Preset.Test);

    static double[] Doubles(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetDouble())];

    [Fact]
    public async Task Refresher_rows_are_the_same_from_the_command_line_the_page_and_the_lesson()
    {
        var cli = Cli("rnnlab spectrum --refresher --json").GetProperty("rows").EnumerateArray().ToArray();
        var web = await Web("/api/refresher?k=20");
        var directions = web.GetProperty("directions").EnumerateArray().ToArray();
        double[] large = Doubles(directions[0].GetProperty("log10Size")), small = Doubles(directions[1].GetProperty("log10Size"));
        double[] norm = Doubles(web.GetProperty("log10Norm"));
        Assert.Equal(RnnLab.Cli.Commands.SpectrumCommand.RefresherPowers, cli.Select(r => r.GetProperty("k").GetInt32()));
        foreach (var row in cli)
        {
            int k = row.GetProperty("k").GetInt32();
            Assert.Equal(Math.Pow(10, small[k]), row.GetProperty("coefficient_small").GetDouble());
            Assert.Equal(Math.Pow(10, large[k]), row.GetProperty("coefficient_large").GetDouble());
            Assert.Equal(Math.Pow(10, norm[k]), row.GetProperty("spectral_norm").GetDouble());
        }
        var numbers = Part("refresher").Numbers;
        var ten = cli.Single(r => r.GetProperty("k").GetInt32() == 10);
        Assert.Equal(ten.GetProperty("coefficient_small").GetDouble(), numbers["k10_small"]);
        Assert.Equal(ten.GetProperty("coefficient_large").GetDouble(), numbers["k10_large"]);
        Assert.Equal(ten.GetProperty("spectral_norm").GetDouble(), numbers["k10_norm"]);
    }

    [Fact]
    public async Task The_rho_power_curve_is_the_same_from_the_command_line_the_page_and_the_lesson()
    {
        // The page prints the command that reproduces its Jacobian lab; run it.
        var web = await Web("/api/jacobian?cell=rnn&init=orthogonal&hidden=16&rho=0.9&steps=60&seed=1");
        var cli = Cli(web.GetProperty("command").GetString()!);
        Assert.Equal(Doubles(cli.GetProperty("log10_spectral_norm")), Doubles(web.GetProperty("log10Norm")));
        Assert.Equal(cli.GetProperty("spectral_radius").GetDouble(), web.GetProperty("spectralRadius").GetDouble());
        Assert.Equal(Doubles(cli.GetProperty("log10_rho_power")).Select(l => Math.Pow(10, l)), Doubles(web.GetProperty("rhoPower")));
        Assert.Equal(Doubles(cli.GetProperty("log10_effective_rho_power")).Select(l => Math.Pow(10, l)), Doubles(web.GetProperty("effectivePower")));
        Assert.Equal(60, Doubles(web.GetProperty("rhoPower")).Length);

        // The lesson's flow profiles are `rnnlab flow --compare-rho … --seed 1` at the preset's size.
        var numbers = Part("flow-profile").Numbers;
        var rows = Cli(LessonAnalysis.FlowCommand(Preset.Test) + " --json").GetProperty("runs").EnumerateArray().ToArray();
        Assert.Equal(LessonAnalysis.FlowRhos, rows.Select(r => r.GetProperty("rho").GetDouble()));
        foreach (var row in rows)
        {
            string rho = Html.Num(row.GetProperty("rho").GetDouble(), "G3");
            Assert.Equal(Doubles(row.GetProperty("log10_rho_power"))[^1], numbers[$"log10_rho_power_last.rho{rho}"]);
            Assert.Equal(row.GetProperty("effective_rho").GetDouble(), numbers[$"effective_rho.rho{rho}"]);
        }
    }

    /// <summary>The k where a log10 array is null and not listed in its zero-at twin: the values the analysis refused.</summary>
    static int[] Refused(JsonElement parent, string key, string zeroAtKey)
    {
        var zeros = parent.TryGetProperty(zeroAtKey, out var z) ? z.EnumerateArray().Select(v => v.GetInt32()).ToHashSet() : [];
        return [.. parent.GetProperty(key).EnumerateArray().Select((v, k) => (v, k)).Where(p => p.v.ValueKind == JsonValueKind.Null && !zeros.Contains(p.k)).Select(p => p.k)];
    }

    [Fact]
    public async Task A_flow_norm_below_the_rounding_floor_is_null_with_the_same_note_from_the_command_line_and_the_page()
    {
        // A saturated LSTM (W_hh from the identity at ρ = 3): ‖∂h_T/∂h_{T−k}‖ falls below the floor of the whole product.
        var web = await Web("/api/jacobian?cell=lstm&init=identity&hidden=16&rho=3&steps=200&seed=1");
        var cli = Cli(web.GetProperty("command").GetString()!);
        int[] refused = Refused(cli, "log10_spectral_norm", "log10_spectral_norm_zero_at");
        Assert.Contains(199, refused);
        Assert.Equal(refused, Refused(web, "log10Norm", "log10NormZeroAt"));
        string note = cli.GetProperty("log10_spectral_norm_note").GetString()!;
        Assert.Contains("rounding", note);
        Assert.Equal(note, web.GetProperty("log10NormNote").GetString());

        var unrefused = await Web("/api/jacobian?cell=lstm&init=identity&hidden=16&rho=2&steps=200&seed=1");
        Assert.Empty(Refused(unrefused, "log10Norm", "log10NormZeroAt"));
        Assert.True(!unrefused.TryGetProperty("log10NormNote", out var none) || none.ValueKind == JsonValueKind.Null, "a note without a refused value");
    }

    [Fact]
    public async Task Gate_spectra_are_the_same_from_the_command_line_the_page_and_the_lesson()
    {
        var web = await Web("/api/jacobian?cell=lstm&init=orthogonal&hidden=8&rho=0.9&steps=20&seed=3");
        var spectrum = Cli("rnnlab spectrum --cell lstm --hidden 8 --input 8 --init orthogonal --rho 0.9 --seed 3 --json");
        var flow = Cli(web.GetProperty("command").GetString()!);
        var cliBlocks = spectrum.GetProperty("blocks").EnumerateArray().ToArray();
        var webBlocks = web.GetProperty("blocks").EnumerateArray().ToArray();
        Assert.Equal(["i", "f", "g", "o"], cliBlocks.Select(b => b.GetProperty("gate").GetString()));
        Assert.Equal(cliBlocks.Select(b => b.GetProperty("gate").GetString()), webBlocks.Select(b => b.GetProperty("gate").GetString()));
        for (int g = 0; g < cliBlocks.Length; g++)
        {
            string gate = cliBlocks[g].GetProperty("gate").GetString()!;
            double[] Flat(JsonElement b) => [.. b.GetProperty("eigenvalues").EnumerateArray().SelectMany(z => Doubles(z))];
            Assert.Equal(Flat(cliBlocks[g]), Flat(webBlocks[g]));
            double radius = cliBlocks[g].GetProperty("spectral_radius").GetDouble();
            Assert.Equal(radius, webBlocks[g].GetProperty("spectralRadius").GetDouble());
            Assert.Equal(radius, web.GetProperty("gateSpectralRadii").GetProperty(gate).GetDouble());
            Assert.Equal(radius, flow.GetProperty("gate_spectral_radii").GetProperty(gate).GetDouble());
            Assert.Equal(0.9, radius, 12);   // --rho rescales every gate block
        }

        // The lesson's spectrum part is `rnnlab spectrum --hidden H --seed 1`.
        var numbers = Part("spectrum").Numbers;
        var rnn = Cli($"rnnlab spectrum --hidden {numbers["hidden"]} --seed 1 --json").GetProperty("blocks")[0];
        Assert.Equal(rnn.GetProperty("spectral_radius").GetDouble(), numbers["spectral_radius"]);
        Assert.Equal(rnn.GetProperty("spectral_norm").GetDouble(), numbers["spectral_norm"]);
    }
}
