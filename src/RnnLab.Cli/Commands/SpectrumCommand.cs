using System.CommandLine;
using RnnLab.Numerics;
using RnnLab.Lesson;
using RnnLab.Models;
using Spectre.Console;

namespace RnnLab.Cli.Commands;

/// <summary>`rnnlab spectrum`: eigenvalues, spectral radius and singular values of W_hh; the lesson's 2×2 refresher.</summary>
public static class SpectrumCommand
{
    /// <summary>One H×H block of W_hh (the whole matrix for the RNN) and its spectrum.</summary>
    public sealed record BlockSpectrum(string Gate, double SpectralRadius, double PowerIterationRadius, double SpectralNorm,
        double[][] Eigenvalues, double[] SingularValues);

    public static Command Create()
    {
        var network = new NetworkOptions();
        var refresher = new Option<bool>("--refresher") { Description = "The lesson's refresher instead: A with eigenvalues 0.7 and 1.2 and its eigen-directions in A^k." };
        var plot = PlotFile.Option();
        var json = CommonOptions.Json();
        var command = new Command("spectrum", "Eigenvalues (complex), spectral radius and singular values of W_hh, per gate block.")
        {
            refresher, plot, json,
        };
        network.AddTo(command);
        command.SetAction(parse =>
        {
            string? plotPath = parse.GetValue(plot);
            PlotFile.CheckPath(plotPath);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(refresher))
            {
                var rows = RefresherExample.Rows([0, 1, 2, 5, 10, 20]);
                var eig = Spectra.Eigenvalues(RefresherExample.Matrix(), 2);
                PlotFile.Write(Plots.Eigenvalues(eig, "Refresher: eigenvalues of A"), plotPath);
                if (parse.GetValue(json)) { Cli.WriteJson(output, new { matrix = RefresherExample.Matrix(), eigenvalues = eig.Select(e => new[] { e.Real, e.Imaginary }), rows }); return 0; }
                var t = new Table().AddColumns("k", "along the 0.7-eigenvector (0.7^k)", "along the 1.2-eigenvector (1.2^k)", "‖A^k‖₂");
                foreach (var r in rows) t.AddRow($"{r.K}", $"{r.CoefficientSmall:G4}", $"{r.CoefficientLarge:G4}", $"{r.SpectralNorm:G4}");
                AnsiConsole.WriteLine("A = [[0.7, 0.5], [0, 1.2]], x₀ = v₁ + v₂; A^k x₀ split along the eigenvectors:");
                AnsiConsole.Write(t);
                return 0;
            }
            RecurrentLayer<double> layer = network.Build(parse);
            int H = layer.HiddenSize;
            string[] gates = layer.Kind switch { CellKind.Lstm => ["i", "f", "g", "o"], CellKind.Gru => ["r", "z", "n"], _ => ["h"] };
            var blocks = new List<BlockSpectrum>();
            System.Numerics.Complex[] all = [];
            for (int g = 0; g < gates.Length; g++)
            {
                var w = layer.WeightHH.Value.AsSpan(g * H * H, H * H);
                var s = Spectra.Analyze(w, H);
                var power = Spectra.PowerIterationSpectralRadius(w, H);
                blocks.Add(new BlockSpectrum(gates[g], s.SpectralRadius, power.SpectralRadius, s.SpectralNorm,
                    [.. s.Eigenvalues.Select(e => new[] { e.Real, e.Imaginary })], s.SingularValues));
                all = [.. all, .. s.Eigenvalues];
            }
            PlotFile.Write(Plots.Eigenvalues(all, layer.Kind == CellKind.Rnn ? "Eigenvalues of W_hh" : $"Eigenvalues of the {layer.Kind.Name()}'s W_hh gate blocks"), plotPath);
            if (parse.GetValue(json)) { Cli.WriteJson(output, new { cell = layer.Kind.Name(), hidden = H, blocks }); return 0; }
            var table = new Table().AddColumns("block", "spectral radius (eigen solver)", "spectral radius (power iteration)", "largest singular value", "smallest singular value");
            foreach (var b in blocks)
                table.AddRow(b.Gate, $"{b.SpectralRadius:F6}", $"{b.PowerIterationRadius:F6}", $"{b.SpectralNorm:F6}", $"{b.SingularValues[^1]:F6}");
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
