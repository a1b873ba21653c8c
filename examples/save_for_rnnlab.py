"""Save a PyTorch model's weights as a safetensors file RnnLab reads, for torch versions without the
safetensors package (with it: safetensors.torch.save_file(model.state_dict(), path)).

    python3 save_for_rnnlab.py model.safetensors
"""
import json
import struct
import sys

import torch


def write_safetensors(path, state, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, tensor in state.items():
        data = tensor.detach().float().contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


class Net(torch.nn.Module):  # your model: any module holding an nn.RNN, nn.LSTM or nn.GRU
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.GRU(3, 5, num_layers=2, bidirectional=True)
        self.fc = torch.nn.Linear(10, 2)


torch.manual_seed(0)
net = Net()
# For an nn.RNN say which nonlinearity it has: the weights cannot tell tanh from ReLU.
write_safetensors(sys.argv[1], net.state_dict(), {"nonlinearity": "tanh"})
