using System.CommandLine;
using System.Globalization;
using RnnLab.Models;

namespace RnnLab.Cli;

/// <summary>
/// What a request will allocate, estimated from its sizes before any work: a request over the memory this machine
/// has available (or over <c>--max-memory</c>) is refused at once, naming the option that asks for it
/// ("--hidden 100000000 needs about 80 GB for W_hh"), and no single array may exceed what .NET can index. Estimates
/// are in floating point, so no size, however large, overflows on the way.
/// </summary>
public static class MemoryPlan
{
    /// <summary>
    /// One large allocation: what it is, the options and values that size it, its element count and width, and how
    /// many arrays of equal size hold those elements (one per layer and direction of a stack), and how a refusal names one of them.
    /// </summary>
    public readonly record struct Need(string What, string Because, double Elements, int BytesPerElement = sizeof(double), int Arrays = 1,
        string PerArray = " per layer and direction")
    {
        public double Bytes => Elements * BytesPerElement;
    }

    /// <summary>A root option every verb sees: the ceiling for the estimate instead of the machine's available memory.</summary>
    public static readonly Option<string?> MaxMemory = new("--max-memory")
    {
        Description = "Refuse requests estimated to need more than this (e.g. 4G, 512M; default: the memory available now).",
        Recursive = true,
    };

    /// <summary>Throws a <see cref="UsageException"/> when the needs do not fit; otherwise returns the estimate in bytes.</summary>
    public static double Check(ParseResult parse, params Need[] needs)
    {
        foreach (var n in needs)
            if (n.Elements / n.Arrays > Array.MaxLength)
                throw new UsageException($"{n.Because} makes {n.What} {Numbers.G(n.Elements / n.Arrays, 4)} values{(n.Arrays > 1 ? n.PerArray : "")}, more than one array can hold ({Array.MaxLength})");
        double total = needs.Sum(n => n.Bytes);
        string? text = parse.GetValue(MaxMemory);
        double limit = text is null ? Available() : ParseSize(text);
        if (total > limit)
        {
            var largest = needs.MaxBy(n => n.Bytes);
            string where = text is null ? $"this machine has about {Human(limit)} available (--max-memory to set the limit)" : $"--max-memory is {text}";
            throw new UsageException($"{largest.Because} needs about {Human(total)} ({Human(largest.Bytes)} for {largest.What}); {where}");
        }
        return total;
    }

    /// <summary>
    /// What one float32 training step holds: the weights with their gradients and optimizer state, the batch's inputs,
    /// and the buffers every layer keeps for BPTT at every step (<see cref="StackValuesPerRowStep"/>).
    /// </summary>
    /// <paramref name="inputOption"/>: whether the input size is an option of the verb (bench's --input) or the task's own (train).
    public static Need[] TrainingStep(CellKind kind, int hidden, int input, int steps, int batch, string batchOptions,
        int layers = 1, bool bidirectional = false, bool inputOption = true, int projection = 0)
    {
        // every layer and direction has its own weights and activations
        int arrays = layers * (bidirectional ? 2 : 1);
        double g = kind.Gates(), h = hidden, t = steps, b = batch, l = arrays;
        string stack = Stack(layers, bidirectional), inputs = inputOption ? $" --input {input}" : "";
        return
        [
            new("W_hh", $"--hidden {hidden}", g * h * h, sizeof(float)),
            new("the gradients and optimizer state", $"--hidden {hidden}{inputs}{stack}", 3 * l * g * h * (h + Math.Max(input, 2 * hidden)), sizeof(float), arrays),
            new("the inputs of a batch", $"{batchOptions}{inputs}", t * b * input, sizeof(float)),
            Activations("the activations and gradients kept for BPTT", $"{batchOptions} --hidden {hidden}{stack}", t * b,
                kind, hidden, input, layers, bidirectional, projection),
        ];
    }

    /// <summary>
    /// The buffers a stack's layers keep for <paramref name="rowSteps"/> steps × batch rows: counted whole for the total,
    /// and for .NET's array limit by the widest single buffer (the values spread over that many arrays of it, at least).
    /// </summary>
    public static Need Activations(string what, string because, double rowSteps, CellKind kind, int hidden, int input, int layers, bool bidirectional, int projection = 0)
    {
        int width = (bidirectional ? 2 : 1) * RecurrentLayer<float>.StateWidth(hidden, projection);
        double values = StackValuesPerRowStep(kind, hidden, input, layers, bidirectional, projection);
        int widest = Math.Max(RecurrentLayer<float>.WidestBufferPerRowStep(kind, input, hidden, projection), RecurrentLayer<float>.WidestBufferPerRowStep(kind, width, hidden, projection));
        return new(what, because, rowSteps * values, sizeof(float), Arrays: (int)Math.Max(1, Math.Floor(values / widest)), PerArray: " in its widest buffer");
    }

    /// <summary>
    /// Values a stack's layers keep per step and batch row after a forward pass (each layer's input copy, states, gate
    /// buffers and their gradients, as the engine counts them), and the stack's output gradient the readout hands back.
    /// </summary>
    public static double StackValuesPerRowStep(CellKind kind, int hidden, int input, int layers, bool bidirectional, int projection = 0)
    {
        int directions = bidirectional ? 2 : 1, width = directions * RecurrentLayer<float>.StateWidth(hidden, projection);
        double first = RecurrentLayer<float>.BufferValuesPerRowStep(kind, input, hidden, projection);
        double above = RecurrentLayer<float>.BufferValuesPerRowStep(kind, width, hidden, projection);
        return directions * (first + (layers - 1) * above) + width;
    }

    /// <summary>The options that shape a stack, as a request's message names them: " --layers 3 --bidirectional", or "" for one layer one way.</summary>
    public static string Stack(int layers, bool bidirectional) => (layers > 1 ? $" --layers {layers}" : "") + (bidirectional ? " --bidirectional" : "");

    /// <summary>MemAvailable from /proc/meminfo where there is one, else what the runtime may use.</summary>
    public static double Available()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                    return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    /// <summary>"4G", "512M", "64k" (powers of 1024) or a plain number of bytes.</summary>
    public static double ParseSize(string text)
    {
        string t = text.Trim().ToUpperInvariant().TrimEnd('B').TrimEnd('I');
        double unit = t.Length == 0 ? 1 : t[^1] switch { 'K' => 1024.0, 'M' => 1024.0 * 1024, 'G' => 1024.0 * 1024 * 1024, 'T' => 1024.0 * 1024 * 1024 * 1024, _ => 1 };
        if (unit > 1) t = t[..^1];
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v > 0) || !double.IsFinite(v * unit))
            throw new UsageException($"--max-memory must be a size such as 4G or 512M, got {text}");
        return v * unit;
    }

    /// <summary>Bytes as people read them: 80 GB, 512 MB, 3.2 kB.</summary>
    public static string Human(double bytes)
    {
        string[] units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"];
        int u = 0;
        while (bytes >= 1000 && u < units.Length - 1) { bytes /= 1000; u++; }
        return u == 0 ? $"{bytes:0} bytes" : $"{bytes.ToString(bytes < 10 ? "0.#" : "0", CultureInfo.InvariantCulture)} {units[u]}";
    }
}
