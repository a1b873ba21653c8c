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
        var truncation = new Option<int>("--truncation") { Description = "Truncated BPTT window k (0 = full BPTT).", DefaultValueFactory = _ => 0 };
        var attractors = new Option<double>("--attractors") { Description = "Agreement: chance that a distractor noun has the other number.", DefaultValueFactory = _ => d.Attractors };
        var seed = CommonOptions.Seed();
        var evalEvery = CommonOptions.Positive("--eval-every", "Steps between held-out evaluations.", d.EvalEvery);
        var logEvery = CommonOptions.Positive("--log-every", "Steps between lines of metrics.jsonl.", d.LogEvery);
        var checkpointEvery = CommonOptions.Positive("--checkpoint-every", "Steps between checkpoints.", d.CheckpointEvery);
        var outDir = new Option<string?>("--out") { Description = "Run folder (config.json, metrics.jsonl, checkpoint.safetensors, report.html)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the stopped run in --out from its checkpoint (its own config is used)." };
        var json = CommonOptions.Json();
        var command = new Command("train", "Train a recurrent network on a long-range task and write a run folder.")
        {
            task, cell, seq, hidden, layers, bidirectional, dropout, projSize, steps, batch, lr, optimizer, momentum, clipNorm, clipValue, init, rho, forgetBias, chronoMax, skewLr, flowRegularizer, truncation,
            attractors, seed, evalEvery, logEvery, checkpointEvery, outDir, resume, threads, json,
        };
        command.SetAction(parse =>
        {
            var cancel = Cli.Interrupted;
            if (parse.GetValue(clipNorm) is not null && parse.GetValue(clipValue) is not null)
                throw new UsageException("give --clip-norm or --clip-value, not both");
            string? forgetText = parse.GetValue(forgetBias)?.Trim();
            bool chrono = string.Equals(forgetText, "chrono", StringComparison.OrdinalIgnoreCase);
            double? forgetNumber = null;
            if (forgetText is not null && !chrono)
                forgetNumber = double.TryParse(forgetText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double fb)
                    ? fb : throw new UsageException($"--forget-bias must be a number or chrono, got '{forgetText}'");
            var config = new TrainingConfig
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
            bool asJson = parse.GetValue(json);
            string? folder = parse.GetValue(outDir);
            bool again = parse.GetValue(resume);
            if (!again) config.Validate();
            using var kernelThreads = Parallelism.Use(CommonOptions.RequirePositive(parse.GetValue(threads), "--threads"));
            TrainingSummary summary;
            if (asJson || Console.IsOutputRedirected)
                summary = TrainingRun.Run(config, folder, again, cancel: cancel, writeReport: RunReport.Write);
            else
                summary = AnsiConsole.Progress().AutoClear(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .Start(ctx =>
                    {
                        var bar = ctx.AddTask(config.Label, maxValue: config.Steps);
                        return TrainingRun.Run(config, folder, again, r =>
                        {
                            bar.Value = r.Step;
                            bar.Description = $"{config.Cell} step {r.Step}: loss {r.Loss:G4}, metric {r.Metric:F3}, |g| {r.GradNorm:G3}, {r.StepsPerS:F0} steps/s";
                        }, cancel, RunReport.Write);
                    });
            if (summary.Stopped && cancel.IsCancellationRequested)
            {
                if (asJson) Cli.WriteJson(parse.InvocationConfiguration.Output, summary);
                string stopped = $"stopped at step {summary.Steps} of {summary.Config.Steps}";
                throw folder is null
                    ? new WorkInterruptedException($"{stopped}; nothing was saved (no --out)", continueWith: "")
                    : new WorkInterruptedException($"{stopped}, checkpoint in {Path.Combine(folder, TrainingRun.CheckpointFile)}",
                        Cli.CommandLine(["train", "--out", folder, "--resume"]));
            }
            if (asJson) { Cli.WriteJson(parse.InvocationConfiguration.Output, summary); return summary.DivergedAt is null ? 0 : 1; }
            var table = new Table().AddColumns("", "value", "chance");
            table.AddRow("steps", $"{summary.Steps}/{summary.Config.Steps}", "");
            table.AddRow("test loss", $"{summary.TestLoss:G4}", $"{summary.ChanceLoss:G4}");
            table.AddRow($"test {Markup.Escape(summary.MetricName)}", $"{summary.TestMetric:F3}", $"{summary.ChanceMetric:F3}");
            table.AddRow("seconds", $"{summary.Seconds:F1}", "");
            AnsiConsole.Write(table);
            if (summary.DivergedAt is int step)
            {
                Console.Error.WriteLine($"rnnlab: training diverged at step {step}: loss or gradient became NaN or infinite");
                return 1;
            }
            if (folder is not null) AnsiConsole.MarkupLine($"run folder: [bold]{Markup.Escape(folder)}[/]");
            return 0;
        });
        return command;
    }
}
