package org.polytopelens.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.Model;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.onnx.build.ConvNet;
import org.polytopelens.onnx.build.OnnxModelBuilder;

/**
 * Sign codes by both routes (the sign sources' floats packed on SIMD lanes; {@code Greater(., 0)}
 * in the graph, its booleans packed in Java) against the signs of the fetched pre-activations.
 */
class SignCodesTest {
    @TempDir
    Path dir;

    static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** The expected code: site after site, bit j of a row = (pre-activation j > 0), read from run(). */
    static void assertSigns(Model model, String feed, Tensor points, List<ActivationSite> sites) throws Exception {
        assertTrue(SimdSigns.AVAILABLE, "tests run with the Vector API (surefire's --add-modules jdk.incubator.vector)");
        SplineCodes floats = ((OnnxModel) model).signCodes(true).codes(feed, points, sites);
        SplineCodes greater = ((OnnxModel) model).signCodes(false).codes(feed, points, sites);
        assertEquals(greater, floats, "both routes");
        assertEquals(floats, model.signCodes().orElseThrow().codes(feed, points, sites));
        assertSigns(points, floats, model.run(Map.of(feed, points), sites.stream().map(ActivationSite::preactivation).toList()), sites);
    }

    private static void assertSigns(Tensor points, SplineCodes codes, Map<String, Tensor> pre, List<ActivationSite> sites) {
        int bits = 0;
        for (ActivationSite s : sites) {
            bits += (int) s.neurons();
        }
        assertEquals(points.rows(), codes.count());
        assertEquals(bits, codes.bits());
        int ones = 0;
        for (int r = 0; r < points.rows(); r++) {
            int bit = 0;
            for (ActivationSite s : sites) {
                for (float v : pre.get(s.preactivation()).row(r)) {
                    assertEquals(v > 0, codes.get(r, bit), "row " + r + " bit " + bit + " (" + s.name() + ")");
                    ones += v > 0 ? 1 : 0;
                    bit++;
                }
            }
        }
        assertTrue(ones > 0 && ones < points.rows() * bits, "both signs occur");
    }

    @Test
    void cnnCodesInTheGraphAreTheSignsOfThePreactivationsAlsoFromACut() throws Exception {
        ConvNet net = ConvNet.init(7, 1, 12, 12, 3, new int[] {4, 6}, new int[] {10, 3}); // odd widths: packing across word edges
        Path file = Files.write(dir.resolve("cnn.onnx"), net.model().toByteArray());
        try (Model model = new OnnxRuntimeBackend(Map.of()).open(file, Parameters.empty())) {
            List<ActivationSite> sites = model.info().sites().stream().filter(s -> s.op().equals("Relu")).toList();
            assertEquals(List.of("relu1", "relu2", "relu3"), sites.stream().map(ActivationSite::name).toList());
            Tensor x = Tensor.batch(9, new long[] {1, 12, 12}, random(9 * 144, 1));
            assertSigns(model, ConvNet.INPUT, x, sites);
            // Points of pool1.out's space: only the sites downstream of the cut.
            Tensor h = model.run(Map.of(ConvNet.INPUT, x), List.of("pool1.out")).get("pool1.out");
            assertSigns(model, "pool1.out", h, sites.subList(1, 3));
            assertEquals(0, model.signCodes().orElseThrow().codes(ConvNet.INPUT, x.rows(0, 0), sites).count());
        }
    }

    @Test
    void mlpCodesAndTheirErrors() throws Exception {
        OnnxModelBuilder.Mlp mlp = OnnxModelBuilder.mlp(3, 5, 67, 9, 2);
        Path file = mlp.save(dir.resolve("mlp.onnx"));
        try (Model model = new OnnxRuntimeBackend(Map.of()).open(file, Parameters.empty())) {
            Tensor x = Tensor.batch(33, new long[] {5}, random(33 * 5, 2));
            assertSigns(model, OnnxModelBuilder.Mlp.INPUT, x, model.info().sites());
            var e = assertThrows(IllegalArgumentException.class,
                    () -> model.signCodes().orElseThrow().codes(OnnxModelBuilder.Mlp.INPUT, Tensor.batch(1, new long[] {4}, new float[4]), model.info().sites()));
            assertTrue(e.getMessage().contains("takes float points of shape [5]"), e.getMessage());
        }
    }

    /** Every alignment of 8-byte groups against 64-bit words, against a bit-by-bit packing. */
    @Test
    void packingBooleansMatchesBitByBit() {
        Random r = new Random(4);
        for (int k : new int[] {1, 7, 8, 9, 63, 64, 65, 130}) {
            for (int offset : new int[] {0, 3, 57, 61, 64}) {
                int rows = 3;
                byte[] bools = new byte[rows * k];
                for (int i = 0; i < bools.length; i++) {
                    bools[i] = (byte) (r.nextBoolean() ? 1 : 0);
                }
                int wpr = SplineCodes.wordsPerRow(offset + k);
                long[] words = new long[rows * wpr];
                Tensors.packBools(ByteBuffer.wrap(bools), rows, k, words, wpr, offset);
                for (int row = 0; row < rows; row++) {
                    for (int j = 0; j < offset + k; j++) {
                        boolean bit = (words[row * wpr + (j >>> 6)] >>> (j & 63) & 1) == 1;
                        assertEquals(j >= offset && bools[row * k + j - offset] == 1, bit, "k " + k + " offset " + offset + " row " + row + " bit " + j);
                    }
                }
            }
        }
    }

    /** The SIMD float packing against a bit-by-bit "x > 0": every alignment, tails, and -0, +0, NaN, infinities, subnormals. */
    @Test
    void packingFloatsMatchesBitByBit() {
        assertTrue(SimdSigns.AVAILABLE);
        Random r = new Random(5);
        float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-40f};
        for (int k : new int[] {1, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 130, 1000}) {
            for (int offset : new int[] {0, 3, 31, 32, 57, 61, 64}) {
                int rows = 3;
                ByteBuffer b = ByteBuffer.allocateDirect(4 * rows * k).order(java.nio.ByteOrder.nativeOrder());
                float[] v = new float[rows * k];
                for (int i = 0; i < v.length; i++) {
                    v[i] = r.nextInt(4) == 0 ? special[r.nextInt(special.length)] : (float) r.nextGaussian();
                    b.putFloat(4 * i, v[i]);
                }
                int wpr = SplineCodes.wordsPerRow(offset + k);
                long[] words = new long[rows * wpr];
                SimdSigns.packPositive(b.slice(), rows, k, words, wpr, offset); // a slice reads big-endian: packing must not care
                for (int row = 0; row < rows; row++) {
                    for (int j = 0; j < offset + k; j++) {
                        boolean bit = (words[row * wpr + (j >>> 6)] >>> (j & 63) & 1) == 1;
                        assertEquals(j >= offset && v[row * k + j - offset] > 0, bit, "k " + k + " offset " + offset + " row " + row + " bit " + j);
                    }
                }
            }
        }
    }
}
