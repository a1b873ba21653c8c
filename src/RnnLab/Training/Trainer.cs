using System.Diagnostics;
using System.Globalization;
using RnnLab.Models;
using RnnLab.Numerics;
using RnnLab.Tasks;

namespace RnnLab.Training;

/// <summary>One training step's measurements, as written to a line of metrics.jsonl.</summary>
public sealed record StepRecord
{
    public int Step { get; init; }
    public double Loss { get; init; }
    public double Metric { get; init; }
    /// <summary>Global gradient norm before clipping.</summary>
    public double GradNorm { get; init; }
    public double StepsPerS { get; init; }
    /// <summary>
    /// The gradient-flow probe ‖∂L/∂h_{T−k}‖ at the distances <see cref="TrainingSummary.FlowDistances"/>, in the top
    /// layer's forward direction (the h the readout reads; the only layer of a one-layer network).
    /// </summary>
    public double[] Flow { get; init; } = [];
    /// <summary>Pascanu et al.'s Ω of this step, when the run adds it to the W_hh gradient.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? Omega { get; init; }
    /// <summary>The same probe for every layer and direction, keyed by PyTorch's suffix (l0, l0_reverse, l1, …), in
    /// the input's time (k steps back from x_T); null for a one-layer, one-direction network.</summary>
    public Dictionary<string, double[]>? FlowLayers { get; init; }
    public double? TestLoss { get; init; }
    public double? TestMetric { get; init; }
    public bool Diverged { get; init; }
}

/// <summary>
/// A model, a task, an optimizer and the random streams of one run: the training loop of the lesson's experiments,
/// the command line and the web page. Each <see cref="Step"/> draws a batch, runs forward and BPTT, clips, checks for
/// divergence and updates. Its whole state (weights, optimizer moments, data stream) fits in a checkpoint, so a
/// resumed run continues bit-identically.
/// </summary>
public sealed class Trainer
{
    public TrainingConfig Config { get; }
    public ISequenceTask Task { get; }
    public SequenceModel<float> Model { get; }
    public Optimizer<float> Optimizer { get; }
    public int CompletedSteps { get; private set; }
    /// <summary>Distances k (steps back from the last one) at which the flow probe is recorded: all k when T ≤ 128, else 128 spread evenly.</summary>
    public int[] FlowDistances { get; }

    readonly SeededRandom dataRng;
    readonly SequenceBatch testSet;

    readonly SeededRandom dropoutRng;

    /// <summary>Seeds of the run's random streams, derived from the one seed so they never overlap.</summary>
    const ulong InitStream = 0x1A17, DataStream = 0xDA7A, TestStream = 0x7E57, DropoutStream = 0xD409;

    public Trainer(TrainingConfig config)
    {
        config.Validate();
        Config = config;
        Task = TaskCatalog.Create(config);
        var (kind, act) = CellKinds.Parse(config.Cell);
        var stack = new RecurrentStack<float>(kind, Task.InputSize, config.Hidden, config.Layers, config.Bidirectional, config.Dropout, config.ProjSize, act);
        var (mode, loss) = Task.TargetKind switch
        {
            TargetKind.RegressionAtLastStep => (ReadoutMode.LastStep, LossKind.MeanSquaredError),
            TargetKind.ClassificationAtLastStep => (ReadoutMode.LastStep, LossKind.CrossEntropy),
            _ => (ReadoutMode.EveryStep, LossKind.CrossEntropy),
        };
        Model = new SequenceModel<float>(stack, Task.OutputSize, mode, loss);
        var initRng = new SeededRandom(config.Seed ^ InitStream);
        // exprnn reads --init as its skew initialisation (cayley, henaff); its readout takes PyTorch's default.
        var init = kind == CellKind.ExpRnn ? InitKind.PyTorch : Initializers.Parse(config.Init);
        foreach (var layer in stack.Layers)
        {
            if (layer is ExpRnnLayer<float> exp) exp.Initialize(config.SkewInitKind(), initRng);
            else Initializers.Apply(layer, init, initRng, config.Rho);
        }
        Initializers.Apply(Model.Readout, init, initRng);
        foreach (var layer in stack.Layers)
        {
            if (config.ForgetBias is double forget) AddForgetBias(layer, forget);
            if (config.Chrono) ChronoInit.Apply(layer, config.ChronoMax ?? Task.Steps, initRng);
        }
        dropoutRng = new SeededRandom(config.Seed ^ DropoutStream);
        stack.DropoutRandom = dropoutRng;
        Optimizer = config.Optimizer switch
        {
            "sgd" => new Sgd<float>(Model.Parameters, config.Lr, config.Momentum),
            "rmsprop" => new RmsProp<float>(Model.Parameters, config.Lr),
            _ => new Adam<float>(Model.Parameters, config.Lr),
        };
        foreach (var layer in stack.Layers)
            if (layer is ExpRnnLayer<float> skewed) Optimizer.SetLearningRateScale(skewed.Skew, config.SkewLearningRate!.Value / config.Lr);
        dataRng = new SeededRandom(config.Seed ^ DataStream);
        testSet = Task.Generate(config.EvalBatch, new SeededRandom(config.Seed ^ TestStream));
        int T = Task.Steps;
        FlowDistances = T <= 128 ? [.. Enumerable.Range(0, T)] : [.. Enumerable.Range(0, 128).Select(i => (int)Math.Round(i * (T - 1) / 127.0)).Distinct()];
    }

    /// <summary>Adds <paramref name="amount"/> to bias_ih of gate block 1: f in the LSTM's (i, f, g, o), z in the GRU's (r, z, n).</summary>
    static void AddForgetBias(RecurrentLayer<float> layer, double amount)
    {
        int H = layer.HiddenSize;
        var bias = layer.BiasIH.Value.AsSpan(H, H); // block 1 of [G*H]
        for (int i = 0; i < H; i++) bias[i] += (float)amount;
    }

    /// <summary>One training step. A NaN or infinite loss or gradient leaves the weights untouched and is reported in the record.</summary>
    public StepRecord Step()
    {
        long start = Stopwatch.GetTimestamp();
        var batch = Task.Generate(Config.Batch, dataRng);
        Model.ZeroGrad();
        double loss = Forward(batch);
        double metric = Task.Score(batch, Model.Predictions).Metric;
        Model.Backward(Config.Truncation);
        double? omega = Config.FlowRegularizer is double alpha ? AddFlowRegularizer(alpha) : null;
        double norm = Config.ClipNorm is double maxNorm
            ? Clipping.ClipByGlobalNorm(Model.Parameters, maxNorm)
            : Clipping.GlobalNorm(Model.Parameters);
        bool diverged = !double.IsFinite(loss) || !double.IsFinite(norm);
        if (!diverged)
        {
            if (Config.ClipValue is double v) Clipping.ClipByValue(Model.Parameters, v);
            Optimizer.Step();
        }
        CompletedSteps++;
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new StepRecord
        {
            Step = CompletedSteps, Loss = loss, Metric = metric, GradNorm = norm, Diverged = diverged,
            StepsPerS = seconds > 0 ? 1 / seconds : 0, Omega = omega,
            Flow = FlowProbe(Model.Stack.NumLayers - 1, 0), FlowLayers = FlowProbeByLayer(),
        };
    }

    /// <summary>Adds α·∂Ω/∂W_hh (Pascanu et al. 2013) to the tanh RNN's W_hh gradient of this step; returns Ω.</summary>
    double AddFlowRegularizer(double alpha)
    {
        if (Model.Stack.Layers is not [RnnLayer<float> rnn])
            throw new InvalidOperationException("the flow regulariser is defined for one tanh RNN layer in one direction");
        float[] v = FlowRegularizer.StateGradients(rnn, Model.HiddenGradients);
        return FlowRegularizer.Apply<float>(rnn.PreActivationGradients, v, rnn.WeightHH.Value, rnn.HiddenSize, alpha, rnn.WeightHH.Grad).Omega;
    }

    /// <summary>Loss and metric on the held-out set (generated once, from its own seed).</summary>
    public TaskScore Evaluate()
    {
        Model.Stack.Training = false;   // no dropout on the held-out set, as PyTorch's model.eval()
        try { Forward(testSet); }
        finally { Model.Stack.Training = true; }
        return Task.Score(testSet, Model.Predictions);
    }

    /// <summary>The training loss of <paramref name="batch"/>, from the model's forward pass (what <see cref="Step"/> minimises).</summary>
    internal double Forward(SequenceBatch batch) => batch.Kind == TargetKind.RegressionAtLastStep
        ? Model.Forward(batch.Inputs, batch.Steps, batch.Size, batch.Targets)
        : Model.Forward(batch.Inputs, batch.Steps, batch.Size, classLabels: batch.Labels);

    /// <summary>The probe of one layer and direction at <see cref="FlowDistances"/>: k steps back from the input's last step.</summary>
    double[] FlowProbe(int layer, int direction)
    {
        var stack = Model.Stack;
        var flow = new double[FlowDistances.Length];
        for (int i = 0; i < flow.Length; i++) flow[i] = stack.StateGradientNorm(layer, direction, stack.Steps - FlowDistances[i]);
        return flow;
    }

    Dictionary<string, double[]>? FlowProbeByLayer()
    {
        var stack = Model.Stack;
        if (stack.Layers.Count == 1) return null;
        var byLayer = new Dictionary<string, double[]>();
        for (int l = 0; l < stack.NumLayers; l++)
            for (int d = 0; d < stack.Directions; d++) byLayer[stack.Layer(l, d).Suffix] = FlowProbe(l, d);
        return byLayer;
    }

    // ---- checkpoints: weights, optimizer state, data stream and step count, in one safetensors file ----

    const string OptimizerPrefix = "optimizer.";

    public void SaveCheckpoint(string path)
    {
        var tensors = Model.Parameters.Select(p => NamedTensor.From(p))
            .Concat(Optimizer.StateTensors.Select(s => NamedTensor.From(OptimizerPrefix + s.Name, [s.Buffer.Length], (ReadOnlySpan<float>)s.Buffer)));
        var metadata = new Dictionary<string, string>
        {
            ["step"] = CompletedSteps.ToString(CultureInfo.InvariantCulture),
            ["optimizer_step"] = Optimizer.StepCount.ToString(CultureInfo.InvariantCulture),
            ["data_rng"] = RngText(dataRng),
            ["dropout_rng"] = RngText(dropoutRng),
            ["cell"] = Model.Stack.Kind == CellKind.ExpRnn ? Config.Cell.Trim().ToLowerInvariant() : Model.Stack.Kind.Name(),
        };
        // A ReLU RNN's tensors look like a tanh RNN's: say which it is.
        if (Model.Stack.Kind == CellKind.Rnn && CellKinds.TryParse(Config.Cell, out _, out var nl)) metadata[Checkpoint.NonlinearityKey] = Checkpoint.Name(nl);
        SafeTensors.Write(path, tensors, metadata);
    }

    static string RngText(SeededRandom rng) => string.Join(",", rng.State.Select(w => w.ToString("x16", CultureInfo.InvariantCulture)));

    static ulong[] ParseRng(string text) => [.. text.Split(',').Select(w => ulong.Parse(w, NumberStyles.HexNumber, CultureInfo.InvariantCulture))];

    public void LoadCheckpoint(string path)
    {
        var file = SafeTensors.Read(path);
        SafeTensors.LoadInto(file, Model.Parameters);
        foreach (var (name, buffer) in Optimizer.StateTensors)
        {
            var values = file.Get(OptimizerPrefix + name, buffer.Length).To<float>();
            values.CopyTo(buffer, 0);
        }
        string Meta(string key) => file.Metadata.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"{Path.GetFileName(path)}: checkpoint metadata lacks '{key}'");
        CompletedSteps = int.Parse(Meta("step"), CultureInfo.InvariantCulture);
        Optimizer.StepCount = long.Parse(Meta("optimizer_step"), CultureInfo.InvariantCulture);
        dataRng.State = ParseRng(Meta("data_rng"));
        // Checkpoints from before dropout existed have no dropout stream; only a run that drops needs it.
        if (file.Metadata.ContainsKey("dropout_rng") || Config.Dropout > 0) dropoutRng.State = ParseRng(Meta("dropout_rng"));
    }
}
