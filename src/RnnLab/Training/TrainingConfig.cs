using System.Text.Json.Serialization;

namespace RnnLab.Training;

/// <summary>
/// Everything that defines a training run, with the defaults the command line, the web page and the experiments
/// share. Written to <c>config.json</c> in the run folder, so a run can be resumed or repeated exactly.
/// </summary>
public sealed record TrainingConfig
{
    /// <summary>adding, copy, agreement, agreement-lm or temporal-order.</summary>
    public string Task { get; init; } = "adding";
    /// <summary>rnn (tanh), relu, lstm, gru, exprnn (modReLU) or exprnn-tanh.</summary>
    public string Cell { get; init; } = "rnn";
    /// <summary>Sequence length T for adding and copy (copy sequences are T + 20 long); subject–verb distance for agreement.</summary>
    public int Seq { get; init; } = 50;
    /// <summary>Hidden size H: 64 is enough for every task here and keeps a run to seconds on two cores.</summary>
    public int Hidden { get; init; } = 64;
    /// <summary>Stacked recurrent layers L (PyTorch's <c>num_layers</c>); layer l+1 reads layer l's outputs.</summary>
    public int Layers { get; init; } = 1;
    /// <summary>
    /// A reverse direction beside each layer (PyTorch's <c>bidirectional</c>). A last-step readout reads output[T−1],
    /// both directions concatenated as PyTorch does: there the reverse direction has seen only the last input x_T.
    /// </summary>
    public bool Bidirectional { get; init; }
    /// <summary>Dropout probability on each layer's output but the last's, while training (PyTorch's <c>dropout</c>).</summary>
    public double Dropout { get; init; }
    /// <summary>LSTM projection size P (PyTorch's <c>proj_size</c>): h = W_hr·(o ⊙ tanh c) [P]; 0 = none.</summary>
    public int ProjSize { get; init; }
    public int Batch { get; init; } = 32;
    public int Steps { get; init; } = 1000;
    /// <summary>1e-3 is Adam's usual step size; the exploding-gradient demonstrations raise it on purpose.</summary>
    public double Lr { get; init; } = 1e-3;
    /// <summary>adam, sgd or rmsprop (PyTorch's defaults α = 0.99, ε = 1e-8, no momentum).</summary>
    public string Optimizer { get; init; } = "adam";
    /// <summary>SGD momentum (PyTorch semantics); Adam and RMSProp refuse any other value than this default.</summary>
    public double Momentum { get; init; } = 0.9;
    /// <summary>Clip the global gradient norm to this value (Pascanu et al. 2013); null = no norm clipping.</summary>
    public double? ClipNorm { get; init; }
    /// <summary>Clamp every gradient element to ±this value; null = no value clipping.</summary>
    public double? ClipValue { get; init; }
    /// <summary>pytorch, xavier, orthogonal or identity; for exprnn cayley (what pytorch means there) or henaff.</summary>
    public string Init { get; init; } = "pytorch";
    /// <summary>Rescale W_hh (each gate block) to this spectral radius after initialisation; null = leave it. Not for expRNN, whose W_hh = exp(A) is orthogonal.</summary>
    public double? Rho { get; init; }
    /// <summary>
    /// Added to the bias of the gate that keeps the old state: the LSTM forget gate f and the GRU update gate z. PyTorch
    /// starts both near 0.5, so the cell path forgets by half each step (0.5^32 ≈ 2e-10 after 32 steps); a positive bias
    /// (1 in Jozefowicz et al. 2015, after Gers et al. 2000) starts the cell remembering. null = PyTorch's initialisation.
    /// </summary>
    public double? ForgetBias { get; init; }
    /// <summary>
    /// Chrono initialisation (Tallec &amp; Ollivier 2018) of the LSTM forget / GRU update gate instead of a fixed offset:
    /// b ~ log U[1, T_max − 1] (and b_i = −b_f for the LSTM), see <see cref="Models.ChronoInit"/>.
    /// </summary>
    public bool Chrono { get; init; }
    /// <summary>Chrono's T_max; null = the task's sequence length (the number of steps the network reads).</summary>
    public int? ChronoMax { get; init; }
    /// <summary>expRNN: the learning rate of A (its own parameter group, as in the paper); null = <see cref="Lr"/>/10, the paper's ratio.</summary>
    public double? SkewLr { get; init; }

    /// <summary>The rate expRNN's A trains at: <see cref="SkewLr"/>, or <see cref="Lr"/>/10; null for every other cell, which has no A.</summary>
    public double? SkewLearningRate => Cell is "exprnn" or "exprnn-tanh" ? SkewLr ?? Lr / 10 : null;
    /// <summary>
    /// Weight α of Pascanu, Mikolov &amp; Bengio 2013's regulariser Ω on the tanh RNN's W_hh gradient (their default 2;
    /// with <see cref="ClipNorm"/> it is their MSGD-CR); null = none. See <see cref="Models.FlowRegularizer"/>.
    /// </summary>
    public double? FlowRegularizer { get; init; }

    /// <summary>Truncated BPTT window k (0 = full BPTT).</summary>
    public int Truncation { get; init; }
    /// <summary>Fraction of agreement sentences whose distractors contain a noun of the other number.</summary>
    public double Attractors { get; init; } = 0.5;
    public ulong Seed { get; init; }
    /// <summary>Steps between metric lines in metrics.jsonl.</summary>
    public int LogEvery { get; init; } = 10;
    /// <summary>Steps between evaluations on the held-out set (and at the last step).</summary>
    public int EvalEvery { get; init; } = 100;
    /// <summary>Held-out sequences, generated once from a seed of their own.</summary>
    public int EvalBatch { get; init; } = 512;
    /// <summary>Steps between checkpoints (and at the end, and when a run is stopped).</summary>
    public int CheckpointEvery { get; init; } = 500;

    /// <summary>
    /// Throws <see cref="InvalidParameterException"/> naming the first value that cannot work by its property name
    /// (the command line and the web page each say it in their own words), or <see cref="InvalidInputException"/>
    /// for an unknown task, cell, optimizer or initialization.
    /// </summary>
    public void Validate()
    {
        RequirePositive(Seq, nameof(Seq)); RequirePositive(Hidden, nameof(Hidden)); RequirePositive(Batch, nameof(Batch));
        RequirePositive(Steps, nameof(Steps)); RequirePositive(LogEvery, nameof(LogEvery)); RequirePositive(EvalEvery, nameof(EvalEvery));
        RequirePositive(EvalBatch, nameof(EvalBatch)); RequirePositive(CheckpointEvery, nameof(CheckpointEvery));
        if (!(Lr > 0 && double.IsFinite(Lr))) throw new InvalidParameterException(nameof(Lr), "must be a positive number", Lr);
        if (!(Momentum >= 0 && Momentum < 1)) throw new InvalidParameterException(nameof(Momentum), "must be in [0, 1)", Momentum);
        if (ClipNorm is double n && !(n > 0 && double.IsFinite(n))) throw new InvalidParameterException(nameof(ClipNorm), "must be a positive number", n);
        if (ClipValue is double v && !(v > 0 && double.IsFinite(v))) throw new InvalidParameterException(nameof(ClipValue), "must be a positive number", v);
        if (ClipNorm is not null && ClipValue is not null)
            throw InvalidParameterException.Conflict(nameof(ClipValue), "and norm clipping exclude each other: choose one");
        if (Rho is double r && !(r > 0 && double.IsFinite(r))) throw new InvalidParameterException(nameof(Rho), "must be a positive number", r);
        if (ForgetBias is double fb && !double.IsFinite(fb)) throw new InvalidParameterException(nameof(ForgetBias), "must be a finite number", fb);
        if (ForgetBias is not null && Cell is not ("lstm" or "gru"))
            throw new InvalidParameterException(nameof(ForgetBias), $"applies to lstm and gru, not '{Cell}'", ForgetBias);
        if (Chrono && Cell is not ("lstm" or "gru")) throw InvalidParameterException.Conflict(nameof(Chrono), $"applies to lstm and gru, not '{Cell}'");
        if (Chrono && ForgetBias is not null) throw InvalidParameterException.Conflict(nameof(ForgetBias), "is a number or chrono, not both");
        if (ChronoMax is int cm && (!Chrono || cm < 2))
            throw Chrono ? new InvalidParameterException(nameof(ChronoMax), "must be at least 2", cm) : InvalidParameterException.Conflict(nameof(ChronoMax), "needs the chrono initialisation of the forget gate");
        bool expRnn = Cell is "exprnn" or "exprnn-tanh";
        if (SkewLr is double sl && !(sl >= 0 && double.IsFinite(sl))) throw new InvalidParameterException(nameof(SkewLr), "must be a non-negative number", sl);
        if (SkewLr is not null && !expRnn) throw InvalidParameterException.Conflict(nameof(SkewLr), $"applies to exprnn, not '{Cell}'");
        if (Rho is not null && expRnn)
            throw InvalidParameterException.Conflict(nameof(Rho), $"does not apply to {Cell}: W_hh = exp(A) is orthogonal, so its spectral radius is 1");
        if (FlowRegularizer is double fr && !(fr > 0 && double.IsFinite(fr))) throw new InvalidParameterException(nameof(FlowRegularizer), "must be a positive number", fr);
        if (FlowRegularizer is not null && Cell is not ("rnn" or "tanh")) throw InvalidParameterException.Conflict(nameof(FlowRegularizer), $"applies to the tanh rnn, not '{Cell}'");
        if (FlowRegularizer is not null && (Layers > 1 || Bidirectional)) throw InvalidParameterException.Conflict(nameof(FlowRegularizer), "applies to one layer in one direction");
        if (FlowRegularizer is not null && Truncation > 0) throw InvalidParameterException.Conflict(nameof(FlowRegularizer), "needs full BPTT (no truncation)");
        if (Truncation < 0) throw new InvalidParameterException(nameof(Truncation), "must be 0 (full BPTT) or positive", Truncation);
        RequirePositive(Layers, nameof(Layers));
        if (!(Dropout >= 0 && Dropout < 1)) throw new InvalidParameterException(nameof(Dropout), "must be in [0, 1)", Dropout);
        if (Dropout > 0 && Layers < 2) throw InvalidParameterException.Conflict(nameof(Dropout), "acts between layers: it needs 2 layers or more");
        if (ProjSize < 0) throw new InvalidParameterException(nameof(ProjSize), "must be 0 (none) or positive", ProjSize);
        if (ProjSize > 0 && Cell != "lstm") throw InvalidParameterException.Conflict(nameof(ProjSize), $"applies to lstm, not '{Cell}'");
        if (ProjSize > 0 && ProjSize >= Hidden) throw new InvalidParameterException(nameof(ProjSize), $"must be smaller than the hidden size ({Hidden})", ProjSize);
        if (ProjSize > 0 && (Init is "orthogonal" or "identity" || Rho is not null))
            throw InvalidParameterException.Conflict(nameof(ProjSize), "makes the W_hh gate blocks [H, P], not square: use the pytorch or xavier initialisation and no spectral radius");
        if (Truncation > 0 && Bidirectional)
            throw InvalidParameterException.Conflict(nameof(Truncation), Models.RecurrentStack<float>.TruncationNeedsOneDirection);
        if (!(Attractors >= 0 && Attractors <= 1)) throw new InvalidParameterException(nameof(Attractors), "must be in [0, 1]", Attractors);
        if (Optimizer is not ("adam" or "sgd" or "rmsprop")) throw new InvalidInputException($"unknown optimizer '{Optimizer}': choose adam, sgd or rmsprop");
        if (!Models.CellKinds.TryParse(Cell, out _, out _)) throw new InvalidInputException($"unknown cell '{Cell}': choose rnn, relu, lstm, gru, exprnn or exprnn-tanh");
        if (expRnn) SkewInitKind();
        else Models.Initializers.Parse(Init);
        if (Task == "adding" && Seq < Tasks.AddingTask.MinSteps)
            throw new InvalidParameterException(nameof(Seq), $"must be at least {Tasks.AddingTask.MinSteps} for the adding task (one marker in each half)", Seq);
        if (Task == "temporal-order" && Seq < Tasks.TemporalOrderTask.MinLength)
            throw new InvalidParameterException(nameof(Seq), $"must be at least {Tasks.TemporalOrderTask.MinLength} for the temporal-order task (its symbols sit in windows of ⌊L/10⌋ steps)", Seq);
        // Values that would be silently ignored are refused; a default left as it is says nothing.
        var defaults = new TrainingConfig();
        if (Optimizer != "sgd" && Momentum != defaults.Momentum)
            throw new InvalidParameterException(nameof(Momentum), Optimizer == "adam" ? "does not apply to adam (it has its own moment estimates)"
                : $"does not apply to {Optimizer} (it runs without momentum, PyTorch's default)", Momentum);
        if (Task is not ("agreement" or "agreement-lm") && Attractors != defaults.Attractors)
            throw new InvalidParameterException(nameof(Attractors), $"applies to the agreement tasks, not to '{Task}'", Attractors);
        var task = TaskCatalog.Create(this);
        if (Bidirectional && task is Tasks.AgreementLanguageModelTask)
            throw InvalidParameterException.Conflict(nameof(Bidirectional), $"does not apply to {task.Name}: it {GridShape.ReadsPredictedToken}");
        if (Truncation >= task.Steps)
            throw new InvalidParameterException(nameof(Truncation), $"must be shorter than the {task.Steps}-step sequence, or 0 for full BPTT", Truncation);
    }

    /// <summary>expRNN's initialisation of A: pytorch (the default) and cayley mean Cayley, henaff Henaff.</summary>
    public Models.SkewInit SkewInitKind() => Init.Trim().ToLowerInvariant() switch
    {
        "pytorch" or "cayley" => Models.SkewInit.Cayley,
        "henaff" => Models.SkewInit.Henaff,
        _ => throw new InvalidParameterException(nameof(Init), "for exprnn must be cayley or henaff", Init),
    };

    static void RequirePositive(int value, string name)
    {
        if (value <= 0) throw new InvalidParameterException(name, "must be a positive integer", value);
    }

    [JsonIgnore]
    public string Label => $"{Cell} on {Task} (T={Seq}, H={Hidden}{(Layers > 1 ? $", {Layers} layers" : "")}{(Bidirectional ? ", bidirectional" : "")})";
}
