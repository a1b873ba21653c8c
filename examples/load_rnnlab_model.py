"""Load RnnLab's model.safetensors into PyTorch (no safetensors package needed) and run it.

    python3 load_rnnlab_model.py RUN/model.safetensors [x.npy y.npy]
"""
import json
import struct
import sys

import numpy as np
import torch


def read_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta, data = header.pop("__metadata__", {}), raw[8 + n:]
    dtypes = {"F32": "<f4", "F64": "<f8"}
    return {name: torch.from_numpy(np.frombuffer(data[e["data_offsets"][0]:e["data_offsets"][1]],
                                                 dtype=dtypes[e["dtype"]]).reshape(e["shape"]).copy())
            for name, e in header.items()}, meta


state, meta = read_safetensors(sys.argv[1])
rnn_state = {k: v for k, v in state.items() if not k.startswith("fc.")}
proj = int(meta["proj_size"])
hidden = rnn_state["weight_hr_l0"].shape[1] if proj else rnn_state["weight_hh_l0"].shape[1]
options = dict(num_layers=int(meta["num_layers"]), bidirectional=meta["bidirectional"] == "true")
if meta["cell"] == "rnn":
    options["nonlinearity"] = meta["nonlinearity"]
if proj:
    options["proj_size"] = proj
cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[meta["cell"]]
rnn = cls(rnn_state["weight_ih_l0"].shape[1], hidden, **options)
rnn.load_state_dict(rnn_state, strict=True)
if "fc.weight" in state:
    fc = torch.nn.Linear(state["fc.weight"].shape[1], state["fc.weight"].shape[0])
    fc.load_state_dict({"weight": state["fc.weight"], "bias": state["fc.bias"]}, strict=True)
print("loaded", rnn, "with the head" if "fc.weight" in state else "")
if len(sys.argv) > 3:
    with torch.no_grad():
        y, _ = rnn.double()(torch.from_numpy(np.load(sys.argv[2])).double())
    np.save(sys.argv[3], y.numpy())
