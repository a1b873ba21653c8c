using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RnnLab.Tests.Cli;

/// <summary>
/// `rnnlab flow` on an LSTM whose cells saturate (W_hh from the identity at ρ = 3, T = 200): from k ≈ 136 on,
/// ‖∂h_T/∂h_{T−k}‖ and ‖∂h_T/∂c_{T−k}‖ lie below <see cref="RnnLab.Analysis.FlowProfile.RoundingFloor"/> of the whole
/// product. Each reader of the profile shows such a k as refused: "rounding" in the tables, null with a note in the JSON.
/// </summary>
public class FlowRefusalTests
{
    static readonly string[] Saturated = ["--cell", "lstm", "--hidden", "16", "--input", "8", "--init", "identity", "--seq", "200", "--seed", "1"];

    /// <summary>The profile table's log10 columns (after k and log10 ρ_eff^k's place) and the JSON key each one prints.</summary>
    static readonly (int Column, string Key)[] Columns =
    [
        (1, "log10_spectral_norm"), (2, "log10_frobenius_norm"), (4, "log10_cell_spectral_norm"),
        (5, "log10_hidden_from_cell_spectral_norm"), (6, "log10_state_spectral_norm"), (7, "log10_cell_path_norm"),
    ];

    /// <summary>In a process of its own with wide columns, so no cell of the table wraps.</summary>
    static string Run(string dir, params string[] args)
    {
        var (code, output, err) = CliProcess.Run(dir, new Dictionary<string, string?> { ["COLUMNS"] = "400" }, args);
        Assert.True(code == 0, err);
        return output;
    }

    /// <summary>The k where a log10 array is null and not listed in its _zero_at (an exact zero): the refused distances.</summary>
    static SortedSet<int> Refused(JsonElement parent, string key) =>
        [.. CliJson.Log10(parent, key).Select((v, k) => (v, k)).Where(p => double.IsNaN(p.v)).Select(p => p.k)];

    /// <summary>The note says how many distances are null and the first of them: both must be what the array holds.</summary>
    static void AssertNoteDescribes(JsonElement parent, string key, SortedSet<int> refused)
    {
        bool noted = parent.TryGetProperty(key + "_note", out var note);
        Assert.True(noted == refused.Count > 0, $"{key}: {refused.Count} null entries, note {(noted ? "present" : "absent")}");
        if (!noted) return;
        var m = Regex.Match(note.GetString()!, @"^null at (\d+) of (\d+) distances, the first k = (\d+): .*rounding");
        Assert.True(m.Success, $"{key}_note: {note.GetString()}");
        Assert.Equal((refused.Count, 200, refused.Min), (Int(m.Groups[1]), Int(m.Groups[2]), Int(m.Groups[3])));
    }

    static int Int(Group g) => int.Parse(g.Value, CultureInfo.InvariantCulture);

    /// <summary>The cells of the table row whose first cell is k.</summary>
    static string[] Row(string table, int k) =>
        table.Split('\n').Select(l => l.Split('│').Select(c => c.Trim()).ToArray())
            .Single(c => c.Length > 2 && c[1] == k.ToString(CultureInfo.InvariantCulture))[1..^1];

    [Fact]
    public void The_table_prints_rounding_where_the_json_has_null_and_a_note()
    {
        using var tmp = new Fixtures.Fixture.TempFolder();
        string[] args = ["flow", .. Saturated, "--rho", "3"];
        var j = JsonDocument.Parse(Run(tmp.Dir, [.. args, "--json"])).RootElement;
        string table = Run(tmp.Dir, args);

        var spectral = Refused(j, "log10_spectral_norm");
        Assert.Contains(199, spectral);                        // k = T − 1, a row of the table
        Assert.Equal(spectral, Refused(j, "log10_frobenius_norm"));   // the same block's norms are refused together
        Assert.All(spectral, k => Assert.Equal(JsonValueKind.Null, j.GetProperty("spectral_norm")[k].ValueKind));
        int rows = 0, rounding = 0;
        foreach (int k in new[] { 0, 1, 2, 5, 10, 20, 50, 100, 199 })
        {
            var cells = Row(table, k);
            rows++;
            foreach (var (column, key) in Columns)
            {
                bool refused = Refused(j, key).Contains(k);
                Assert.True(refused == (cells[column] == "rounding"), $"k = {k}, {key}: table '{cells[column]}', json {(refused ? "null" : "a number")}");
                if (refused) rounding++;
            }
        }
        Assert.Equal(9, rows);
        Assert.True(rounding >= 3, $"{rounding} cells say rounding");   // at k = 199: both h_T/h norms and h_T/c
        foreach (var (_, key) in Columns) AssertNoteDescribes(j, key, Refused(j, key));
        Assert.Empty(Refused(j, "log10_state_spectral_norm"));          // the whole product is the reference: never refused
    }

    [Fact]
    public void Compare_rho_keeps_the_note_and_prints_rounding_in_its_table()
    {
        using var tmp = new Fixtures.Fixture.TempFolder();
        string[] args = ["flow", .. Saturated, "--compare-rho", "2,3"];
        var runs = JsonDocument.Parse(Run(tmp.Dir, [.. args, "--json"])).RootElement.GetProperty("runs");
        var alone = JsonDocument.Parse(Run(tmp.Dir, ["flow", .. Saturated, "--rho", "3", "--json"])).RootElement;

        var (two, three) = (runs[0], runs[1]);
        var refused = Refused(alone, "log10_spectral_norm");
        Assert.Contains(199, refused);
        Assert.Equal(refused, Refused(three, "log10_spectral_norm"));
        Assert.Equal(alone.GetProperty("log10_spectral_norm_note").GetString(), three.GetProperty("log10_spectral_norm_note").GetString());
        Assert.Empty(Refused(two, "log10_spectral_norm"));
        Assert.False(two.TryGetProperty("log10_spectral_norm_note", out _));

        string table = Run(tmp.Dir, args);   // columns: ρ, effective ρ, log10 ‖·‖₂ at k = T−1, (T−1)·log10 ρ, horizon
        Assert.Equal("rounding", Row(table, 3)[2]);
        Assert.Equal(two.GetProperty("log10_spectral_norm")[199].GetDouble(), double.Parse(Row(table, 2)[2], CultureInfo.InvariantCulture), 2);
    }
}
