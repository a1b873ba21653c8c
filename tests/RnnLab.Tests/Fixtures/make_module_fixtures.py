"""Whole-module fixtures recorded from PyTorch: checkpoints as researchers save them, and what PyTorch computes.

Run with the system Python that has torch (1.13):  /usr/bin/python3 make_module_fixtures.py
For each case below it writes two files into modules/:
  <case>.safetensors           the state dict exactly as torch saves it (names, dtypes, no RnnLab metadata)
  <case>.expected.safetensors  F64 references from the float64 module built from those weights (widened exactly):
      x [T, B, I]                  inputs of the recurrent module (float32-representable)
      output [T, B, D*Hout], h_n [L*D, B, Hout], c_n [L*D, B, H]   nn.Module output from zero state
      h0, c0 [L*D, B, .] and output_h0, h_n_h0, c_n_h0                the same from a random initial state
      flow.<layer>.<key> [B, T]    per sequence b and distance k = 0..T-1, along each layer and direction's own
                                   recurrence (inputs fixed to what the module fed it), from an explicit product of
                                   torch.autograd step Jacobians: spectral_norm, frobenius_norm = ||dh_T/dh_{T-k}||
                                   (2, F); LSTM also cell_spectral_norm ||dc_T/dc_{T-k}||, hidden_from_cell_spectral_norm
                                   ||dh_T/dc_{T-k}||, state_spectral_norm ||d(h,c)_T/d(h,c)_{T-k}||, cell_path_norm
                                   ||prod diag(f_t)||. For a reverse direction T and T-k are in processing order.
      input_spectral_norm [B, T]   ||dy_T/dx_{T-k}||_2, y_T = output[T-1], by autograd through the whole module
      input_spectral_norm_forward_output, input_spectral_norm_reverse_output [B, T]   (bidirectional) the same for
                                   each half of y_T: the forward direction's h_T and the reverse direction's h at T
      depth_time.l<l> [B, T]       (unidirectional) ||dh^(L-1)_T / dh^(l)_{T-k}||_2, layers above recomputing
  The relu_rnn case also holds the same references computed as if the file were tanh (prefix "as_tanh.").
A mixed file (two recurrent modules) and malformed files for error messages are written too.
"""
import os

import numpy as np
import torch

import safetensors_min

torch.set_num_threads(1)
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "modules")
T, B, I, H, P = 6, 2, 3, 4, 2
SEED = 20261201


class Net(torch.nn.Module):
    """The ordinary classifier: embedding, a 2-layer LSTM, a linear head."""

    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(10, I)
        self.rnn = torch.nn.LSTM(I, H, num_layers=2)
        self.fc = torch.nn.Linear(H, 2)


class Encoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.GRU(I, H, bidirectional=True)


def cases():
    """(name, state dict as saved, the recurrent module, its prefix in the state dict, cell, nonlinearity)."""
    torch.manual_seed(SEED)
    net = Net()
    yield "net_lstm2", net.state_dict(), net.rnn, "rnn.", "lstm", "tanh"
    enc = torch.nn.DataParallel(Encoder())  # on CPU this only wraps: keys gain "module."
    yield "dp_bigru", enc.state_dict(), enc.module.rnn, "module.rnn.", "gru", "tanh"
    m = torch.nn.LSTM(I, H, num_layers=2, bidirectional=True, proj_size=P)
    yield "lstm2_bi_proj", m.state_dict(), m, "", "lstm", "tanh"
    m = torch.nn.RNN(I, H, nonlinearity="relu")
    with torch.no_grad():
        m.weight_hh_l0.mul_(2.0)  # a ReLU RNN that neither dies nor stays linear over six steps
        m.bias_ih_l0.add_(0.3)
    yield "relu_rnn", m.state_dict(), m, "", "rnn", "relu"
    m = torch.nn.LSTM(I, H, bias=False)
    yield "lstm_nobias", m.state_dict(), m, "", "lstm", "tanh"
    m = torch.nn.GRU(I, H, bias=False)
    yield "gru_nobias", m.state_dict(), m, "", "gru", "tanh"
    cell = torch.nn.LSTMCell(I, H)
    m = torch.nn.LSTM(I, H)
    with torch.no_grad():
        for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(m, k + "_l0").copy_(getattr(cell, k))
    yield "lstmcell", cell.state_dict(), m, "", "lstm", "tanh"
    m = torch.nn.GRU(I, H).half()
    yield "gru_f16", m.state_dict(), m, "", "gru", "tanh"
    m = torch.nn.LSTM(I, H).bfloat16()
    yield "lstm_bf16", m.state_dict(), m, "", "lstm", "tanh"


def to_numpy(v):
    """A state-dict tensor as (array, dtype): bfloat16 as its uint16 bit patterns."""
    if v.dtype == torch.bfloat16:
        return v.view(torch.int16).numpy().view(np.uint16), "BF16"
    return v.numpy(), None


def module_spec(module):
    return dict(layers=module.num_layers, dirs=2 if module.bidirectional else 1,
                proj=getattr(module, "proj_size", 0), bias=module.bias)


def weights(module, layer, d):
    sfx = f"_l{layer}" + ("_reverse" if d else "")
    get = lambda n: getattr(module, n + sfx).detach().double() if hasattr(module, n + sfx) else None
    return dict(wih=get("weight_ih"), whh=get("weight_hh"), bih=get("bias_ih"), bhh=get("bias_hh"), whr=get("weight_hr"))


def step(kind, act, w, x, s):
    """One step of PyTorch's cell equations in float64: state s is h, or (h, c) concatenated for the LSTM."""
    ho = w["whh"].shape[1]
    gi = w["wih"] @ x + (w["bih"] if w["bih"] is not None else 0)
    h = s[:ho]
    gh = w["whh"] @ h + (w["bhh"] if w["bhh"] is not None else 0)
    if kind == "rnn":
        z = gi + gh
        return torch.tanh(z) if act == "tanh" else torch.relu(z)
    if kind == "gru":
        r, zg, n = gi.chunk(3)
        hr, hz, hn = gh.chunk(3)
        r, zg = torch.sigmoid(r + hr), torch.sigmoid(zg + hz)
        n = torch.tanh(n + r * hn)
        return (1 - zg) * n + zg * h
    c = s[ho:]
    i, f, g, o = (gi + gh).chunk(4)
    c2 = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h2 = torch.sigmoid(o) * torch.tanh(c2)
    if w["whr"] is not None:
        h2 = w["whr"] @ h2
    return torch.cat([h2, c2])


def forget_gate(w, x, s):
    ho = w["whh"].shape[1]
    gi = w["wih"] @ x + (w["bih"] if w["bih"] is not None else 0)
    gh = w["whh"] @ s[:ho] + (w["bhh"] if w["bhh"] is not None else 0)
    return torch.sigmoid((gi + gh).chunk(4)[1])


def initial(kind, module, layer, d, h0, c0, b):
    idx = layer * module_spec(module)["dirs"] + d
    h = h0[idx, b]
    return torch.cat([h, c0[idx, b]]) if kind == "lstm" else h


def manual_forward(kind, act, module, x, h0, c0, b, inject=None):
    """The module's forward for sequence b from explicit steps. Returns (output [T, D*Hout], per (layer, d):
    the inputs in processing order and the states s_0..s_T in processing order). inject = (layer, t, delta) adds
    delta to layer's h after step t (forward direction), so the steps after it are recomputed from it."""
    spec = module_spec(module)
    seq = [x[t, b] for t in range(T)]
    record = {}
    for layer in range(spec["layers"]):
        outs = []
        for d in range(spec["dirs"]):
            w = weights(module, layer, d)
            ho = w["whh"].shape[1]
            order = list(range(T)) if d == 0 else list(reversed(range(T)))
            s = initial(kind, module, layer, d, h0, c0, b)
            states, inputs, out = [s], [], [None] * T
            for t in order:
                s = step(kind, act, w, seq[t], s)
                if inject is not None and inject[0] == layer and inject[1] == t and d == 0:
                    s = torch.cat([s[:ho] + inject[2], s[ho:]])
                states.append(s)
                inputs.append(seq[t])
                out[t] = s[:ho]
            record[(layer, d)] = (w, inputs, states)
            outs.append(out)
        seq = [torch.cat([o[t] for o in outs]) for t in range(T)]
    return torch.stack(seq), record


def layer_flow(kind, act, w, inputs, states):
    """Norms over k of the explicit product of autograd step Jacobians along one layer and direction."""
    ho = w["whh"].shape[1]
    keys = ["spectral_norm", "frobenius_norm"] + (
        ["cell_spectral_norm", "hidden_from_cell_spectral_norm", "state_spectral_norm", "cell_path_norm"] if kind == "lstm" else [])
    res = {k: [] for k in keys}
    n = states[0].numel()
    prod = torch.eye(n, dtype=torch.float64)
    fprod = torch.ones(w["whh"].shape[0] // 4 if kind == "lstm" else 1, dtype=torch.float64)
    for k in range(T):
        if k > 0:
            t = T - k + 1  # processing step t (1-based): s_t = step(u_t, s_{t-1}), P_k = J_T ... J_{T-k+1}
            jac = torch.autograd.functional.jacobian(lambda s: step(kind, act, w, inputs[t - 1], s), states[t - 1])
            prod = prod @ jac
            if kind == "lstm":
                fprod = fprod * forget_gate(w, inputs[t - 1], states[t - 1])
        res["spectral_norm"].append(torch.linalg.matrix_norm(prod[:ho, :ho], 2).item())
        res["frobenius_norm"].append(torch.linalg.matrix_norm(prod[:ho, :ho], "fro").item())
        if kind == "lstm":
            res["cell_spectral_norm"].append(torch.linalg.matrix_norm(prod[ho:, ho:], 2).item())
            res["hidden_from_cell_spectral_norm"].append(torch.linalg.matrix_norm(prod[:ho, ho:], 2).item())
            res["state_spectral_norm"].append(torch.linalg.matrix_norm(prod, 2).item())
            res["cell_path_norm"].append(fprod.max().item())
    return res


def layer_name(layer, d):
    return f"l{layer}" + ("_reverse" if d else "")


def references(kind, act, module, x, prefix=""):
    spec = module_spec(module)
    zeros_h = torch.zeros(spec["layers"] * spec["dirs"], B, spec["proj"] or H, dtype=torch.float64)
    zeros_c = torch.zeros(spec["layers"] * spec["dirs"], B, H, dtype=torch.float64)
    out = {}
    for b in range(B):
        _, record = manual_forward(kind, act, module, x, zeros_h, zeros_c, b)
        for (layer, d), (w, inputs, states) in record.items():
            for key, values in layer_flow(kind, act, w, inputs, states).items():
                out.setdefault(f"{prefix}flow.{layer_name(layer, d)}.{key}", []).append(values)
        xb = x[:, b].clone()

        def y_last(xs):
            xx = x.clone()
            xx[:, b] = xs
            return manual_forward(kind, act, module, xx, zeros_h, zeros_c, b)[0][T - 1]

        jac = torch.autograd.functional.jacobian(y_last, xb)  # [D*Hout, T, I]
        out.setdefault(prefix + "input_spectral_norm", []).append(
            [torch.linalg.matrix_norm(jac[:, T - 1 - k, :], 2).item() for k in range(T)])
        if spec["dirs"] == 2:  # each half of y_T = [h^fwd_T; h^rev_T] on its own
            ho = spec["proj"] or H
            for half, rows in (("forward", slice(0, ho)), ("reverse", slice(ho, 2 * ho))):
                out.setdefault(f"{prefix}input_spectral_norm_{half}_output", []).append(
                    [torch.linalg.matrix_norm(jac[rows, T - 1 - k, :], 2).item() for k in range(T)])
        if spec["dirs"] == 1:
            ho = spec["proj"] or H
            for layer in range(spec["layers"]):
                row = []
                for k in range(T):
                    t = T - 1 - k  # 0-based step whose state is perturbed

                    def top(delta):
                        return manual_forward(kind, act, module, x, zeros_h, zeros_c, b, inject=(layer, t, delta))[0][T - 1]

                    jac = torch.autograd.functional.jacobian(top, torch.zeros(ho, dtype=torch.float64))
                    row.append(torch.linalg.matrix_norm(jac, 2).item())
                out.setdefault(f"{prefix}depth_time.l{layer}", []).append(row)
    return {k: np.array(v, dtype=np.float64) for k, v in out.items()}


def make(name, state, module, prefix, kind, act):
    tensors = [(k,) + tuple(x for x in to_numpy(v) if x is not None) for k, v in state.items()]
    safetensors_min.write(os.path.join(HERE, f"{name}.safetensors"), tensors)
    module = module.double()  # the saved weights widened exactly (f16 / bf16 / f32 to f64)
    spec = module_spec(module)

    g = torch.Generator().manual_seed(SEED + len(name))
    x = torch.randn(T, B, I, generator=g).float().double()
    nh = spec["layers"] * spec["dirs"]
    ho = spec["proj"] or H
    h0 = (0.5 * torch.randn(nh, B, ho, generator=g)).float().double()
    c0 = (0.5 * torch.randn(nh, B, H, generator=g)).float().double()
    with torch.no_grad():
        if kind == "lstm":
            y, (hn, cn) = module(x)
            y0, (hn0, cn0) = module(x, (h0, c0))
        else:
            y, hn = module(x)
            y0, hn0 = module(x, h0)
    # the explicit step equations reproduce nn.Module exactly
    for b in range(B):
        manual, _ = manual_forward(kind, act, module, x, h0, c0, b)
        assert (manual - y0[:, b]).abs().max().item() < 1e-12, name
    expected = {"x": x.numpy(), "output": y.numpy(), "h_n": hn.numpy(), "h0": h0.numpy(), "output_h0": y0.numpy(), "h_n_h0": hn0.numpy()}
    if kind == "lstm":
        expected.update({"c_n": cn.numpy(), "c0": c0.numpy(), "c_n_h0": cn0.numpy()})
    with torch.enable_grad():
        expected.update(references(kind, act, module, x))
        if act == "relu":
            expected.update(references(kind, "tanh", module, x, prefix="as_tanh."))
    meta = {"source": f"make_module_fixtures.py, torch {torch.__version__}, seed {SEED}", "module": prefix[:-1],
            "nonlinearity": act}
    safetensors_min.write(os.path.join(HERE, f"{name}.expected.safetensors"), list(expected.items()), meta)


def odd_files():
    """Files RnnLab must read or refuse with a message naming the tensor."""
    torch.manual_seed(SEED + 1)
    enc, dec = torch.nn.GRU(I, H), torch.nn.LSTM(H, H)
    two = [("encoder." + k, v.numpy()) for k, v in enc.state_dict().items()]
    two += [("decoder." + k, v.numpy()) for k, v in dec.state_dict().items()]
    two += [("step", np.array([3], dtype=np.uint8))]  # a dtype RnnLab does not read, outside both modules
    safetensors_min.write(os.path.join(HERE, "two_modules.safetensors"), two)
    two_layer = {k: v.numpy() for k, v in torch.nn.RNN(I, H, num_layers=2).state_dict().items()}
    bad = dict(two_layer)
    del bad["weight_ih_l1"]
    safetensors_min.write(os.path.join(HERE, "missing_ih_l1.safetensors"), list(bad.items()))
    bi = {k: v.numpy() for k, v in torch.nn.GRU(I, H, bidirectional=True).state_dict().items()}
    bad = {k: v for k, v in bi.items() if "reverse" in k or not k.endswith("_l0")}
    safetensors_min.write(os.path.join(HERE, "reverse_only.safetensors"), list(bad.items()))
    bad = {"weight_ih_l0": np.zeros((2 * H, I), np.float32), "weight_hh_l0": np.zeros((2 * H, H), np.float32)}
    safetensors_min.write(os.path.join(HERE, "two_gates.safetensors"), list(bad.items()))


if __name__ == "__main__":
    os.makedirs(HERE, exist_ok=True)
    for case in cases():
        make(*case)
    odd_files()
    print("wrote module fixtures to", HERE)
