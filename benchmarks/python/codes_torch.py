"""What a researcher would write instead of `workbench codes --packed` (issue 3's baseline).

The sample CNN (conv 8, maxpool, conv 16, maxpool, fc 64, fc 10; 7,408 ReLU bits) in PyTorch with
the ONNX file's weights, forward hooks on the three ReLUs, inputs from an .npy file in batches,
codes "ReLU output > 0" concatenated in graph order and packed with numpy.packbits(axis=1), saved
as uint8 [n, 926]: the layout `workbench codes --packed` writes.

  python codes_torch.py MODEL.onnx X.npy OUT.npy [--batch 1000] [--threads 2]
Prints the time of the loop and of the whole script (imports included).
"""
import argparse
import time

T0 = time.perf_counter()
import numpy as np
import torch

from cnn import Cnn


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("inputs")
    ap.add_argument("out")
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    net = Cnn(args.model).eval()
    x = np.load(args.inputs, mmap_mode="r")
    n = x.shape[0]
    codes = []
    for m in (net.relu1, net.relu2, net.relu3):
        m.register_forward_hook(lambda mod, i, o: codes.append((o > 0).flatten(1)))
    out = None
    t1 = time.perf_counter()
    with torch.no_grad():
        for b0 in range(0, n, args.batch):
            xb = torch.from_numpy(np.array(x[b0:b0 + args.batch])).reshape(-1, 1, 28, 28)  # a copy: the memory map is read-only
            codes.clear()
            net(xb)
            packed = np.packbits(torch.cat(codes, dim=1).numpy(), axis=1)
            if out is None:
                out = np.empty((n, packed.shape[1]), dtype=np.uint8)
            out[b0:b0 + len(packed)] = packed
    t2 = time.perf_counter()
    np.save(args.out, out)
    print("codes of %d inputs, %d bytes each: loop %.2f s, script %.2f s incl. imports, weights, save"
          % (n, out.shape[1], t2 - t1, time.perf_counter() - T0))


if __name__ == "__main__":
    main()
