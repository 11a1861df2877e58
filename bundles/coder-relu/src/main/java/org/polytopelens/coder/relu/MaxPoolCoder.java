package org.polytopelens.coder.relu;

import java.util.Arrays;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.polytopelens.api.ActivationCoder;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.GateKind;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;

/**
 * Hard codes of MaxPool sites: for every OUTPUT element, the index of the winning input within
 * its window, in row-major window order ({@code (kd * kH + kh) * kW + kw}; padded positions are
 * numbered too but never win), written as {@code b = ceil(log2(window size))} bits, least
 * significant first, groups neuron-major (output element {@code j} owns bits {@code [j b, j b + b)}).
 * A point's MaxPool code fixes which input each output copies: the pool's linear piece.
 *
 * <p>Site convention (shared with the backends): the site's pre-activation is the pool's INPUT
 * {@code [C, spatial...]} (the coder needs every candidate), its {@code shape} is that input's,
 * and its {@code neurons} counts OUTPUT elements, so {@code neurons * bitsPerNeuron} is the code
 * width the encoder lays out. 1-, 2- and 3-D pooling; attributes {@code kernel_shape} (required),
 * {@code strides}, {@code pads}, {@code dilations}, {@code ceil_mode}, {@code auto_pad} as in ONNX
 * ({@code storage_order} only changes ONNX's Indices output, not the window index).
 *
 * <p>Ties go to the first index in window order (so 0.0 and -0.0 tie). NaN never beats a number;
 * a window of NaNs only (or -inf only) gives its first in-bounds position; a window wholly in the
 * padding, which valid ONNX pads exclude, gives 0. Hamming distance between two codes counts
 * differing index bits, not moved winners.
 */
@Component(service = ActivationCoder.class)
@Designate(ocd = MaxPoolCoder.Config.class)
public final class MaxPoolCoder implements ActivationCoder {
    static final Set<String> KNOWN = Set.of("MaxPool");

    @ObjectClassDefinition(name = "MaxPool hard spline codes",
            description = "Codes MaxPool sites: the winning input's index within each output's window, ceil(log2(window size)) bits per output.")
    public @interface Config {
        @AttributeDefinition(name = "Ops", description = "The ops this coder claims: MaxPool, or none to leave pools uncoded.", required = false)
        String[] ops() default {"MaxPool"};
    }

    private final Set<String> ops;

    @Activate
    public MaxPoolCoder(Config config) {
        this.ops = Packing.ops("maxpool", config.ops(), KNOWN);
    }

    public MaxPoolCoder() {
        this.ops = KNOWN;
    }

    @Override
    public String id() {
        return "maxpool";
    }

    @Override
    public String name() {
        return "MaxPool hard spline codes";
    }

    @Override
    public String description() {
        return "For every output of a MaxPool site, the index of the winning input in its window (ceil(log2(window)) bits). "
                + "Coded when the site is named.";
    }

    @Override
    public boolean supports(ActivationSite site) {
        return site.kind() == GateKind.HARD && ops.contains(site.op()) && site.attributes().get("kernel_shape") instanceof long[] k && k.length >= 1
                && k.length <= 3;
    }

    @Override
    public int bitsPerNeuron(ActivationSite site) {
        return bitsFor(windowSize(kernel(site)));
    }

    /** Bits to write an index in {@code [0, window)}: ceil(log2(window)), 0 for a window of one. */
    static int bitsFor(long window) {
        return window <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(window - 1);
    }

    @Override
    public SplineCodes hard(ActivationSite site, Tensor pre) {
        Geometry g = Geometry.of(site, pre.shape());
        int n = pre.rows();
        long outputs = g.channels * g.out[0] * g.out[1] * g.out[2];
        if (site.neurons() >= 0 && site.neurons() != outputs) {
            throw new IllegalArgumentException("MaxPool site '" + site.name() + "' has " + site.neurons() + " output neurons but pooling its input "
                    + Arrays.toString(pre.shape()) + " with " + g + " gives " + outputs);
        }
        int b = bitsFor(g.window);
        int bits = Math.toIntExact(outputs * b);
        int wpr = SplineCodes.wordsPerRow(bits);
        long[] words = new long[Math.multiplyExact(n, wpr)];
        if (b == 0) {
            return new SplineCodes(n, 0, words);
        }
        float[] d = pre.data();
        int inD = g.in[0], inH = g.in[1], inW = g.in[2];
        int kD = g.k[0], kH = g.k[1], kW = g.k[2];
        int rowSize = pre.rowSize();
        for (int r = 0; r < n; r++) {
            int wordBase = r * wpr;
            long pos = 0;
            for (int c = 0; c < g.channels; c++) {
                int plane = r * rowSize + c * inD * inH * inW;
                for (int od = 0; od < g.out[0]; od++) {
                    int d0 = od * g.s[0] - g.padBegin[0];
                    for (int oh = 0; oh < g.out[1]; oh++) {
                        int h0 = oh * g.s[1] - g.padBegin[1];
                        for (int ow = 0; ow < g.out[2]; ow++) {
                            int w0 = ow * g.s[2] - g.padBegin[2];
                            long best = 0;
                            boolean found = false;
                            float bv = 0;
                            for (int kd = 0; kd < kD; kd++) {
                                int id = d0 + kd * g.dil[0];
                                if (id < 0 || id >= inD) {
                                    continue;
                                }
                                for (int kh = 0; kh < kH; kh++) {
                                    int ih = h0 + kh * g.dil[1];
                                    if (ih < 0 || ih >= inH) {
                                        continue;
                                    }
                                    int line = plane + (id * inH + ih) * inW;
                                    for (int kw = 0; kw < kW; kw++) {
                                        int iw = w0 + kw * g.dil[2];
                                        if (iw < 0 || iw >= inW) {
                                            continue;
                                        }
                                        float v = d[line + iw];
                                        // strictly greater keeps the first of equals; a number beats a NaN holder
                                        if (!found || v > bv || (bv != bv && v == v)) {
                                            found = true;
                                            bv = v;
                                            best = (kd * kH + kh) * (long) kW + kw;
                                        }
                                    }
                                }
                            }
                            int word = wordBase + (int) (pos >>> 6);
                            int shift = (int) (pos & 63);
                            words[word] |= best << shift;
                            if (shift + b > 64) {
                                words[word + 1] |= best >>> (64 - shift);
                            }
                            pos += b;
                        }
                    }
                }
            }
        }
        return new SplineCodes(n, bits, words);
    }

    private static long[] kernel(ActivationSite site) {
        if (!(site.attributes().get("kernel_shape") instanceof long[] k) || k.length < 1 || k.length > 3) {
            throw new IllegalArgumentException("MaxPool site '" + site.name() + "' needs a kernel_shape attribute of 1 to 3 dimensions (long[]); it has "
                    + site.attributes().keySet());
        }
        return k;
    }

    private static long windowSize(long[] kernel) {
        long w = 1;
        for (long k : kernel) {
            w = Math.multiplyExact(w, k);
        }
        return w;
    }

    /**
     * Pooling geometry with the spatial axes padded to three (leading axes of size 1), so 1-, 2-
     * and 3-D pools share one loop. Output sizes and pads follow the ONNX MaxPool spec.
     */
    record Geometry(int channels, int[] in, int[] k, int[] s, int[] dil, int[] padBegin, int[] out, long window) {
        static Geometry of(ActivationSite site, long[] batchShape) {
            long[] kernel = kernel(site);
            int r = kernel.length;
            if (batchShape.length != r + 2) {
                throw new IllegalArgumentException("MaxPool site '" + site.name() + "' pools " + r + " spatial axes, so its input must be [N, C"
                        + ", S".repeat(r) + "]; got " + Arrays.toString(batchShape));
            }
            long[] strides = ints(site, "strides", r, 1);
            long[] dilations = ints(site, "dilations", r, 1);
            long[] pads = ints(site, "pads", 2 * r, 0);
            boolean ceil = site.attribute("ceil_mode", 0) != 0;
            String autoPad = site.attributes().get("auto_pad") instanceof String a ? a : "NOTSET";
            int[] in = {1, 1, 1}, k = {1, 1, 1}, s = {1, 1, 1}, dil = {1, 1, 1}, pb = {0, 0, 0}, out = {1, 1, 1};
            for (int i = 0; i < r; i++) {
                int j = 3 - r + i;
                in[j] = Math.toIntExact(batchShape[2 + i]);
                k[j] = Math.toIntExact(kernel[i]);
                s[j] = Math.toIntExact(strides[i]);
                dil[j] = Math.toIntExact(dilations[i]);
                if (k[j] < 1 || s[j] < 1 || dil[j] < 1) {
                    throw new IllegalArgumentException("MaxPool site '" + site.name() + "': kernel_shape, strides and dilations must be >= 1, got "
                            + Arrays.toString(kernel) + ", " + Arrays.toString(strides) + ", " + Arrays.toString(dilations));
                }
                long extent = (long) (k[j] - 1) * dil[j] + 1;
                switch (autoPad) {
                    case "SAME_UPPER", "SAME_LOWER" -> {
                        out[j] = Math.toIntExact(ceilDiv(in[j], s[j]));
                        long total = Math.max(0, (long) (out[j] - 1) * s[j] + extent - in[j]);
                        pb[j] = (int) (autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2);
                    }
                    case "VALID" -> out[j] = Math.toIntExact(Math.max(0, ceilDiv(in[j] - extent + 1, s[j])));
                    case "NOTSET", "" -> {
                        pb[j] = Math.toIntExact(pads[i]);
                        long span = in[j] + pads[i] + pads[i + r] - extent;
                        long o = (ceil ? ceilDiv(span, s[j]) : Math.floorDiv(span, s[j])) + 1;
                        // ceil mode: a window must start inside the input or the left padding
                        if (ceil && (o - 1) * s[j] >= in[j] + pads[i]) {
                            o--;
                        }
                        out[j] = Math.toIntExact(Math.max(0, o));
                    }
                    default -> throw new IllegalArgumentException("MaxPool site '" + site.name() + "': unknown auto_pad '" + autoPad
                            + "'; valid: NOTSET, SAME_UPPER, SAME_LOWER, VALID");
                }
            }
            return new Geometry(Math.toIntExact(batchShape[1]), in, k, s, dil, pb, out, windowSize(kernel));
        }

        private static long ceilDiv(long a, long b) {
            return -Math.floorDiv(-a, b);
        }

        private static long[] ints(ActivationSite site, String key, int n, long fallback) {
            Object v = site.attributes().get(key);
            if (v == null) {
                long[] a = new long[n];
                Arrays.fill(a, fallback);
                return a;
            }
            if (!(v instanceof long[] a) || a.length != n) {
                throw new IllegalArgumentException("MaxPool site '" + site.name() + "': " + key + " must be " + n + " integers (long[]), got "
                        + (v instanceof long[] l ? Arrays.toString(l) : v));
            }
            return a;
        }

        @Override
        public String toString() {
            return "kernel " + Arrays.toString(k) + ", strides " + Arrays.toString(s) + ", dilations " + Arrays.toString(dil) + ", begin pads "
                    + Arrays.toString(padBegin) + " (D, H, W)";
        }
    }
}
