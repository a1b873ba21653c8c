using System.CommandLine;
using RnnLab.Lesson;
using RnnLab.Numerics;
using RnnLab.Training;
using Spectre.Console;

namespace RnnLab.Cli.Commands;

/// <summary>`rnnlab train`: one training run on a long-range task, with its run folder and report.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var d = new TrainingConfig();
        var task = new Option<string>("--task") { Description = "adding, copy, agreement, agreement-lm or temporal-order.", DefaultValueFactory = _ => d.Task };
        var cell = CommonOptions.Cell(d.Cell, "Recurrent cell: rnn (tanh), relu, lstm, gru, exprnn (orthogonal W_hh = exp(A), modReLU) or exprnn-tanh.");
        var seq = CommonOptions.Positive("--seq", "Sequence length T (adding, copy) or subject–verb distance (agreement).", d.Seq);
        var hidden = CommonOptions.Positive("--hidden", "Hidden size H.", d.Hidden);
        var layers = CommonOptions.Layers();
        var bidirectional = CommonOptions.Bidirectional();
        var dropout = new Option<double>("--dropout") { Description = "Dropout probability on the outputs of every layer but the last, while training (PyTorch's dropout; needs --layers 2 or more).", DefaultValueFactory = _ => d.Dropout };
        var projSize = new Option<int>("--proj-size") { Description = "LSTM: project h to this size, h = W_hr·(o ⊙ tanh c) (PyTorch's proj_size; 0 = none).", DefaultValueFactory = _ => d.ProjSize };
        var threads = CommonOptions.Threads();
        var steps = CommonOptions.Positive("--steps", "Training steps.", d.Steps);
        var batch = CommonOptions.Positive("--batch", "Sequences per step.", d.Batch);
        var lr = new Option<double>("--lr") { Description = "Learning rate.", DefaultValueFactory = _ => d.Lr };
        var optimizer = new Option<string>("--optimizer") { Description = "adam, sgd (with --momentum) or rmsprop.", DefaultValueFactory = _ => d.Optimizer };
        var momentum = new Option<double>("--momentum") { Description = "SGD momentum.", DefaultValueFactory = _ => d.Momentum };
        var clipNorm = new Option<double?>("--clip-norm") { Description = "Clip the global gradient norm to this value (default: no clipping)." };
        var clipValue = new Option<double?>("--clip-value") { Description = "Clamp each gradient element to ± this value." };
        var init = new Option<string>("--init") { Description = "pytorch, xavier, orthogonal or identity (IRNN with --cell relu); exprnn: cayley (default) or henaff.", DefaultValueFactory = _ => d.Init };
        var rho = new Option<double?>("--rho") { Description = "Rescale W_hh (each gate block) to this spectral radius." };
        var forgetBias = new Option<string?>("--forget-bias") { Description = "LSTM/GRU: add this number to the forget (update) gate bias, e.g. 1, or 'chrono' for chrono initialisation (default: PyTorch's initialisation)." };
        var chronoMax = new Option<int?>("--chrono-max") { Description = "Chrono's T_max (default: the task's sequence length)." };
        var skewLr = new Option<double?>("--skew-lr") { Description = "exprnn: learning rate of A (default: --lr / 10, the paper's ratio)." };
        var flowRegularizer = new Option<double?>("--flow-regularizer") { Description = "tanh rnn: add Pascanu et al. 2013's regulariser with this weight alpha (their default 2) to the W_hh gradient." };
        var truncation = new Option<int>("--truncation") { Description = "Truncated BPTT window k (0 = full BPTT): chunks of k steps from the start, each carrying its state forward. Not with --bidirectional: a reverse direction starts at x_T and has no chunked form.", DefaultValueFactory = _ => 0 };
        var attractors = new Option<double>("--attractors") { Description = "Agreement: chance that a distractor noun has the other number.", DefaultValueFactory = _ => d.Attractors };
        var seed = CommonOptions.Seed();
        var evalEvery = CommonOptions.Positive("--eval-every", "Steps between held-out evaluations.", d.EvalEvery);
        var logEvery = CommonOptions.Positive("--log-every", "Steps between lines of metrics.jsonl.", d.LogEvery);
        var checkpointEvery = CommonOptions.Positive("--checkpoint-every", "Steps between checkpoints.", d.CheckpointEvery);
        var outDir = new Option<string?>("--out") { Description = "Run folder (config.json, metrics.jsonl, checkpoint.safetensors, report.html)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the stopped run in --out from its checkpoint (its own config is used)." };
        var json = CommonOptions.Json();
        var quiet = CommonOptions.Quiet();
        var command = new Command("train", "Train a recurrent network on a long-range task and write a run folder.")
        {
            task, cell, seq, hidden, layers, bidirectional, dropout, projSize, steps, batch, lr, optimizer, momentum, clipNorm, clipValue, init, rho, forgetBias, chronoMax, skewLr, flowRegularizer, truncation,
            attractors, seed, evalEvery, logEvery, checkpointEvery, outDir, resume, threads, json, quiet,
        };
        command.SetAction(parse =>
        {
            var cancel = Cli.Interrupted;
            string? forgetText = parse.GetValue(forgetBias)?.Trim();
            bool chrono = string.Equals(forgetText, "chrono", StringComparison.OrdinalIgnoreCase);
            double? forgetNumber = null;
            if (forgetText is not null && !chrono)
                forgetNumber = double.TryParse(forgetText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double fb)
                    ? fb : throw new UsageException($"--forget-bias must be a number or chrono, got '{forgetText}'");
            var asked = new TrainingConfig
            {
                Task = parse.GetValue(task)!, Cell = parse.GetValue(cell)!, Seq = parse.GetValue(seq), Hidden = parse.GetValue(hidden),
                Layers = parse.GetValue(layers), Bidirectional = parse.GetValue(bidirectional), Dropout = parse.GetValue(dropout), ProjSize = parse.GetValue(projSize),
                Steps = parse.GetValue(steps), Batch = parse.GetValue(batch), Lr = parse.GetValue(lr), Optimizer = parse.GetValue(optimizer)!,
                Momentum = parse.GetValue(momentum), ClipNorm = parse.GetValue(clipNorm), ClipValue = parse.GetValue(clipValue),
                Init = parse.GetValue(init)!, Rho = parse.GetValue(rho), ForgetBias = forgetNumber, Chrono = chrono,
                ChronoMax = parse.GetValue(chronoMax), SkewLr = parse.GetValue(skewLr), FlowRegularizer = parse.GetValue(flowRegularizer), Truncation = parse.GetValue(truncation),
                Attractors = parse.GetValue(attractors), Seed = parse.GetValue(seed), EvalEvery = parse.GetValue(evalEvery),
                LogEvery = parse.GetValue(logEvery), CheckpointEvery = parse.GetValue(checkpointEvery),
            };
            string? folder = parse.GetValue(outDir);
            bool again = parse.GetValue(resume);
            int? resumeSteps = null;
            TrainingConfig config;
            if (again)
            {
                if (folder is null) throw new UsageException("--resume continues the run in a folder: give it with --out DIR");
                var saved = TrainingRun.ReadSaved(folder);
                // Every option typed beside --resume must agree with the saved run; --steps may move its end.
                foreach (var (option, property) in new (Option Option, string Property)[]
                {
                    (task, nameof(TrainingConfig.Task)), (cell, nameof(TrainingConfig.Cell)), (seq, nameof(TrainingConfig.Seq)),
                    (hidden, nameof(TrainingConfig.Hidden)), (layers, nameof(TrainingConfig.Layers)), (bidirectional, nameof(TrainingConfig.Bidirectional)),
                    (dropout, nameof(TrainingConfig.Dropout)), (projSize, nameof(TrainingConfig.ProjSize)), (batch, nameof(TrainingConfig.Batch)),
                    (lr, nameof(TrainingConfig.Lr)), (optimizer, nameof(TrainingConfig.Optimizer)), (momentum, nameof(TrainingConfig.Momentum)),
                    (clipNorm, nameof(TrainingConfig.ClipNorm)), (clipValue, nameof(TrainingConfig.ClipValue)), (init, nameof(TrainingConfig.Init)),
                    (rho, nameof(TrainingConfig.Rho)), (forgetBias, chrono ? nameof(TrainingConfig.Chrono) : nameof(TrainingConfig.ForgetBias)),
                    (chronoMax, nameof(TrainingConfig.ChronoMax)), (skewLr, nameof(TrainingConfig.SkewLr)), (flowRegularizer, nameof(TrainingConfig.FlowRegularizer)),
                    (truncation, nameof(TrainingConfig.Truncation)), (attractors, nameof(TrainingConfig.Attractors)), (seed, nameof(TrainingConfig.Seed)),
                    (evalEvery, nameof(TrainingConfig.EvalEvery)), (logEvery, nameof(TrainingConfig.LogEvery)), (checkpointEvery, nameof(TrainingConfig.CheckpointEvery)),
                })
                {
                    if (!CommonOptions.Given(parse, option)) continue;
                    var prop = typeof(TrainingConfig).GetProperty(property)!;
                    object? want = prop.GetValue(asked), have = prop.GetValue(saved.Config);
                    if (!Equals(want, have))
                        throw new UsageException($"{option.Name} {Show(want)} contradicts the run in {folder}, which has {option.Name} {Show(have)}: leave it out to resume, or start a new run in another --out");
                }
                if (saved.DivergedAt is int diverged)
                {
                    parse.InvocationConfiguration.Error.WriteLine($"rnnlab: the run in {folder} diverged at step {diverged} (loss or gradient NaN or infinite); it does not continue: start a new run, e.g. with a smaller --lr or --clip-norm");
                    return Cli.Diverged;
                }
                if (CommonOptions.Given(parse, steps))
                {
                    if (asked.Steps <= saved.CompletedSteps)
                        throw new UsageException($"--steps {asked.Steps} must be more than the {saved.CompletedSteps} steps the run in {folder} has done");
                    resumeSteps = asked.Steps;
                }
                else if (saved.Finished)
                    throw new UsageException($"the run in {folder} is finished ({saved.CompletedSteps} of {saved.Config.Steps} steps): extend it with --resume --steps N, N > {saved.CompletedSteps}");
                config = saved.Config with { Steps = resumeSteps ?? saved.Config.Steps };
            }
            else
            {
                if (CommonOptions.Given(parse, clipNorm) && CommonOptions.Given(parse, clipValue))
                    throw new UsageException("give --clip-norm or --clip-value, not both");
                if (folder is null && CommonOptions.Given(parse, checkpointEvery))
                    throw new UsageException("--checkpoint-every saves checkpoints in a run folder: give --out DIR");
                config = asked;
                config.Validate();
                if (folder is not null && File.Exists(Path.Combine(folder, TrainingRun.ConfigFile)))
                    throw new UsageException($"--out {folder} already holds a run: add --resume to continue it, or choose another --out");
            }
            int kernels = CommonOptions.RequirePositive(parse.GetValue(threads), "--threads");
            var kind = Models.CellKinds.Parse(config.Cell).Kind;
            var plan = TaskCatalog.Create(config);
            // The held-out forward pass grows the same layer buffers to its batch, so counting them at that batch again
            // beside the training step's is a little over (the training batch's share twice). It also makes predictions
            // and their gradient beside its targets.
            double outputRows = plan.TargetKind == Tasks.TargetKind.ClassificationAtEveryStep ? plan.Steps : 1.0;
            // per row: the predictions and their gradient, and the target (a class label, or a vector to regress)
            double outputValues = 2.0 * plan.OutputSize + (plan.TargetKind == Tasks.TargetKind.RegressionAtLastStep ? plan.OutputSize : 1);
            string stack = MemoryPlan.Stack(config.Layers, config.Bidirectional);
            MemoryPlan.Check(parse, [.. MemoryPlan.TrainingStep(kind, config.Hidden, plan.InputSize, plan.Steps, config.Batch,
                    $"--seq {config.Seq} --batch {config.Batch}", config.Layers, config.Bidirectional, inputOption: false, config.ProjSize),
                new MemoryPlan.Need("the readout's outputs and their gradient", $"--seq {config.Seq} --batch {config.Batch}",
                    2 * outputRows * config.Batch * plan.OutputSize, sizeof(float)),
                new MemoryPlan.Need("the held-out set's inputs", $"--seq {config.Seq}", (double)plan.Steps * config.EvalBatch * plan.InputSize, sizeof(float)),
                MemoryPlan.Activations("the held-out set's activations", $"--seq {config.Seq} --hidden {config.Hidden}{stack}", (double)plan.Steps * config.EvalBatch,
                    kind, config.Hidden, plan.InputSize, config.Layers, config.Bidirectional, config.ProjSize),
                new MemoryPlan.Need("the held-out set's outputs", $"--seq {config.Seq}", outputRows * config.EvalBatch * outputValues, sizeof(float),
                    Arrays: 3, PerArray: " per array (predictions, their gradient, targets)")]);
            if (folder is not null) OutputPaths.PrepareFolder(folder, "--out");
            bool asJson = parse.GetValue(json);
            using var kernelThreads = Parallelism.Use(kernels);
            TrainingSummary summary;
            using (var progress = ProgressLine.For(parse))
                summary = TrainingRun.Run(config, folder, again, r => progress.Report(r.Step, config.Steps,
                    () => $"{config.Cell} step {r.Step}: loss {Numbers.G(r.Loss, 4)}, metric {Numbers.Format(r.Metric, "F3")}, |g| {Numbers.G(r.GradNorm, 3)}, {r.StepsPerS:F0} steps/s"),
                    cancel, RunReport.Write, resumeSteps: resumeSteps);
            // The parameters are the run's config (a resumed run's own), the folder and the threads it used.
            var used = System.Text.Json.JsonSerializer.SerializeToNode(config, Cli.Json)!.AsObject()
                .ToDictionary(kv => kv.Key, kv => (object?)kv.Value?.DeepClone());
            used["out"] = folder;
            used["threads"] = kernels;
            if (summary.Stopped && cancel.IsCancellationRequested)
            {
                if (asJson) JsonEnvelope.Write(parse, summary, used);
                string stopped = $"stopped at step {summary.Steps} of {summary.Config.Steps}";
                throw folder is null
                    ? new WorkInterruptedException($"{stopped}; nothing was saved (no --out)", continueWith: "")
                    : new WorkInterruptedException($"{stopped}, checkpoint in {Path.Combine(folder, TrainingRun.CheckpointFile)}",
                        Cli.CommandLine(["train", "--out", folder, "--resume"]));
            }
            if (asJson) { JsonEnvelope.Write(parse, summary, used); return summary.DivergedAt is null ? 0 : 1; }
            var table = new Table().AddColumns("", "value", "chance");
            table.AddRow("steps", $"{summary.Steps}/{summary.Config.Steps}", "");
            table.AddRow("test loss", $"{Numbers.G(summary.TestLoss, 4)}", $"{Numbers.G(summary.ChanceLoss, 4)}");
            table.AddRow($"test {Markup.Escape(summary.MetricName)}", $"{summary.TestMetric:F3}", $"{summary.ChanceMetric:F3}");
            table.AddRow("seconds", $"{summary.Seconds:F1}", "");
            AnsiConsole.Write(table);
            if (summary.DivergedAt is int step)
            {
                parse.InvocationConfiguration.Error.WriteLine($"rnnlab: training diverged at step {step}: loss or gradient became NaN or infinite");
                return 1;
            }
            if (folder is not null) AnsiConsole.MarkupLine($"run folder: [bold]{Markup.Escape(folder)}[/]");
            return 0;
        });
        return command;
    }

    static string Show(object? value) => value switch
    {
        null => "(not set)",
        double d => Numbers.Exact(d),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
