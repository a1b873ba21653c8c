"""Checks that PyTorch reads RnnLab-written weights and computes what RnnLab computed.

    dotnet test --filter "FullyQualifiedName~SafeTensorsExportTests"
    /usr/bin/python3 tests/RnnLab.Tests/Fixtures/check_load.py tests/RnnLab.Tests/bin/Debug/net10.0/rnnlab-written

The test writes <cell>.safetensors files (weights saved by SafeTensors.Save as F32, plus fixture.x, fixture.h0,
fixture.c0 and RnnLab's float64 forward pass as fixture.output / fixture.h_n / fixture.c_n). This script loads
the weights into torch.nn.RNN / LSTM / GRU with load_state_dict(strict=True), runs the same input in float64
and exits non-zero if any output differs by more than 1e-9 or a file is missing. num_layers, bidirectional and
proj_size are read off the tensor names (weight_ih_l1, ..._reverse, weight_hr_l0); h0/c0 are [B, H] for one
layer or PyTorch's [L*D, B, S]. A file with readout.weight/readout.bias also loads them into torch.nn.Linear
(strict=True) and compares fixture.readout = readout(output[-1]).
"""
import os
import sys

import torch

import safetensors_min

TOLERANCE = 1e-9


def check(path):
    tensors, meta = safetensors_min.read(path)
    cell = meta["cell"]
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    hidden, inp = tensors["weight_hh_l0"].shape[0] // gates, tensors["weight_ih_l0"].shape[1]
    layers = 1 + max(int(k.split("_l")[1].split("_")[0]) for k in tensors if k.startswith("weight_ih_l"))
    options = dict(num_layers=layers, bidirectional="weight_ih_l0_reverse" in tensors)
    if "weight_hr_l0" in tensors:
        options["proj_size"] = tensors["weight_hr_l0"].shape[0]
    module = {"rnn": lambda: torch.nn.RNN(inp, hidden, nonlinearity=meta.get("nonlinearity", "tanh"), **options),
              "lstm": lambda: torch.nn.LSTM(inp, hidden, **options),
              "gru": lambda: torch.nn.GRU(inp, hidden, **options)}[cell]().double()
    state = {k: torch.from_numpy(v).double() for k, v in tensors.items() if not k.startswith(("fixture.", "readout."))}
    module.load_state_dict(state, strict=True)

    def initial(name):
        t = torch.from_numpy(tensors[name]).double()
        return t[None] if t.dim() == 2 else t

    x = torch.from_numpy(tensors["fixture.x"]).double()
    h0 = initial("fixture.h0")
    with torch.no_grad():
        if cell == "lstm":
            out, (hn, cn) = module(x, (h0, initial("fixture.c0")))
        else:
            out, hn = module(x, h0)
            cn = None
    expected_hn = torch.from_numpy(tensors["fixture.h_n"])
    errors = {"output": (out - torch.from_numpy(tensors["fixture.output"])).abs().max().item(),
              "h_n": (hn.reshape(expected_hn.shape) - expected_hn).abs().max().item()}
    if cn is not None:
        expected_cn = torch.from_numpy(tensors["fixture.c_n"])
        errors["c_n"] = (cn.reshape(expected_cn.shape) - expected_cn).abs().max().item()
    if "readout.weight" in tensors:
        weight = tensors["readout.weight"]
        readout = torch.nn.Linear(weight.shape[1], weight.shape[0]).double()
        readout.load_state_dict({k[len("readout."):]: torch.from_numpy(v).double()
                                 for k, v in tensors.items() if k.startswith("readout.")}, strict=True)
        with torch.no_grad():
            errors["readout"] = (readout(out[-1]) - torch.from_numpy(tensors["fixture.readout"])).abs().max().item()
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
