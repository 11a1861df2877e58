"""What a researcher would write instead of the workbench's 2D slice (issue 4's baseline).

The sample CNN (conv 8, maxpool, conv 16, maxpool, fc 64, fc 10) in PyTorch with the ONNX file's
weights, cut at pool1's output (the input of the second convolution): the plane through three
digits' points there (Gram-Schmidt basis, square grid with a margin, as the workbench's Plane), an
N x N grid, forward hooks on the downstream ReLUs (relu2, relu3) for the codes, and per pixel the
Hamming distance to its right plus lower neighbour. Rows are processed in blocks (plus the row
below), so memory stays O(N * bits).

  python slice_torch.py MODEL.onnx DIGITS.npy [N] [--out slice.npy] [--threads 2]
With --affine, the issue's hint: the first layer after the cut is affine in the grid
coordinates, so conv2's pre-activations come from three passes and the grid is fed after conv2.
Prints the time of the slice (grid to distances) and of the whole script.
"""
import argparse
import time

T0 = time.perf_counter()
import numpy as np
import torch
import torch.nn.functional as F

from cnn import Cnn


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("digits")
    ap.add_argument("n", type=int, nargs="?", default=1024)
    ap.add_argument("--examples", default="0,1,2")
    ap.add_argument("--margin", type=float, default=0.25)
    ap.add_argument("--rows", type=int, default=16, help="grid rows per forward pass")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--affine", action="store_true",
                    help="the issue's hint: conv2 is affine on the plane, so its pre-activation at a + x u + y v is"
                         " conv2(a) + x conv2'(u) + y conv2'(v) (three passes), fed after conv2")
    ap.add_argument("--out")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    net = Cnn(args.model).eval()
    x = np.load(args.digits).reshape(-1, 1, 28, 28)
    ex = [int(i) for i in args.examples.split(",")]
    codes = []
    net.relu2.register_forward_hook(lambda m, i, o: codes.append((o > 0).flatten(1)))
    net.relu3.register_forward_hook(lambda m, i, o: codes.append(o > 0))

    t1 = time.perf_counter()
    with torch.no_grad():
        a, b, c = net.upto_pool1(torch.from_numpy(x[ex])).double().flatten(1)
        u = b - a
        ab = u.norm()
        u /= ab
        v = c - a
        cu = v @ u
        v -= cu * u
        cv = v.norm()
        v /= cv
        xmin, xmax, ymin, ymax = min(0, cu), max(ab, cu), 0.0, cv
        side = max(xmax - xmin, ymax - ymin) * (1 + 2 * args.margin)
        n = args.n
        step = side / (n - 1)
        x0, y0 = (xmin + xmax) / 2 - side / 2, (ymin + ymax) / 2 + side / 2
        xs = (x0 + step * torch.arange(n, dtype=torch.float64)).float()
        shape = (-1, 8, 13, 13)
        image = np.zeros((n, n), dtype=np.float32)
        if args.affine:
            lin = lambda t: F.conv2d(t.float().reshape(1, 8, 13, 13), net.conv2.weight).double().flatten(1)[0]
            pa, pu, pv = net.conv2(a.float().reshape(1, 8, 13, 13)).double().flatten(1)[0], lin(u), lin(v)
            a, u, v = pa, pu, pv
            shape = (-1, 16, 11, 11)
        af, uf, vf = a.float(), u.float(), v.float()
        xu = xs[:, None] * uf[None, :]  # [n, dim]: the column part of every row's points
        for r0 in range(0, n, args.rows):
            r1 = min(n, r0 + args.rows)
            last = min(n - 1, r1)  # and the row below the block
            ys = (y0 - step * torch.arange(r0, last + 1, dtype=torch.float64)).float()
            pts = (af + ys[:, None] * vf)[:, None, :] + xu[None, :, :]
            codes.clear()
            (net.from_conv2 if args.affine else net.from_pool1)(pts.reshape(shape))
            code = torch.cat(codes, dim=1).reshape(last + 1 - r0, n, -1)
            d = torch.zeros(r1 - r0, n, dtype=torch.int32)
            d[:, :-1] += (code[: r1 - r0, :-1] != code[: r1 - r0, 1:]).sum(-1, dtype=torch.int32)
            below = min(r1 - r0, n - 1 - r0)
            d[:below] += (code[:below] != code[1 : below + 1]).sum(-1, dtype=torch.int32)
            image[r0:r1] = d.numpy()
    t2 = time.perf_counter()
    if args.out:
        np.save(args.out, image)
    print("slice %d x %d, %d bits: %.2f s (script %.2f s incl. imports, weights); mean %.4f, nonzero %.4f"
          % (n, n, code.shape[-1], t2 - t1, time.perf_counter() - T0, image.mean(), (image != 0).mean()))


if __name__ == "__main__":
    main()
