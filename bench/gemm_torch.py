"""GFLOPS of PyTorch's float32 matmul (OpenBLAS on CPU) at the GEMM shapes of bench/RnnLab.Bench `gemm`.

    /usr/bin/python3 bench/gemm_torch.py --threads 1
    /usr/bin/python3 bench/gemm_torch.py --threads 2

torch.mm on CPU is one OpenBLAS sgemm call, and OpenBLAS threads it itself: --threads K sets
OPENBLAS_NUM_THREADS=K (before torch is imported) and keeps torch's own pool at one thread, so the two pools never
oversubscribe the cores. Operands are laid out as RnnLab stores them (row-major, op(A)·op(B) with transposed views), and the product is
written into a preallocated output, so both sides time the same work. Keeps the fastest of several batches.
"""
import argparse
import os
import time

SHAPES = [  # (opA, opB, m, n, k, use)
    ("N", "T", 32, 128, 128, "h·W_hhᵀ, H=128 RNN"),
    ("N", "T", 32, 512, 128, "h·W_hhᵀ, H=128 LSTM"),
    ("N", "N", 32, 128, 512, "dz·W_hh, H=128 LSTM"),
    ("T", "N", 512, 128, 6400, "dW_hh, H=128 LSTM, T·B=6400"),
    ("N", "T", 64, 2048, 512, "h·W_hhᵀ, H=512 LSTM"),
    ("T", "N", 2048, 512, 6400, "dW_hh, H=512 LSTM, T·B=6400"),
    ("N", "T", 6400, 512, 64, "x·W_ihᵀ, H=128 LSTM, I=64"),
    ("N", "N", 6400, 64, 512, "dx = dz·W_ih, H=128 LSTM"),
    ("T", "N", 512, 64, 6400, "dW_ih, H=128 LSTM"),
]


def seconds_per_call(fn, seconds):
    t0 = time.perf_counter()
    reps = 0
    while time.perf_counter() - t0 < min(0.05, seconds / 4) or reps < 3:
        fn()
        reps += 1
    per = (time.perf_counter() - t0) / reps
    batch = max(1, int(0.01 / per))
    best = float("inf")
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        t = time.perf_counter()
        for _ in range(batch):
            fn()
        best = min(best, (time.perf_counter() - t) / batch)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=0.25)
    args = ap.parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    import torch  # after OPENBLAS_NUM_THREADS is set: OpenBLAS reads it when the library loads

    torch.set_num_threads(1)
    torch.manual_seed(1)
    print(f"GEMM float32, PyTorch {torch.__version__}, OpenBLAS threads={args.threads}")
    print(f"{'op':<3} {'m':>5} {'n':>5} {'k':>5}  {'GFLOPS':>7}  use")
    for op_a, op_b, m, n, k, use in SHAPES:
        a = torch.rand(m, k) * 2 - 1 if op_a == "N" else torch.rand(k, m) * 2 - 1
        b = torch.rand(k, n) * 2 - 1 if op_b == "N" else torch.rand(n, k) * 2 - 1
        a_op = a if op_a == "N" else a.t()
        b_op = b if op_b == "N" else b.t()
        c = torch.empty(m, n)
        t = seconds_per_call(lambda: torch.mm(a_op, b_op, out=c), args.seconds)
        print(f"{op_a}{op_b}  {m:5d} {n:5d} {k:5d}  {2.0 * m * n * k / t / 1e9:7.1f}  {use}")


if __name__ == "__main__":
    main()
