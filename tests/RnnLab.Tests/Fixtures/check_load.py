"""Checks that PyTorch reads RnnLab-written weights and computes what RnnLab computed.

    dotnet test --filter "FullyQualifiedName~SafeTensorsExportTests"
    /usr/bin/python3 tests/RnnLab.Tests/Fixtures/check_load.py tests/RnnLab.Tests/bin/Debug/net10.0/rnnlab-written

The test writes <cell>.safetensors files (weights saved by SafeTensors.Save as F32, plus fixture.x, fixture.h0,
fixture.c0 and RnnLab's float64 forward pass as fixture.output / fixture.h_n / fixture.c_n). This script loads
the weights into torch.nn.RNN / LSTM / GRU with load_state_dict(strict=True), runs the same input in float64
and exits non-zero if any output differs by more than 1e-9 or a file is missing.
"""
import os
import sys

import torch

import safetensors_min

TOLERANCE = 1e-9


def check(path):
    tensors, meta = safetensors_min.read(path)
    cell = meta["cell"]
    whh = tensors["weight_hh_l0"]
    hidden, inp = whh.shape[1], tensors["weight_ih_l0"].shape[1]
    module = {"rnn": lambda: torch.nn.RNN(inp, hidden, nonlinearity=meta.get("nonlinearity", "tanh")),
              "lstm": lambda: torch.nn.LSTM(inp, hidden),
              "gru": lambda: torch.nn.GRU(inp, hidden)}[cell]().double()
    state = {k: torch.from_numpy(v).double() for k, v in tensors.items() if not k.startswith("fixture.")}
    module.load_state_dict(state, strict=True)
    x = torch.from_numpy(tensors["fixture.x"]).double()
    h0 = torch.from_numpy(tensors["fixture.h0"]).double()[None]
    with torch.no_grad():
        if cell == "lstm":
            c0 = torch.from_numpy(tensors["fixture.c0"]).double()[None]
            out, (hn, cn) = module(x, (h0, c0))
        else:
            out, hn = module(x, h0)
            cn = None
    errors = {"output": (out - torch.from_numpy(tensors["fixture.output"])).abs().max().item(),
              "h_n": (hn[0] - torch.from_numpy(tensors["fixture.h_n"])).abs().max().item()}
    if cn is not None:
        errors["c_n"] = (cn[0] - torch.from_numpy(tensors["fixture.c_n"])).abs().max().item()
    worst = max(errors.values())
    status = "ok" if worst <= TOLERANCE else "FAIL"
    print(f"{status} {os.path.basename(path)}: " + ", ".join(f"{k} max abs err {v:.2e}" for k, v in errors.items()))
    return worst <= TOLERANCE


def main():
    torch.set_num_threads(1)
    folder = sys.argv[1] if len(sys.argv) > 1 else "."
    files = sorted(f for f in os.listdir(folder) if f.endswith(".safetensors"))
    if not files:
        print(f"no .safetensors files in {folder}")
        return 1
    ok = all([check(os.path.join(folder, f)) for f in files])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
