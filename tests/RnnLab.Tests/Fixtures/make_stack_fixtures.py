"""Parity fixtures recorded from PyTorch for RnnLab's stacked and bidirectional networks.

Run with the system Python that has torch (1.13):  /usr/bin/python3 make_stack_fixtures.py
Writes stack_<name>.safetensors for
  rnn_l2_bi    torch.nn.RNN(3, 5, num_layers=2, bidirectional=True)  (tanh)
  lstm_l2_bi   torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True)
  gru_l2_bi    torch.nn.GRU(3, 5, num_layers=2, bidirectional=True)
  lstm_l3      torch.nn.LSTM(3, 5, num_layers=3)
  lstm_l2_bi_proj  torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=3)
each holding the state dict (F32) under PyTorch's names, a readout torch.nn.Linear(D*S, 4) of output[-1]
(readout.weight, readout.bias), and fixture.x [T=7, B=2, I=3], fixture.h0 [L*D, B, S], fixture.c0 [L*D, B, H]
(LSTM), all F32; fixture.output [T, B, D*S], fixture.h_n [L*D, B, S], fixture.c_n [L*D, B, H] (LSTM) and
fixture.readout [B, 4], F64, computed in float64 from the float32 weights and inputs.
"""
import os

import torch

import safetensors_min

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
T, B, I, H, O = 7, 2, 3, 5, 4
SEED = 20261201
NETWORKS = {
    "rnn_l2_bi": ("rnn", dict(num_layers=2, bidirectional=True, nonlinearity="tanh")),
    "lstm_l2_bi": ("lstm", dict(num_layers=2, bidirectional=True)),
    "gru_l2_bi": ("gru", dict(num_layers=2, bidirectional=True)),
    "lstm_l3": ("lstm", dict(num_layers=3)),
    "lstm_l2_bi_proj": ("lstm", dict(num_layers=2, bidirectional=True, proj_size=3)),
}


def make(name, cell, kwargs):
    torch.manual_seed(SEED)
    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](I, H, **kwargs)
    directions = 2 if module.bidirectional else 1
    state = module.proj_size if getattr(module, "proj_size", 0) else H
    readout = torch.nn.Linear(directions * state, O)
    n = module.num_layers * directions
    x = torch.randn(T, B, I)
    h0 = 0.5 * torch.randn(n, B, state)
    c0 = 0.5 * torch.randn(n, B, H)

    m64, r64 = module.double(), readout.double()  # float32 weights widened exactly
    with torch.no_grad():
        if cell == "lstm":
            out, (hn, cn) = m64(x.double(), (h0.double(), c0.double()))
        else:
            out, hn = m64(x.double(), h0.double())
            cn = None
        y = r64(out[-1])

    tensors = [(k, v.float().numpy()) for k, v in module.state_dict().items()]
    tensors += [("readout." + k, v.float().numpy()) for k, v in readout.state_dict().items()]
    tensors += [("fixture.x", x.numpy()), ("fixture.h0", h0.numpy()),
                ("fixture.output", out.numpy()), ("fixture.h_n", hn.numpy()), ("fixture.readout", y.numpy())]
    if cell == "lstm":
        tensors += [("fixture.c0", c0.numpy()), ("fixture.c_n", cn.numpy())]
    meta = {"cell": cell, "nonlinearity": kwargs.get("nonlinearity", "tanh"),
            "source": f"make_stack_fixtures.py, torch {torch.__version__}, seed {SEED}, {kwargs}"}
    safetensors_min.write(os.path.join(HERE, f"stack_{name}.safetensors"), tensors, meta)


if __name__ == "__main__":
    for name, (cell, kwargs) in NETWORKS.items():
        make(name, cell, kwargs)
    print("wrote stack fixtures to", HERE)
