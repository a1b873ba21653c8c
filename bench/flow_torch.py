#!/usr/bin/python3
"""Flow profile with torch.autograd: the reference the C# FlowProfile is timed against.

What it computes, for one sequence (batch 1, float64, zero initial state, weights U(-1/sqrt(H), 1/sqrt(H)) as
PyTorch initialises nn.RNN/nn.LSTM, inputs N(0, 1), input size 16 -- the set-up of RnnLab.Analysis.FlowBenchmark;
the random numbers differ, the statistics do not):

  1. the forward pass with torch.nn.RNNCell / LSTMCell (tanh RNN; LSTM with state s = (h, c));
  2. for every step t the step Jacobian J_t = ds_t/ds_{t-1} by torch.autograd.functional.jacobian
     (vectorize=True: one batched reverse pass per step), [H, H] for the RNN, [2H, 2H] for the LSTM;
  3. the running product P_k = P_{k-1} @ J_{T-k+1} (k = 1..T-1), renormalised every step with its log-scale
     accumulated, so that T = 10,000 does not underflow;
  4. at every k the norms of dh_T/dh_{T-k} (the h-block of P_k for the LSTM): Frobenius, and spectral either by
     torch.linalg.matrix_norm(ord=2) (an SVD per step, --norm svd, the default) or by a warm-started power
     iteration (--norm power, cheaper, the same trick as the C# code);
  5. the first 4 Lyapunov exponents by QR iteration (torch.linalg.qr of J_t Q every step).

It does the full product (T matrix products of size S^3) that the C# code avoids once the product's numerical
rank has fallen; the results agree to the printed digits (see BENCHMARKS.md).

Usage: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/flow_torch.py rnn 256 10000 [--norm svd|power] [--limit K]
--limit K stops after K steps of the sweep and extrapolates the time linearly (the per-step cost is constant).
"""
import argparse
import math
import time

import torch

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)

p = argparse.ArgumentParser()
p.add_argument("cell", choices=["rnn", "lstm"])
p.add_argument("hidden", type=int)
p.add_argument("seq", type=int)
p.add_argument("--norm", choices=["svd", "power"], default="svd")
p.add_argument("--limit", type=int, default=0)
p.add_argument("--seed", type=int, default=1)
p.add_argument("--load", help="directory with weight_ih.bin, weight_hh.bin, bias_ih.bin, bias_hh.bin, x.bin (float64) "
               "written by bench/FlowTiming, to compare numbers with the C# run on identical weights and inputs")
args = p.parse_args()

H, T, I = args.hidden, args.seq, 16
torch.manual_seed(args.seed)
cell = (torch.nn.RNNCell(I, H) if args.cell == "rnn" else torch.nn.LSTMCell(I, H)).double()
x = torch.randn(T, I)
if args.load:
    import numpy as np
    rd = lambda name: torch.from_numpy(np.fromfile(f"{args.load}/{name}", dtype="<f8"))
    with torch.no_grad():
        cell.weight_ih.copy_(rd("weight_ih.bin").view_as(cell.weight_ih))
        cell.weight_hh.copy_(rd("weight_hh.bin").view_as(cell.weight_hh))
        cell.bias_ih.copy_(rd("bias_ih.bin"))
        cell.bias_hh.copy_(rd("bias_hh.bin"))
    x = rd("x.bin").view(T, I)

t0 = time.perf_counter()
with torch.no_grad():
    hs = [torch.zeros(H)]
    cs = [torch.zeros(H)]
    for t in range(T):
        if args.cell == "rnn":
            hs.append(cell(x[t:t + 1], hs[-1].unsqueeze(0))[0])
        else:
            h, c = cell(x[t:t + 1], (hs[-1].unsqueeze(0), cs[-1].unsqueeze(0)))
            hs.append(h[0]); cs.append(c[0])
S = H if args.cell == "rnn" else 2 * H


def step_jacobian(t):
    """J_t = ds_t/ds_{t-1}, t = 1..T, by autograd."""
    xt = x[t - 1:t]
    if args.cell == "rnn":
        f = lambda s: cell(xt, s.unsqueeze(0))[0]
        return torch.autograd.functional.jacobian(f, hs[t - 1], vectorize=True)
    def f(s):
        h, c = cell(xt, (s[:H].unsqueeze(0), s[H:].unsqueeze(0)))
        return torch.cat([h[0], c[0]])
    return torch.autograd.functional.jacobian(f, torch.cat([hs[t - 1], cs[t - 1]]), vectorize=True)


steps = T - 1 if args.limit <= 0 else min(args.limit, T - 1)
P = torch.eye(S)
log_scale = 0.0
log10_spec = [0.0]
log10_fro = [0.5 * math.log10(H)]
Q = torch.linalg.qr(torch.randn(S, 4))[0]
lyap = torch.zeros(4)
v = torch.ones(H) / math.sqrt(H)
for k in range(1, steps + 1):
    t = T - k + 1
    J = step_jacobian(t)
    P = P @ J
    n = torch.linalg.matrix_norm(P).item()
    P /= n
    log_scale += math.log(n)
    X = P[:H, :H]
    fro = torch.linalg.matrix_norm(X).item()
    if args.norm == "svd":
        spec = torch.linalg.matrix_norm(X, ord=2).item()
    else:
        prev = 0.0
        for _ in range(300):
            w = X.T @ v
            ray = torch.dot(w, w).item()
            v = X @ w
            v /= torch.linalg.vector_norm(v)
            if ray - prev <= 1e-12 * ray:
                break
            prev = ray
        spec = math.sqrt(ray)
    log10_spec.append((math.log(spec) + log_scale) / math.log(10))
    log10_fro.append((math.log(fro) + log_scale) / math.log(10))
    # Lyapunov exponents along the forward product J_t Q (the order does not change the exponents).
    Q, R = torch.linalg.qr(J @ Q)
    lyap += torch.log(torch.abs(torch.diagonal(R)))
elapsed = time.perf_counter() - t0
total = elapsed * (T - 1) / steps if steps < T - 1 else elapsed

print(f"torch {torch.__version__} {args.cell} hidden {H} seq {T} norm {args.norm}: "
      f"{elapsed:.2f} s for {steps} steps" + (f", extrapolated to {T - 1}: {total:.1f} s" if steps < T - 1 else ""))
ks = [k for k in (1, 10, 100, 1000, T - 1) if k <= steps]
print("  log10 spectral at k =", ks, ":", ", ".join(f"{log10_spec[k]:.4f}" for k in ks))
print("  log10 Frobenius at k =", ks, ":", ", ".join(f"{log10_fro[k]:.4f}" for k in ks))
if args.load:
    import os
    import numpy as np
    f = f"{args.load}/log10_spectral_norm.bin"
    if os.path.exists(f):
        cs = np.fromfile(f, dtype="<f8")[:steps + 1]
        cf = np.fromfile(f"{args.load}/log10_frobenius_norm.bin", dtype="<f8")[:steps + 1]
        ds = np.abs(cs - np.array(log10_spec)); df = np.abs(cf - np.array(log10_fro))
        print(f"  vs C# on the same weights, k = 0..{steps}: max |d log10 spectral| {ds.max():.2e} (at k = {ds.argmax()}), "
              f"max |d log10 Frobenius| {df.max():.2e} (at k = {df.argmax()})")
lam = sorted((lyap / steps).tolist(), reverse=True)
print("  lambda =", ", ".join(f"{l:.5f}" for l in lam), f"effective rho {math.exp(lam[0]):.5f}")
