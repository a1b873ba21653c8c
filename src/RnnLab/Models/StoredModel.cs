namespace RnnLab.Models;

/// <summary>
/// What a weights file says about the model that wrote it: the cell kind and sizes read off the tensor shapes, so
/// <c>--model FILE</c> needs no <c>--hidden</c>. weight_hh_l0 is [G·H, H], which gives H, and G·H / H gives the
/// cell: 1 RNN, 3 GRU, 4 LSTM (PyTorch's layouts). The tensors cannot tell tanh from ReLU, so the
/// <c>nonlinearity</c> metadata entry decides (tanh when absent, as PyTorch's default). An expRNN's weight_hh_l0 is the
/// orthogonal exp(A), so one trained with tanh describes itself as the tanh RNN it is.
/// </summary>
public sealed record StoredModel(CellKind Kind, Nonlinearity Nonlinearity, int InputSize, int HiddenSize, int? OutputSize)
{
    /// <summary>Metadata keys RnnLab writes and reads.</summary>
    public const string CellKey = "cell", NonlinearityKey = "nonlinearity";

    public static StoredModel Describe(string path) => Describe(SafeTensors.Read(path));

    public static StoredModel Describe(SafeTensorsFile file)
    {
        string f = file.FileName;
        var whh = file["weight_hh_l0"];
        if (whh.Shape.Length != 2 || whh.Shape[1] == 0) throw new InvalidDataException($"{f}: weight_hh_l0 has shape {whh.ShapeText}, expected [G·H, H]");
        int h = whh.Shape[1];
        if (whh.Shape[0] % h != 0) throw new InvalidDataException($"{f}: weight_hh_l0 has shape {whh.ShapeText}: {whh.Shape[0]} rows is not a multiple of H = {h}");
        CellKind kind = (whh.Shape[0] / h) switch
        {
            1 => CellKind.Rnn,
            3 => CellKind.Gru,
            4 => CellKind.Lstm,
            int g => throw new InvalidDataException($"{f}: weight_hh_l0 has shape {whh.ShapeText}: G·H / H = {g} matches no cell (rnn 1, gru 3, lstm 4)"),
        };
        var nonlinearity = Nonlinearity.Tanh;
        if (file.Metadata.TryGetValue(CellKey, out string? cellText))
        {
            if (!CellKinds.TryParse(cellText, out var stated, out var statedNl)) throw new InvalidDataException($"{f}: metadata cell '{cellText}' is not rnn, tanh, relu, lstm, gru, exprnn or exprnn-tanh");
            if (stated == CellKind.ExpRnn && kind == CellKind.Rnn)
            {
                // weight_hh_l0 of an expRNN is exp(A) itself: the file is the RNN it computes (tanh or modReLU), tensor for tensor.
                stated = CellKind.Rnn;
            }
            if (stated != kind) throw new InvalidDataException($"{f}: metadata says cell {stated.Name()} but weight_hh_l0 {whh.ShapeText} is a {kind.Name()}");
            nonlinearity = statedNl;
        }
        if (file.Metadata.TryGetValue(NonlinearityKey, out string? nlText))
        {
            nonlinearity = nlText.Trim().ToLowerInvariant() switch
            {
                "tanh" => Nonlinearity.Tanh,
                "relu" => Nonlinearity.Relu,
                "modrelu" => Nonlinearity.ModRelu,
                _ => throw new InvalidDataException($"{f}: metadata nonlinearity '{nlText}' is not tanh, relu or modrelu"),
            };
        }
        var wih = file["weight_ih_l0"];
        if (wih.Shape.Length != 2 || wih.Shape[0] != whh.Shape[0])
            throw new InvalidDataException($"{f}: weight_ih_l0: expected [{whh.Shape[0]}, I], file has {wih.ShapeText}");
        int? output = null;
        if (file.TryGet("readout.weight", out var rw))
        {
            if (rw.Shape.Length != 2 || rw.Shape[1] != h) throw new InvalidDataException($"{f}: readout.weight: expected [O, {h}], file has {rw.ShapeText}");
            output = rw.Shape[0];
        }
        return new StoredModel(kind, nonlinearity, wih.Shape[1], h, output);
    }

    /// <summary>The metadata entries that let <see cref="Describe(SafeTensorsFile)"/> recover this model exactly.</summary>
    public Dictionary<string, string> ToMetadata() => new()
    {
        [CellKey] = Kind.Name(),
        [NonlinearityKey] = Checkpoint.Name(Nonlinearity),
    };
}
