using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Tests.Models;

public class InitializersTests
{
    static double[] Block(double[] w, int g, int h) => w.AsSpan(g * h * h, h * h).ToArray();

    public static TheoryData<CellKind, int> KindsAndSizes()
    {
        var data = new TheoryData<CellKind, int>();
        foreach (var kind in new[] { CellKind.Rnn, CellKind.Lstm, CellKind.Gru })
            foreach (int h in new[] { 1, 2, 5, 10, 50 }) data.Add(kind, h);
        return data;
    }

    [Theory]
    [MemberData(nameof(KindsAndSizes))]
    public void OrthogonalBlocksSatisfyWTransposeWIsIdentity(CellKind kind, int h)
    {
        var layer = RecurrentLayer<double>.Create(kind, 3, h);
        Initializers.Apply(layer, InitKind.Orthogonal, new SeededRandom(5));
        for (int g = 0; g < layer.Gates; g++)
        {
            double[] w = Block(layer.WeightHH.Value, g, h);
            for (int i = 0; i < h; i++)
                for (int j = 0; j < h; j++)
                {
                    double dot = 0;
                    for (int k = 0; k < h; k++) dot += w[k * h + i] * w[k * h + j];
                    Assert.True(Math.Abs(dot - (i == j ? 1 : 0)) < 1e-12, $"{kind} block {g}: (WᵀW)[{i},{j}] = {dot}");
                }
        }
        Assert.All(layer.BiasIH.Value, b => Assert.Equal(0.0, b));
        double bound = Math.Sqrt(6.0 / (3 + h));
        Assert.All(layer.WeightIH.Value, w => Assert.InRange(w, -bound, bound));
    }

    [Theory]
    [MemberData(nameof(KindsAndSizes))]
    public void IdentityIsTheIrnnInitialisation(CellKind kind, int h)
    {
        var layer = RecurrentLayer<double>.Create(kind, 4, h);
        Initializers.Apply(layer, InitKind.Identity, new SeededRandom(6));
        for (int g = 0; g < layer.Gates; g++)
        {
            double[] w = Block(layer.WeightHH.Value, g, h);
            for (int i = 0; i < h; i++)
                for (int j = 0; j < h; j++) Assert.Equal(i == j ? 1.0 : 0.0, w[i * h + j]);
        }
        Assert.All(layer.BiasIH.Value.Concat(layer.BiasHH.Value), b => Assert.Equal(0.0, b));
        Assert.All(layer.WeightIH.Value, w => Assert.InRange(w, -0.01, 0.01));   // 10σ
        Assert.Contains(layer.WeightIH.Value, w => w != 0);
    }

    [Theory]
    [MemberData(nameof(KindsAndSizes))]
    public void RescalingSetsTheSpectralRadiusOfEachBlock(CellKind kind, int h)
    {
        foreach (var init in new[] { InitKind.PyTorch, InitKind.Xavier, InitKind.Orthogonal, InitKind.Identity })
        {
            var layer = RecurrentLayer<double>.Create(kind, 2, h);
            Initializers.Apply(layer, init, new SeededRandom(7), spectralRadius: 1.7);
            for (int g = 0; g < layer.Gates; g++)
            {
                double rho = Spectra.SpectralRadius(Block(layer.WeightHH.Value, g, h), h);
                Assert.True(Math.Abs(rho - 1.7) < 1e-9, $"{kind}/{init} block {g}: spectral radius {rho}");
            }
        }
    }

    [Fact]
    public void SpectralRadiusOfKnownMatrices()
    {
        Assert.Equal(1.0, Spectra.SpectralRadius([0, -1, 1, 0], 2), 12);        // rotation by 90°: λ = ±i
        Assert.Equal(3.0, Spectra.SpectralRadius([2, 1, 1, 2], 2), 12);         // λ = 1, 3
        Assert.Equal(0.0, Spectra.SpectralRadius([0, 1, 0, 0], 2), 12);         // nilpotent
        Assert.Equal(4.0, Spectra.SpectralRadius([-4], 1), 12);
    }

    [Fact]
    public void RescalingANilpotentMatrixIsAnError()
    {
        double[] w = [0, 1, 0, 0];                                                    // ρ = 0: no factor reaches ρ = 2
        var e = Assert.Throws<InvalidInputException>(() => Initializers.RescaleToSpectralRadius<double>(w, 2, 2.0, "weight_hh_l0 gate block 0"));
        Assert.Contains("weight_hh_l0 gate block 0 has spectral radius 0", e.Message);
    }

    [Fact]
    public void PyTorchDefaultIsUniformWithinOneOverRootH()
    {
        const int h = 16;
        var layer = RecurrentLayer<double>.Create(CellKind.Lstm, 5, h);
        Initializers.Apply(layer, InitKind.PyTorch, new SeededRandom(8));
        double k = 1 / Math.Sqrt(h);
        foreach (var p in layer.Parameters)
        {
            Assert.All(p.Value, w => Assert.InRange(w, -k, k));
            Assert.True(p.Value.Max() > 0.8 * k && p.Value.Min() < -0.8 * k, $"{p.Name} does not fill ±1/√H");
        }
        var readout = new Readout<double>(h, 3);
        Initializers.Apply(readout, InitKind.PyTorch, new SeededRandom(9));
        Assert.All(readout.Weight.Value.Concat(readout.Bias.Value), w => Assert.InRange(w, -k, k));
    }

    [Theory]
    [InlineData(InitKind.PyTorch)]
    [InlineData(InitKind.Xavier)]
    [InlineData(InitKind.Orthogonal)]
    [InlineData(InitKind.Identity)]
    public void SameSeedGivesBitIdenticalWeights(InitKind init)
    {
        float[][] Draw(ulong seed)
        {
            var layer = RecurrentLayer<float>.Create(CellKind.Rnn, 3, 7);
            Initializers.Apply(layer, init, new SeededRandom(seed), spectralRadius: 0.9);
            return [.. layer.Parameters.Select(p => p.Value)];
        }
        float[][] a = Draw(42), b = Draw(42), c = Draw(43);
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i].Select(BitConverter.SingleToInt32Bits), b[i].Select(BitConverter.SingleToInt32Bits));
        Assert.NotEqual(a[0], c[0]);
    }

    [Theory]
    [InlineData("pytorch", InitKind.PyTorch)]
    [InlineData("Xavier", InitKind.Xavier)]
    [InlineData(" orthogonal ", InitKind.Orthogonal)]
    [InlineData("IDENTITY", InitKind.Identity)]
    public void ParsesNamesCaseInsensitively(string text, InitKind expected)
    {
        Assert.Equal(expected, Initializers.Parse(text));
        Assert.Equal(expected, Initializers.Parse(expected.Name()));
    }

    [Fact]
    public void ParseErrorListsTheChoices()
    {
        var e = Assert.Throws<InvalidInputException>(() => Initializers.Parse("he"));
        Assert.Contains("unknown initialization 'he': choose one of pytorch, xavier, orthogonal, identity", e.Message);
    }
}
