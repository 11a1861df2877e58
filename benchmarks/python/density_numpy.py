"""What a researcher would write instead of the density analysis' pair loop (issue 4's baseline).

n points of 784 floats and their 7,408-bit codes (seeded random, as DensityBenchmark), all pairs:
Hamming distance over Euclidean distance, both as matrices (Gram form on BLAS, the codes as 0/1
float32 so that the Hamming matrix is two matrix products), then the mean over the upper triangle.
Memory O(n^2): at n = 20,000 the matrices alone are 3.2 GB each.

  python density_numpy.py [n] [repeats]
"""
import sys
import time

import numpy as np

n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
rng = np.random.default_rng(7)
x = rng.random((n, 784), dtype=np.float32)
c = rng.integers(0, 2, size=(n, 7408), dtype=np.uint8).astype(np.float32)
for r in range(repeats):
    t0 = time.perf_counter()
    sq = (x * x).sum(1)
    d2 = sq[:, None] + sq[None, :] - 2 * (x @ x.T)
    h = c @ (1 - c).T
    h += h.T
    iu = np.triu_indices(n, 1)
    dens = h[iu] / np.sqrt(np.maximum(d2[iu], 0))
    m = dens.mean()
    print("n %d: %.3f s (mean raw density %.4f)" % (n, time.perf_counter() - t0, m))
