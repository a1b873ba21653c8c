"""Parity fixtures recorded from PyTorch for RnnLab's recurrent layers.

Run with the system Python that has torch (1.13):  /usr/bin/python3 make_fixtures.py
Writes, for each of torch.nn.RNN (tanh), LSTM and GRU with input 3, hidden 5 and a Linear readout 5 -> 4:
  <cell>.safetensors  weights as the state dict names them (F32), readout.weight / readout.bias (F32), and
                      fixture.x  [T=7, B=2, I=3] (F32), fixture.h0 [B, H] (F32), fixture.c0 [B, H] (LSTM, F32),
                      fixture.output [T, B, H] all h_t, fixture.h_n [B, H], fixture.c_n [B, H] (LSTM),
                      fixture.readout [T, B, O] = readout(h_t)   (outputs F64)
  rnn.x.npy, rnn.output.npy   the RNN fixture's x (<f4) and output (<f8) as NumPy writes them
  v2.npy, v3.npy              a small <f8 array in .npy format versions 2.0 and 3.0
  f32_<cell>_h40.safetensors  [T=12, B=4, I=8, H=40] and f32_<cell>_odd.safetensors [T=9, B=3, I=7, H=37]:
                      hidden sizes past 32, where the float32 kernels' blocking changes, computed by PyTorch in
                      float32 (its own kernels, as a user runs it): weights, fixture.x, fixture.h0, fixture.c0
                      (LSTM), fixture.dout [T, B, H] (the loss is L = sum(output * dout)), and the results
                      fixture.output, fixture.h_n, fixture.c_n, fixture.dx, fixture.dh0, fixture.dc0 and
                      fixture.grad_<parameter> for every parameter (all F32); fixture64.<same names> are the same
                      results in float64 from the same float32 numbers (F64), the exact reference both float32
                      implementations are measured against.
The references are computed in float64 from the float32 weights and inputs, so a float64 forward pass in
RnnLab should agree to ~1e-12 and a float32 one to ~1e-6. h0/c0 are stored [B, H]; PyTorch's own shape is
[num_layers=1, B, H].
"""
import copy
import os

import numpy as np
import torch

import safetensors_min

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
T, B, I, H, O = 7, 2, 3, 5, 4
SEED = 20240607


def make(cell):
    torch.manual_seed(SEED)
    module = {"rnn": lambda: torch.nn.RNN(I, H, nonlinearity="tanh"),
              "lstm": lambda: torch.nn.LSTM(I, H),
              "gru": lambda: torch.nn.GRU(I, H)}[cell]()
    readout = torch.nn.Linear(H, O)
    x = torch.randn(T, B, I)
    h0 = 0.5 * torch.randn(B, H)
    c0 = 0.5 * torch.randn(B, H)

    m64, r64 = module.double(), readout.double()  # float32 weights widened exactly
    with torch.no_grad():
        if cell == "lstm":
            out, (hn, cn) = m64(x.double(), (h0.double()[None], c0.double()[None]))
        else:
            out, hn = m64(x.double(), h0.double()[None])
            cn = None
        y = r64(out)

    tensors = [(k, v.float().numpy()) for k, v in module.state_dict().items()]
    tensors += [("readout." + k, v.float().numpy()) for k, v in readout.state_dict().items()]
    tensors += [("fixture.x", x.numpy()), ("fixture.h0", h0.numpy()),
                ("fixture.output", out.numpy()), ("fixture.h_n", hn[0].numpy()), ("fixture.readout", y.numpy())]
    if cell == "lstm":
        tensors += [("fixture.c0", c0.numpy()), ("fixture.c_n", cn[0].numpy())]
    meta = {"cell": cell, "nonlinearity": "tanh", "source": f"make_fixtures.py, torch {torch.__version__}, seed {SEED}"}
    safetensors_min.write(os.path.join(HERE, f"{cell}.safetensors"), tensors, meta)
    if cell == "rnn":
        np.save(os.path.join(HERE, "rnn.x.npy"), x.numpy())
        np.save(os.path.join(HERE, "rnn.output.npy"), out.numpy())


def make_float32(cell, name, T, B, I, H):
    torch.manual_seed(SEED + H)
    module = {"rnn": lambda: torch.nn.RNN(I, H, nonlinearity="tanh"),
              "lstm": lambda: torch.nn.LSTM(I, H),
              "gru": lambda: torch.nn.GRU(I, H)}[cell]()
    x = torch.randn(T, B, I)
    h0 = 0.5 * torch.randn(B, H)
    c0 = 0.5 * torch.randn(B, H)
    dout = torch.randn(T, B, H)

    def run(m, dtype):
        m = copy.deepcopy(m).to(dtype)
        xs, h, c = (t.detach().clone().to(dtype).requires_grad_() for t in (x, h0, c0))
        if cell == "lstm":
            out, (hn, cn) = m(xs, (h[None], c[None]))
        else:
            out, hn = m(xs, h[None])
            cn = None
        (out * dout.to(dtype)).sum().backward()
        results = [("output", out), ("h_n", hn[0]), ("dx", xs.grad), ("dh0", h.grad)]
        if cell == "lstm":
            results += [("c_n", cn[0]), ("dc0", c.grad)]
        results += [("grad_" + k, p.grad) for k, p in m.named_parameters()]
        return [(k, v.detach().numpy().copy()) for k, v in results]

    weights = [(k, v.numpy().copy()) for k, v in module.state_dict().items()]
    f32 = run(module, torch.float32)
    f64 = run(module, torch.float64)  # float32 weights and inputs widened exactly
    tensors = weights + [("fixture.x", x.numpy()), ("fixture.h0", h0.numpy()), ("fixture.dout", dout.numpy())]
    if cell == "lstm":
        tensors += [("fixture.c0", c0.numpy())]
    tensors += [("fixture." + k, v, "F32") for k, v in f32] + [("fixture64." + k, v, "F64") for k, v in f64]
    meta = {"cell": cell, "nonlinearity": "tanh", "shape": f"T={T} B={B} I={I} H={H}",
            "source": f"make_fixtures.py, torch {torch.__version__}, seed {SEED + H}"}
    safetensors_min.write(os.path.join(HERE, f"f32_{cell}_{name}.safetensors"), tensors, meta)


def write_versions():
    a = np.arange(6, dtype="<f8").reshape(2, 3) / 4
    for major in (2, 3):
        with open(os.path.join(HERE, f"v{major}.npy"), "wb") as f:
            np.lib.format.write_array(f, a, version=(major, 0))


if __name__ == "__main__":
    for c in ("rnn", "lstm", "gru"):
        make(c)
        make_float32(c, "h40", T=12, B=4, I=8, H=40)
        make_float32(c, "odd", T=9, B=3, I=7, H=37)
    write_versions()
    print("wrote fixtures to", HERE)
