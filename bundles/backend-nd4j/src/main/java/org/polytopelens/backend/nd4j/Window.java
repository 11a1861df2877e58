package org.polytopelens.backend.nd4j;

import java.util.Arrays;
import org.polytopelens.backend.nd4j.Graph.Node;
import org.polytopelens.onnx.proto.Onnx.AttributeProto;

/**
 * The sliding-window geometry of a {@code Conv}, {@code MaxPool} or {@code AveragePool} node over
 * 1 to 3 spatial axes, by ONNX's rules ({@code kernel_shape}, {@code strides}, {@code pads},
 * {@code dilations}, {@code auto_pad}, {@code ceil_mode}). Window positions are numbered in
 * row-major window order ({@code (kd * kH + kh) * kW + kw}), as the MaxPool coder numbers them.
 *
 * @param in spatial input sizes
 * @param k kernel sizes
 * @param s strides
 * @param dil dilations
 * @param padBegin pads before each axis
 * @param padEnd pads after each axis (what explicit padding must add; ceil mode may read beyond)
 * @param out spatial output sizes
 */
record Window(int[] in, int[] k, int[] s, int[] dil, int[] padBegin, int[] padEnd, int[] out) {

    /**
     * The geometry of node {@code n} on an input of spatial sizes {@code spatial}; {@code kernel}
     * is the node's kernel_shape (for Conv, the weight's spatial shape).
     */
    static Window of(Node n, long[] spatial, long[] kernel) {
        int r = spatial.length;
        if (r < 1 || r > 3 || kernel.length != r) {
            throw new IllegalArgumentException(n.op() + " node '" + n.name() + "': kernel " + Arrays.toString(kernel)
                    + " does not fit an input with spatial axes " + Arrays.toString(spatial) + " (1 to 3 spatial axes)");
        }
        long[] strides = ints(n, "strides", r, 1);
        long[] dilations = ints(n, "dilations", r, 1);
        long[] pads = ints(n, "pads", 2 * r, 0);
        boolean ceil = n.intAttr("ceil_mode", 0) != 0;
        AttributeProto a = n.attributes().get("auto_pad");
        String autoPad = a == null ? "NOTSET" : a.getS().toStringUtf8();
        int[] in = new int[r], k = new int[r], s = new int[r], dil = new int[r], pb = new int[r], pe = new int[r], out = new int[r];
        for (int i = 0; i < r; i++) {
            in[i] = Math.toIntExact(spatial[i]);
            k[i] = Math.toIntExact(kernel[i]);
            s[i] = Math.toIntExact(strides[i]);
            dil[i] = Math.toIntExact(dilations[i]);
            if (in[i] < 1 || k[i] < 1 || s[i] < 1 || dil[i] < 1) {
                throw new IllegalArgumentException(n.op() + " node '" + n.name() + "': input " + Arrays.toString(spatial) + ", kernel "
                        + Arrays.toString(kernel) + ", strides " + Arrays.toString(strides) + " and dilations "
                        + Arrays.toString(dilations) + " must all be >= 1");
            }
            long extent = (long) (k[i] - 1) * dil[i] + 1;
            switch (autoPad) {
                case "SAME_UPPER", "SAME_LOWER" -> {
                    out[i] = Math.toIntExact(ceilDiv(in[i], s[i]));
                    long total = Math.max(0, (long) (out[i] - 1) * s[i] + extent - in[i]);
                    pb[i] = (int) (autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2);
                    pe[i] = (int) (total - pb[i]);
                }
                case "VALID" -> out[i] = Math.toIntExact(Math.max(0, ceilDiv(in[i] - extent + 1, s[i])));
                case "NOTSET", "" -> {
                    pb[i] = Math.toIntExact(pads[i]);
                    pe[i] = Math.toIntExact(pads[i + r]);
                    long span = in[i] + pads[i] + pads[i + r] - extent;
                    long o = (ceil ? ceilDiv(span, s[i]) : Math.floorDiv(span, s[i])) + 1;
                    // ceil mode: a window must start inside the input or the left padding
                    if (ceil && (o - 1) * s[i] >= in[i] + pads[i]) {
                        o--;
                    }
                    out[i] = Math.toIntExact(Math.max(0, o));
                }
                default -> throw new IllegalArgumentException(n.op() + " node '" + n.name() + "': unknown auto_pad '" + autoPad
                        + "'; valid: NOTSET, SAME_UPPER, SAME_LOWER, VALID");
            }
            if (out[i] < 1) {
                throw new IllegalArgumentException(n.op() + " node '" + n.name() + "': kernel " + Arrays.toString(kernel)
                        + " with dilations " + Arrays.toString(dilations) + " is larger than its padded input " + Arrays.toString(spatial));
            }
        }
        return new Window(in, k, s, dil, pb, pe, out);
    }

    int rank() {
        return in.length;
    }

    /** Elements of one spatial input plane. */
    int inputs() {
        return Arrays.stream(in).reduce(1, (x, y) -> x * y);
    }

    /** Elements of one spatial output plane. */
    int outputs() {
        return Arrays.stream(out).reduce(1, (x, y) -> x * y);
    }

    /** Positions in one window. */
    int size() {
        return Arrays.stream(k).reduce(1, (x, y) -> x * y);
    }

    boolean padded() {
        return Arrays.stream(padBegin).anyMatch(p -> p != 0) || Arrays.stream(padEnd).anyMatch(p -> p != 0);
    }

    /**
     * For output {@code o} (flat, C order over the output plane) and window position {@code w},
     * entry {@code o * size() + w} is the flat offset of the input it reads in the input plane,
     * or -1 where the window lies in the padding.
     */
    int[] table() {
        int r = rank();
        int size = size();
        int[] t = new int[outputs() * size];
        int[] o = new int[r];
        int[] w = new int[r];
        for (int oi = 0; oi < outputs(); oi++) {
            Arrays.fill(w, 0);
            for (int wi = 0; wi < size; wi++) {
                int flat = 0;
                boolean inside = true;
                for (int i = 0; i < r; i++) {
                    int p = o[i] * s[i] - padBegin[i] + w[i] * dil[i];
                    inside &= p >= 0 && p < in[i];
                    flat = flat * in[i] + p;
                }
                t[oi * size + wi] = inside ? flat : -1;
                increment(w, k);
            }
            increment(o, out);
        }
        return t;
    }

    /** The positions of the padded input a window covers, for count_include_pad (ceil mode may reach past the pads). */
    int[] paddedCounts() {
        int r = rank();
        int size = size();
        int[] c = new int[outputs()];
        int[] o = new int[r];
        int[] w = new int[r];
        for (int oi = 0; oi < c.length; oi++) {
            Arrays.fill(w, 0);
            for (int wi = 0; wi < size; wi++) {
                boolean inside = true;
                for (int i = 0; i < r; i++) {
                    int p = o[i] * s[i] - padBegin[i] + w[i] * dil[i];
                    inside &= p >= -padBegin[i] && p < in[i] + padEnd[i];
                }
                c[oi] += inside ? 1 : 0;
                increment(w, k);
            }
            increment(o, out);
        }
        return c;
    }

    /** Row-major increment of a multi-index. */
    private static void increment(int[] idx, int[] bound) {
        for (int i = idx.length - 1; i >= 0; i--) {
            if (++idx[i] < bound[i]) {
                return;
            }
            idx[i] = 0;
        }
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    private static long[] ints(Node n, String key, int count, long fallback) {
        AttributeProto a = n.attributes().get(key);
        if (a == null) {
            long[] v = new long[count];
            Arrays.fill(v, fallback);
            return v;
        }
        long[] v = a.getIntsList().stream().mapToLong(Long::longValue).toArray();
        if (v.length != count) {
            throw new IllegalArgumentException(n.op() + " node '" + n.name() + "': " + key + " must have " + count + " values, got "
                    + Arrays.toString(v));
        }
        return v;
    }

    @Override
    public String toString() {
        return "kernel " + Arrays.toString(k) + ", strides " + Arrays.toString(s) + ", dilations " + Arrays.toString(dil) + ", pads "
                + Arrays.toString(padBegin) + "/" + Arrays.toString(padEnd) + " on " + Arrays.toString(in) + " -> " + Arrays.toString(out);
    }
}
