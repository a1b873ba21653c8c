using RnnLab.Models;
using RnnLab.Numerics;

namespace RnnLab.Tests.Models;

/// <summary>
/// A stack's backward pass, with its layers' walks split by batch rows and its GEMMs by columns between the threads: its
/// parameter and input gradients must be, bit for bit, those of the plain definition, each layer's whole
/// <see cref="RecurrentLayer{T}.Backward"/> called top down on one thread, whatever the thread count of the stack's own run.
/// </summary>
[Collection(GlobalStatics.Name)]
public class StackBackwardTests
{
    [Theory]
    [InlineData("tanh", 2, 0, 0), InlineData("tanh", 3, 0, 4)]
    [InlineData("lstm", 2, 0, 0), InlineData("lstm", 3, 7, 0), InlineData("lstm", 2, 7, 4), InlineData("lstm", 3, 0, 3)]
    [InlineData("gru", 2, 0, 0), InlineData("gru", 3, 0, 4)]
    public void Stack_backward_equals_layer_by_layer_backward_at_1_and_2_threads(string cell, int numLayers, int proj, int truncation)
    {
        const int I = 5, H = 24, T = 9, B = 6;
        var (kind, act) = CellKinds.Parse(cell);
        var stack = new RecurrentStack<float>(kind, I, H, numLayers, projectionSize: proj, nonlinearity: act);
        var rng = new SeededRandom((ulong)(numLayers * 10 + proj + truncation));
        foreach (var p in stack.Parameters) rng.FillUniform<float>(p.Value, -0.3, 0.3);
        int S = stack.StateSize;
        float[] x = new float[T * B * I], dOutput = new float[T * B * S];
        rng.FillUniform<float>(x, -1, 1);
        rng.FillUniform<float>(dOutput, -1, 1);

        long savedSplit = Gemm.MinWorkToSplit;
        long savedRows = BatchRows.MinWork;
        bool savedBackOff = Parallelism.BackOff;
        try
        {
            Gemm.MinWorkToSplit = 1;                 // every GEMM and every walk splits between the threads
            BatchRows.MinWork = 1;
            Parallelism.BackOff = false;              // and the second thread stays in play
            var (definitionGrads, definitionDx) = LayerByLayer(stack, x, dOutput, T, B, truncation);
            foreach (int threads in new[] { 1, 2 })
            {
                using var scope = Parallelism.Use(threads);
                stack.ZeroGrad();
                stack.Forward(x, T, B);
                float[] dx = new float[x.Length];
                stack.Backward(dOutput, dx, truncation: truncation);
                string name = $"{cell} L={numLayers} P={proj} k={truncation} threads={threads}";
                for (int p = 0; p < stack.Parameters.Count; p++)
                {
                    Assert.True(stack.Parameters[p].Grad.Any(g => g != 0), $"{name}: {stack.Parameters[p].Name} has no gradient");
                    Assert.True(definitionGrads[p].AsSpan().SequenceEqual(stack.Parameters[p].Grad), $"{name}: {stack.Parameters[p].Name} differs from the layer-by-layer backward");
                }
                Assert.True(definitionDx.AsSpan().SequenceEqual(dx), $"{name}: dx differs from the layer-by-layer backward");
            }
        }
        finally
        {
            Gemm.MinWorkToSplit = savedSplit;
            BatchRows.MinWork = savedRows;
            Parallelism.BackOff = savedBackOff;
        }
    }

    /// <summary>The definition: the stack's forward, then each layer's whole backward from the top down on one thread.</summary>
    static (float[][] Grads, float[] Dx) LayerByLayer(RecurrentStack<float> stack, float[] x, float[] dOutput, int steps, int batch, int truncation)
    {
        using var scope = Parallelism.Use(1);
        stack.ZeroGrad();
        stack.Forward(x, steps, batch);
        float[] dOut = dOutput;
        for (int l = stack.NumLayers - 1; l >= 0; l--)
        {
            var layer = stack.Layer(l);
            float[] dIn = new float[steps * batch * layer.InputSize];
            layer.Backward(dOut, dIn, truncation: truncation);
            dOut = dIn;
        }
        return ([.. stack.Parameters.Select(p => (float[])p.Grad.Clone())], dOut);
    }
}
