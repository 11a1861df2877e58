package org.polytopelens.coder.relu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.Model;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.GateKind;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.backend.onnx.OnnxRuntimeBackend;
import org.polytopelens.onnx.build.OnnxModelBuilder;
import org.polytopelens.onnx.proto.Onnx.ModelProto;
import org.polytopelens.onnx.proto.Onnx.TensorProto;
import org.polytopelens.onnx.proto.Onnx.TypeProto;
import org.polytopelens.onnx.proto.Onnx.ValueInfoProto;

class MaxPoolCoderTest {
    @TempDir
    Path dir;

    private final MaxPoolCoder coder = new MaxPoolCoder();

    static ActivationSite pool(long[] inShape, long outputs, Map<String, Object> attributes) {
        return new ActivationSite("pool", "MaxPool", GateKind.HARD, "x", inShape, outputs, attributes);
    }

    static ValueInfoProto typed(String name, TensorProto.DataType type) {
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.getNumber()))).build();
    }

    /** The index group of output {@code j} read back from the packed bits. */
    static long group(SplineCodes c, int row, int j, int b) {
        long v = 0;
        for (int i = 0; i < b; i++) {
            if (c.get(row, j * b + i)) {
                v |= 1L << i;
            }
        }
        return v;
    }

    /**
     * 1 x 3 x 4 input, 2x2 windows, stride 2, one pixel of padding on every side: 2 x 3 outputs of
     * 2 bits. Hand-computed winners (window index = kh * 2 + kw).
     */
    @Test
    void twoDimensionalWindowsWithPaddingTiesSignedZeroAndNaN() {
        float[] x = {
            1, 5, 5, 2,
            0, -0f, Float.NaN, 3,
            7, 7, -1, -2};
        ActivationSite s = pool(new long[] {1, 3, 4}, 6, Map.of("kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2},
                "pads", new long[] {1, 1, 1, 1}));
        assertTrue(coder.supports(s));
        assertEquals(2, coder.bitsPerNeuron(s));
        SplineCodes c = coder.hard(s, Tensor.batch(1, new long[] {1, 3, 4}, x));
        assertEquals(12, c.bits());
        // (0,0): only x[0][0] is inside -> 3; (0,1): 5 and 5 tie -> first, 2; (0,2): x[0][3] -> 2;
        // (1,0): 0 vs 7 -> 3; (1,1): -0, NaN, 7, -1 -> 2; (1,2): 3 vs -2 (rest padding) -> 0.
        long[] want = {3, 2, 2, 3, 2, 0};
        long word = 0;
        for (int j = 0; j < want.length; j++) {
            word |= want[j] << (2 * j);
        }
        assertEquals(word, c.words()[0]);
    }

    @Test
    void tiesSignedZerosNaNsAndInfinities() {
        ActivationSite s = pool(new long[] {1, 12}, 6, Map.of("kernel_shape", new long[] {2}, "strides", new long[] {2}));
        float nan = Float.NaN, inf = Float.NEGATIVE_INFINITY;
        float[] x = {-0f, 0f, 0f, -0f, nan, nan, nan, 1, inf, inf, 2, 2};
        SplineCodes c = coder.hard(s, Tensor.batch(1, new long[] {1, 12}, x));
        // -0 vs 0 tie -> 0; 0 vs -0 tie -> 0; NaN, NaN -> first (0); NaN, 1 -> 1; -inf, -inf -> 0; 2, 2 -> 0
        assertEquals(0b001000L, c.words()[0]);
    }

    /** 1-D with dilation 2: windows {0,2,4}, {1,3,5}, {2,4,6}. */
    @Test
    void oneDimensionalDilatedWindows() {
        ActivationSite s = pool(new long[] {1, 7}, 3, Map.of("kernel_shape", new long[] {3}, "dilations", new long[] {2}));
        SplineCodes c = coder.hard(s, Tensor.batch(1, new long[] {1, 7}, new float[] {0, 9, 1, 8, 2, 7, 3}));
        assertEquals(6, c.bits());
        assertEquals(2 | 0 << 2 | 2 << 4, c.words()[0]);
    }

    /** 3 bits per output (window 5), 30 outputs: groups straddle the word boundary at bit 63. */
    @Test
    void groupsStraddlingWordsAndRowsNotAMultipleOf64() {
        int len = 34, outs = 30, b = 3;
        int n = 3;
        float[] x = new float[n * len];
        Random rnd = new Random(7);
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextInt(6); // many ties
        }
        ActivationSite s = pool(new long[] {1, len}, outs, Map.of("kernel_shape", new long[] {5}));
        assertEquals(b, coder.bitsPerNeuron(s));
        SplineCodes c = coder.hard(s, Tensor.batch(n, new long[] {1, len}, x));
        assertEquals(outs * b, c.bits());
        assertEquals(2, c.wordsPerRow());
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < outs; j++) {
                int best = 0;
                for (int k = 1; k < 5; k++) {
                    if (x[r * len + j + k] > x[r * len + j + best]) {
                        best = k;
                    }
                }
                assertEquals(best, group(c, r, j, b), "row " + r + " output " + j);
            }
            assertEquals(0, c.words()[r * 2 + 1] >>> (outs * b - 64), "unused high bits are zero");
        }
    }

    @Test
    void bitsPerWindowAndMismatchesAreClearErrors() {
        assertEquals(0, MaxPoolCoder.bitsFor(1));
        assertEquals(1, MaxPoolCoder.bitsFor(2));
        assertEquals(2, MaxPoolCoder.bitsFor(4));
        assertEquals(3, MaxPoolCoder.bitsFor(5));
        assertEquals(4, MaxPoolCoder.bitsFor(9));
        ActivationSite wrong = pool(new long[] {1, 8}, 5, Map.of("kernel_shape", new long[] {2}, "strides", new long[] {2}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> coder.hard(wrong, Tensor.batch(1, new long[] {1, 8}, new float[8])));
        assertTrue(e.getMessage().contains("'pool'") && e.getMessage().contains("gives 4"), e.getMessage());
        ActivationSite rank = pool(new long[] {8}, 4, Map.of("kernel_shape", new long[] {2}, "strides", new long[] {2}));
        e = assertThrows(IllegalArgumentException.class, () -> coder.hard(rank, Tensor.batch(1, new long[] {8}, new float[8])));
        assertTrue(e.getMessage().contains("[N, C, S]"), e.getMessage());
        assertFalse(coder.supports(pool(new long[] {1, 8}, 4, Map.of())), "no kernel_shape");
        assertFalse(coder.supports(new ActivationSite("r", "Relu", GateKind.HARD, "x", new long[] {4}, 4)));
    }

    /**
     * Against ONNX Runtime: the backend finds the site (input shape, output neurons, attributes),
     * and every coded window index, mapped back to a flat input position, equals MaxPool's
     * Indices output. Random normal inputs, so no ties.
     */
    @Test
    void winnersEqualOnnxRuntimeIndicesForManyGeometries() throws Exception {
        List<Map<String, Object>> geometries = List.of(
                Map.of("kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}),
                Map.of("kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2}, "ceil_mode", 1L),
                Map.of("kernel_shape", new long[] {3, 2}, "strides", new long[] {1, 2}, "dilations", new long[] {2, 1}, "pads", new long[] {0, 1, 2, 0}),
                Map.of("kernel_shape", new long[] {2, 3}, "strides", new long[] {2, 2}, "auto_pad", "SAME_UPPER"),
                Map.of("kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 1}, "auto_pad", "SAME_LOWER"),
                Map.of("kernel_shape", new long[] {2, 2}, "auto_pad", "VALID"),
                Map.of("kernel_shape", new long[] {4}, "strides", new long[] {3}, "pads", new long[] {1, 0}, "ceil_mode", 1L),
                // ceil mode would add a window starting in the right padding: dropped (3 -> 2 outputs)
                Map.of("kernel_shape", new long[] {3}, "strides", new long[] {4}, "pads", new long[] {0, 2}, "ceil_mode", 1L));
        Random rnd = new Random(1);
        OnnxRuntimeBackend backend = new OnnxRuntimeBackend(Map.of());
        for (int g = 0; g < geometries.size(); g++) {
            Map<String, Object> attrs = geometries.get(g);
            int rank = ((long[]) attrs.get("kernel_shape")).length;
            long[] in = rank == 2 ? new long[] {2, 7, 6} : new long[] {2, 6};
            long[] full = new long[in.length + 1];
            full[0] = -1;
            System.arraycopy(in, 0, full, 1, in.length);
            ModelProto.Builder mb = new OnnxModelBuilder("pool" + g)
                    .input("x", full)
                    .node("pool", "MaxPool", List.of("x"), List.of("y", "idx"), attrs)
                    .build().toBuilder();
            // outputs typed but not shaped: ONNX Runtime infers the shapes (and Indices is int64)
            mb.getGraphBuilder().addOutput(typed("y", TensorProto.DataType.FLOAT)).addOutput(typed("idx", TensorProto.DataType.INT64));
            Path file = Files.write(dir.resolve("pool" + g + ".onnx"), mb.build().toByteArray());
            try (Model m = backend.open(file, Parameters.empty())) {
                ActivationSite s = m.info().site("pool");
                Map<String, Object> site = new LinkedHashMap<>(s.attributes());
                int n = 3;
                float[] x = new float[Math.toIntExact(n * Tensor.size(in))];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) rnd.nextGaussian();
                }
                Tensor xs = Tensor.batch(n, in, x);
                Map<String, Tensor> out = m.run(Map.of("x", xs), List.of("y", "idx"));
                Tensor idx = out.get("idx");
                assertEquals(idx.rowSize(), s.neurons(), "geometry " + g + ": neurons are the pool's outputs " + site.keySet());
                if (g == geometries.size() - 1) {
                    assertEquals(2 * 2, s.neurons(), "the window starting in the padding is dropped");
                }
                SplineCodes c = coder.hard(s, xs);
                int b = coder.bitsPerNeuron(s);
                assertEquals(s.neurons() * b, c.bits());
                MaxPoolCoder.Geometry geo = MaxPoolCoder.Geometry.of(s, xs.shape());
                int[] o = geo.out();
                int inD = geo.in()[0], inH = geo.in()[1], inW = geo.in()[2];
                for (int r = 0; r < n; r++) {
                    int j = 0;
                    for (int ch = 0; ch < geo.channels(); ch++) {
                        for (int od = 0; od < o[0]; od++) {
                            for (int oh = 0; oh < o[1]; oh++) {
                                for (int ow = 0; ow < o[2]; ow++, j++) {
                                    long w = group(c, r, j, b);
                                    int kw = (int) (w % geo.k()[2]);
                                    int kh = (int) (w / geo.k()[2] % geo.k()[1]);
                                    int kd = (int) (w / geo.k()[2] / geo.k()[1]);
                                    int id = od * geo.s()[0] - geo.padBegin()[0] + kd * geo.dil()[0];
                                    int ih = oh * geo.s()[1] - geo.padBegin()[1] + kh * geo.dil()[1];
                                    int iw = ow * geo.s()[2] - geo.padBegin()[2] + kw * geo.dil()[2];
                                    long flat = (((long) r * geo.channels() + ch) * inD * inH + (long) id * inH + ih) * inW + iw;
                                    assertEquals((long) idx.data()[r * idx.rowSize() + j], flat, "geometry " + g + " " + site.keySet()
                                            + " row " + r + " output " + j);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
