namespace RnnLab.Models;

/// <summary>The recurrent cells RnnLab implements, with PyTorch's equations and gate orders.</summary>
public enum CellKind
{
    /// <summary>Elman RNN, h' = act(W_ih x + b_ih + W_hh h + b_hh); one gate block (G = 1).</summary>
    Rnn,
    /// <summary>LSTM, gate blocks i, f, g, o (G = 4); state (h, c).</summary>
    Lstm,
    /// <summary>GRU, gate blocks r, z, n (G = 3), with r applied to (W_hn h + b_hn).</summary>
    Gru,
    /// <summary>
    /// expRNN (Lezcano-Casado &amp; Martínez-Rubio 2019): an Elman RNN whose W_hh = exp(A) is orthogonal, A skew-symmetric;
    /// one block (G = 1).
    /// </summary>
    ExpRnn,
}

/// <summary>
/// The non-linearity of the Elman RNN (PyTorch's <c>nonlinearity</c> argument), and modReLU
/// (Arjovsky, Shah &amp; Bengio 2016), σ(z) = sign(z)·relu(|z| + b) with a learned bias b, which only expRNN uses.
/// </summary>
public enum Nonlinearity { Tanh, Relu, ModRelu }

public static class CellKinds
{
    /// <summary>Number of gate blocks G: weights are [G·H, I] and [G·H, H].</summary>
    public static int Gates(this CellKind kind) => kind switch
    {
        CellKind.Rnn or CellKind.ExpRnn => 1,
        CellKind.Lstm => 4,
        CellKind.Gru => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Names of the G gate blocks of W_hh [G·H, H] in PyTorch's order: i, f, g, o (LSTM); r, z, n (GRU); h (RNN).</summary>
    public static IReadOnlyList<string> GateNames(this CellKind kind) => kind switch
    {
        CellKind.Lstm => LstmGates,
        CellKind.Gru => GruGates,
        _ => SingleBlock,
    };

    static readonly string[] LstmGates = ["i", "f", "g", "o"], GruGates = ["r", "z", "n"], SingleBlock = ["h"];

    public static bool HasCellState(this CellKind kind) => kind == CellKind.Lstm;

    /// <summary>Parses "rnn", "tanh", "relu", "lstm", "gru", "exprnn" (modReLU), "exprnn-tanh" (case-insensitive).</summary>
    public static bool TryParse(string text, out CellKind kind, out Nonlinearity nonlinearity)
    {
        nonlinearity = Nonlinearity.Tanh;
        switch (text.Trim().ToLowerInvariant())
        {
            case "rnn": case "tanh": kind = CellKind.Rnn; return true;
            case "relu": kind = CellKind.Rnn; nonlinearity = Nonlinearity.Relu; return true;
            case "lstm": kind = CellKind.Lstm; return true;
            case "gru": kind = CellKind.Gru; return true;
            case "exprnn": kind = CellKind.ExpRnn; nonlinearity = Nonlinearity.ModRelu; return true;
            case "exprnn-tanh": kind = CellKind.ExpRnn; return true;
            default: kind = default; return false;
        }
    }

    /// <summary>The cell a name already validated stands for; an unknown name here is a bug, not bad input.</summary>
    public static (CellKind Kind, Nonlinearity Nonlinearity) Parse(string text) =>
        TryParse(text, out var kind, out var nonlinearity) ? (kind, nonlinearity) : throw new InvalidInputException($"unknown cell '{text}'");

    /// <summary>
    /// The one label of a network's cell in every answer (the "cell" of --json, inspect's included), as --cell spells it:
    /// "rnn" for the tanh RNN, "relu" for a ReLU RNN, "exprnn" for an RNN with modReLU (only expRNN has it; a trained
    /// expRNN with tanh is the tanh RNN it computes), "exprnn-tanh" for the expRNN layer with tanh, else the kind's name.
    /// </summary>
    public static string Name(CellKind kind, Nonlinearity nonlinearity) => (kind, nonlinearity) switch
    {
        (CellKind.Rnn, Nonlinearity.Relu) => "relu",
        (CellKind.Rnn or CellKind.ExpRnn, Nonlinearity.ModRelu) => "exprnn",
        (CellKind.ExpRnn, _) => "exprnn-tanh",
        _ => kind.Name(),
    };

    /// <summary>
    /// The same cell for people, the nonlinearity of a one-block cell spelled out: "rnn (tanh)", "rnn (relu)",
    /// "exprnn (modrelu)", "lstm", "gru".
    /// </summary>
    public static string Label(CellKind kind, Nonlinearity nonlinearity) => kind.Gates() == 1
        ? $"{(nonlinearity == Nonlinearity.ModRelu || kind == CellKind.ExpRnn ? "exprnn" : "rnn")} ({Checkpoint.Name(nonlinearity)})"
        : kind.Name();

    public static string Name(this CellKind kind) => kind switch
    {
        CellKind.Rnn => "rnn", CellKind.Lstm => "lstm", CellKind.Gru => "gru", CellKind.ExpRnn => "exprnn", _ => kind.ToString(),
    };
}
