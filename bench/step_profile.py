#!/usr/bin/python3
"""Splits a `perf script` dump of `rnnlab bench` into the phases of a training step, by each sample's call stack.
Usage: perf script -F tid,ip,sym,dso -i perf.data | bench/step_profile.py       (bench/step_profile.sh records and calls this)
Prints the share of CPU samples per phase and per thread (caller = the training loop's own thread, worker = the
kernels' fork/join helpers). Samples before the first training step (start-up, JIT) are counted apart."""
import collections
import sys

GEMM_LEAVES = ("Gemm::", "Micro", "PackBPanel", "PackAPanel")


def phase(frames):
    """The phase of one sample; frames[0] is the leaf."""
    leaf, stack = frames[0], " | ".join(frames)
    if "TrainBenchmark" not in stack and "WorkerLoop" not in stack or "libclrjit" in stack or "ThePreStub" in stack:
        return "start-up, JIT, runtime (not a training step)"          # the JIT compiles each method at its first call
    if any(g in leaf for g in GEMM_LEAVES):
        pack = " (packing)" if "Pack" in leaf else ""
        for caller, name in (("MultiplyRecurrentBackward", "GEMM in the backward loop: dh = dpre·W_hh"),
                             ("MultiplyRecurrent", "GEMM in the forward loop: h·W_hhᵀ"),
                             ("AccumulateWeightGradient", "GEMM weight gradients dW_ih, dW_hh (whole sequence)"),
                             ("BackwardRows", "GEMM through W_hr in the backward loop (proj_size)"),
                             ("ForwardRows", "GEMM through W_hr in the forward loop (proj_size)"),
                             ("ForwardSequence", "GEMM input projection x·W_ihᵀ (whole sequence)"),
                             ("Readout", "GEMM readout"),
                             ("RecurrentLayer`1[System.Single]::Backward(", "GEMM input gradient dx = dpre·W_ih (whole sequence)"),
                             ("WorkerLoop", "GEMM on a worker thread (its caller is on the other thread)")):
            if caller in stack:
                return name + pack
        return "GEMM elsewhere" + pack
    # The bodies a fork runs on the caller and the workers alike (a part's frames sit under Parallelism's). The walks
    # through time (ForwardRows, BackwardRows: one block of batch rows each) hold the in-loop GEMMs named above and the
    # point-wise arithmetic of every step.
    for body, name in (("AddColumnSums", "bias gradients (column sums)"),
                       ("AddRowBias", "bias rows added"),
                       ("BackwardRows", "point-wise arithmetic, backward walk (gates, and each step's own loss term added)"),
                       ("ForwardRows", "point-wise gate arithmetic, forward walk")):
        if body in stack:
            return name
    if "WorkerLoop" in stack:
        return "worker spinning or waiting for a part"
    if any(w in f for f in frames[:3] for w in ("Parallelism::", "SpinWait", "SpinOnce")):
        return "fork/join on the caller"
    if "libcoreclr" in leaf:
        return "runtime (allocation, GC, type loading) inside a step"
    for caller, name in (("AccumulateWeightGradient", "transpose-add of dW"),
                         ("AddColumnSums", "bias gradients (column sums)"),
                         ("AddRowBias", "bias rows added"),
                         ("Adam", "clip + Adam"), ("Clipping", "clip + Adam"),
                         ("WalkBack", "probe ‖∂L/∂h_t‖ and dh0, after the backward walk"),
                         ("BackwardSequence", "point-wise arithmetic, backward walk (gates, and each step's own loss term added)"),
                         ("ForwardSequence", "point-wise gate arithmetic, forward walk"),
                         ("Interleave", "stack: directions interleaved / copied"),
                         ("ReverseTime", "stack: directions interleaved / copied"),
                         ("RecurrentStack", "stack: layer inputs and gradients copied"),
                         ("RecurrentLayer`1", "layer: input copied, W_hh packed"),
                         ("Losses", "loss and readout"), ("Readout", "loss and readout")):
        if caller in leaf or caller in stack:
            return name
    return "other, inside a training step"


def samples(lines):
    """(thread id, frames) per sample of the default `perf script` output: a header line, then tab-indented frames."""
    tid, frames = None, []
    for line in lines:
        if not line.strip():
            continue
        if line[0] != "\t":                                      # frames are tab-indented; a header may start with
                                                                # spaces (perf pads a short thread id)
            if frames:
                yield tid, frames
            tid, frames = line.split()[0], []
            continue
        parts = line.strip().split(" ", 1)
        frames.append(parts[1] if len(parts) > 1 else "")
    if frames:
        yield tid, frames


def main():
    by_phase, by_thread, total = collections.Counter(), collections.Counter(), 0
    threads = collections.Counter()
    rows = list(samples(sys.stdin))
    for tid, frames in rows:
        threads[tid] += 1
    caller = threads.most_common(1)[0][0] if threads else None
    for tid, frames in rows:
        p = phase(frames)
        by_phase[p] += 1
        by_thread[(p, "caller" if tid == caller else "worker")] += 1
        total += 1
    in_step = total - by_phase["start-up, JIT, runtime (not a training step)"]
    print(f"{total} samples, {in_step} inside training steps; shares below are of those")
    print("| phase | share of step samples | caller thread | worker threads |")
    print("|---|---:|---:|---:|")
    for p, n in by_phase.most_common():
        if p.startswith("start-up"):
            continue
        print(f"| {p} | {100 * n / in_step:.1f}% | {100 * by_thread[(p, 'caller')] / in_step:.1f}% | {100 * by_thread[(p, 'worker')] / in_step:.1f}% |")


if __name__ == "__main__":
    main()
