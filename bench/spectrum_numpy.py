"""The work of `rnnlab spectrum --hidden H` in NumPy: all eigenvalues and all singular values of one H×H matrix.

W is drawn as PyTorch (and `rnnlab spectrum --init pytorch`, the default) draws torch.nn.RNN's weight_hh:
uniform on [-1/sqrt(H), 1/sqrt(H)], so both sides decompose a matrix of the same size and distribution.
np.linalg.eigvals is LAPACK's dgeev without eigenvectors, np.linalg.svd(compute_uv=False) is dgesdd with jobz='N',
the calls rnnlab makes. Prints one JSON line: the seconds of each and the BLAS threads NumPy's OpenBLAS uses.
Usage: python3 bench/spectrum_numpy.py [H] [SEED]
"""
import ctypes
import json
import os
import sys
import time

import numpy as np

hidden = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
bound = 1 / np.sqrt(hidden)
w = np.random.default_rng(seed).uniform(-bound, bound, (hidden, hidden))

t0 = time.perf_counter()
eigenvalues = np.linalg.eigvals(w)
t1 = time.perf_counter()
singular_values = np.linalg.svd(w, compute_uv=False)
t2 = time.perf_counter()


def openblas_threads():
    """OpenBLAS's thread count, asked of the LAPACK NumPy loaded (None when it is not OpenBLAS)."""
    try:
        return ctypes.CDLL("liblapack.so.3").openblas_get_num_threads()
    except (OSError, AttributeError):
        return None


print(json.dumps({
    "hidden": hidden,
    "eigvals_s": t1 - t0,
    "svd_s": t2 - t1,
    "spectral_radius": float(np.abs(eigenvalues).max()),
    "spectral_norm": float(singular_values[0]),
    "numpy": np.__version__,
    "openblas_threads": openblas_threads(),
    "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
    "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
}))
