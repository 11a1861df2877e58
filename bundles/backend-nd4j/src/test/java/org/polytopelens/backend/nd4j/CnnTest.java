package org.polytopelens.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.polytopelens.api.Model;
import org.polytopelens.api.ModelBackend;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.PiecewiseLinear;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.AffineMap;
import org.polytopelens.api.data.Crossing;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.backend.nd4j.Cnn.BatchNorm;
import org.polytopelens.backend.nd4j.Cnn.Clip;
import org.polytopelens.backend.nd4j.Cnn.Conv;
import org.polytopelens.backend.nd4j.Cnn.Dense;
import org.polytopelens.backend.nd4j.Cnn.Flat;
import org.polytopelens.backend.nd4j.Cnn.Pool;
import org.polytopelens.backend.nd4j.Cnn.Ramp;
import org.polytopelens.backend.nd4j.Cnn.SwapHW;
import org.polytopelens.backend.onnx.OnnxRuntimeBackend;
import org.polytopelens.onnx.build.OnnxModelBuilder;

/**
 * CNNs on ND4J: the forward pass and site info against ONNX Runtime, the independent double
 * reference ({@link Cnn}) against ONNX Runtime, affine maps against the reference and finite
 * differences, and exact walks against dense sampling of the reference's codes (Relu bits, Clip
 * bit pairs, MaxPool winners).
 *
 * <p>The sampled codes come from the double reference, not from ONNX Runtime's float32 fetches:
 * float32 rounding moves a boundary by about 1e-6 in t, which with 20,000 samples (spacing 5e-5)
 * would put a sample on the wrong side of one crossing in fifty. The reference itself is checked
 * against ONNX Runtime within 1e-4.
 */
class CnnTest {
    private static final int SAMPLES = 20_000;
    private static final ModelBackend ND4J = new Nd4jBackend(Map.of());
    private static final ModelBackend ORT = new OnnxRuntimeBackend(Map.of());
    private static final List<Model> OPENED = new ArrayList<>();

    private static Path dir;
    /** Conv 4 3x3 pad 1, Relu, MaxPool 2, Conv 6 3x3, Relu, MaxPool 2, Flatten, Gemm 16, Relu, Gemm 3. */
    private static Cnn small;
    /** BatchNormalization, LeakyRelu, padded MaxPool, Transpose, grouped dilated Conv, Clip, PRelu, AveragePool, Reshape. */
    private static Cnn mixed;

    @BeforeAll
    static void models() throws Exception {
        dir = Files.createTempDirectory(Path.of("target"), "nd4j-cnn-test");
        Random r = new Random(7);
        small = new Cnn(new int[] {1, 12, 12}, List.of(
                Conv.random(r, "conv1", 1, 4, 3, 1, new int[] {1, 1, 1, 1}, 1, 1),
                Ramp.relu("relu1"),
                new Pool("pool1", "MaxPool", 2, 2, new int[] {0, 0, 0, 0}, 1),
                Conv.random(r, "conv2", 4, 6, 3, 1, new int[] {0, 0, 0, 0}, 1, 1),
                Ramp.relu("relu2"),
                new Pool("pool2", "MaxPool", 2, 2, new int[] {0, 0, 0, 0}, 1),
                new Flat("flatten", "Flatten"),
                Dense.random(r, "fc1", 24, 16),
                Ramp.relu("relu3"),
                Dense.random(r, "fc2", 16, 3)));
        mixed = new Cnn(new int[] {2, 10, 10}, List.of(
                Conv.random(r, "conv1", 2, 6, 3, 1, new int[] {1, 0, 0, 1}, 1, 1),
                BatchNorm.random(r, "bn1", 6),
                Ramp.leaky("leaky1", 0.1f),
                new Pool("pool1", "MaxPool", 3, 2, new int[] {1, 1, 1, 1}, 1),
                new SwapHW("swap"),
                Conv.random(r, "conv2", 6, 4, 3, 1, new int[] {2, 2, 2, 2}, 2, 2),
                new Clip("clip2", -0.3f, 0.4f),
                Ramp.prelu("prelu2", new float[] {0.25f, -0.5f, 0.1f, 0.6f}),
                new Pool("avg2", "AveragePool", 2, 1, new int[] {0, 0, 0, 0}, 1),
                new Flat("reshape", "Reshape"),
                Dense.random(r, "fc1", 64, 8),
                Ramp.relu("relu3"),
                Dense.random(r, "fc2", 8, 2)));
    }

    @AfterAll
    static void close() {
        OPENED.forEach(Model::close);
    }

    private static Model open(ModelBackend backend, Cnn cnn, String name) throws Exception {
        Path file = dir.resolve(name + ".onnx");
        if (!Files.exists(file)) {
            cnn.save(file);
        }
        Model m = backend.open(file, Parameters.empty());
        OPENED.add(m);
        return m;
    }

    private static List<String> allTensors(Cnn cnn) {
        List<String> t = new ArrayList<>();
        for (int i = 1; i <= cnn.layers.size(); i++) {
            t.add(cnn.tensor(i));
        }
        return t;
    }

    @Test
    void runAndInfoEqualOnnxRuntimeAndTheReference() throws Exception {
        for (Cnn cnn : List.of(small, mixed)) {
            String name = cnn == small ? "small" : "mixed";
            Model n = open(ND4J, cnn, name);
            Model o = open(ORT, cnn, name);
            assertEquals(o.info().inputs(), n.info().inputs(), name);
            assertEquals(o.info().outputs(), n.info().outputs(), name);
            assertEquals(o.info().tensors(), n.info().tensors(), name);
            assertEquals(o.info().sites(), n.info().sites(), name);
            List<String> siteNames = n.info().sites().stream().map(ActivationSite::name).toList();
            assertEquals(cnn.sites().stream().map(Cnn.Layer::name).toList(), siteNames, name);

            int rows = 16;
            Random r = new Random(3);
            Tensor x = Tensor.batch(rows, toLong(cnn.input), Reference.gaussian(r, rows * cnn.size(0), 1.5));
            List<String> fetches = allTensors(cnn);
            Map<String, Tensor> expected = o.run(Map.of(Cnn.INPUT, x), fetches);
            Map<String, Tensor> actual = n.run(Map.of(Cnn.INPUT, x), fetches);
            for (int i = 1; i <= cnn.layers.size(); i++) {
                String t = cnn.tensor(i);
                assertArrayEquals(expected.get(t).shape(), actual.get(t).shape(), name + " " + t);
                assertArrayEquals(expected.get(t).data(), actual.get(t).data(), 1e-4f, name + " " + t);
                for (int row = 0; row < rows; row++) {
                    double[] ref = cnn.forward(0, Reference.toDouble(x.row(row))).get(i);
                    float[] ort = expected.get(t).row(row);
                    for (int k = 0; k < ref.length; k++) {
                        assertEquals(ort[k], ref[k], 1e-4, name + " reference " + t + "[" + k + "] of row " + row);
                    }
                }
            }
        }
        // The sites' details, as the coders read them.
        Model n = open(ND4J, mixed, "mixed");
        ActivationSite pool = n.info().site("pool1");
        assertArrayEquals(new long[] {6, 9, 9}, pool.shape());
        assertEquals(6 * 5 * 5, pool.neurons());
        assertArrayEquals(new long[] {3, 3}, (long[]) pool.attributes().get("kernel_shape"));
        assertArrayEquals(new long[] {1, 1, 1, 1}, (long[]) pool.attributes().get("pads"));
        ActivationSite clip = n.info().site("clip2");
        assertEquals(-0.3f, clip.attribute("min", 0), 0);
        assertEquals(0.4f, clip.attribute("max", 0), 0);
        assertEquals(0.1f, n.info().site("leaky1").attribute("alpha", 0), 0);
    }

    /** Model.isAffine decided from the imported graph: as ONNX Runtime's backend decides it, for every pair of tensors. */
    @Test
    void isAffineAgreesWithOnnxRuntimeForEveryPair() throws Exception {
        for (Cnn cnn : List.of(small, mixed)) {
            String name = cnn == small ? "small" : "mixed";
            Model n = open(ND4J, cnn, name);
            Model o = open(ORT, cnn, name);
            List<String> tensors = new ArrayList<>(List.of(Cnn.INPUT));
            tensors.addAll(allTensors(cnn));
            int affine = 0;
            for (String a : tensors) {
                for (String b : tensors) {
                    boolean want = o.isAffine(a, b);
                    assertEquals(want, n.isAffine(a, b), name + ": " + a + " -> " + b);
                    affine += want ? 1 : 0;
                }
            }
            assertTrue(affine > tensors.size(), name + ": some pairs besides a tensor and itself are affine");
        }
        Model m = open(ND4J, mixed, "mixed");
        // 1 conv1, 2 bn1, 3 leaky1, 4 pool1, 5 swap, 6 conv2, 7 clip2, 8 prelu2, 9 avg2, 10 reshape, 11 fc1
        assertTrue(m.isAffine(Cnn.INPUT, mixed.tensor(2)), "Conv, BatchNormalization");
        assertFalse(m.isAffine(Cnn.INPUT, mixed.tensor(3)), "LeakyRelu");
        assertTrue(m.isAffine(mixed.tensor(4), mixed.tensor(6)), "Transpose, grouped Conv");
        assertFalse(m.isAffine(mixed.tensor(6), mixed.tensor(7)), "Clip");
        assertTrue(m.isAffine(mixed.tensor(8), mixed.tensor(11)), "AveragePool, Reshape, Gemm");
        assertFalse(m.isAffine(mixed.tensor(11), mixed.tensor(8)), "upstream");
        assertThrows(IllegalArgumentException.class, () -> m.isAffine(Cnn.INPUT, "nope"));
    }

    @Test
    void affineMapIsTheNetworkAndItsJacobianAtAPoint() throws Exception {
        for (Cnn cnn : List.of(small, mixed)) {
            String name = cnn == small ? "small" : "mixed";
            PiecewiseLinear pl = open(ND4J, cnn, name).piecewiseLinear().orElseThrow();
            Random r = new Random(5);
            int n = cnn.size(0);
            Set<String> all = names(cnn.sites());
            for (int trial = 0; trial < 2; trial++) {
                float[] x = Reference.gaussian(r, n, 1.5);
                double[] xd = Reference.toDouble(x);
                AffineMap map = pl.affineMap(Cnn.INPUT, x, Cnn.OUTPUT);
                List<double[]> ref = cnn.forward(0, xd);
                double[] y = ref.get(ref.size() - 1);
                assertEquals(y.length, map.outputs());
                assertEquals(n, map.inputs());
                assertArrayEquals(y, apply(map, xd), 1e-9, name + ": y = A x + c at the point");

                // Central differences where both sides keep the code (the map is then exact up to rounding).
                Map<String, int[]> code = cnn.codes(0, xd, all);
                double h = 1e-6;
                int checked = 0;
                for (int j = 0; j < n; j += 3) {
                    double[] plus = xd.clone();
                    double[] minus = xd.clone();
                    plus[j] += h;
                    minus[j] -= h;
                    if (!same(code, cnn.codes(0, plus, all)) || !same(code, cnn.codes(0, minus, all))) {
                        continue;
                    }
                    List<double[]> p = cnn.forward(0, plus);
                    List<double[]> m = cnn.forward(0, minus);
                    for (int i = 0; i < y.length; i++) {
                        double fd = (p.get(p.size() - 1)[i] - m.get(m.size() - 1)[i]) / (2 * h);
                        assertEquals(fd, map.a()[i * n + j], 1e-6, name + ": dy" + i + "/dx" + j);
                    }
                    checked++;
                }
                assertTrue(checked > n / 6, name + ": enough columns checked: " + checked);

                float[] v = Reference.gaussian(r, n, 1);
                float[] jv = pl.jvp(Cnn.INPUT, x, v, Cnn.OUTPUT);
                for (int i = 0; i < y.length; i++) {
                    double s = 0;
                    for (int j = 0; j < n; j++) {
                        s += map.a()[i * n + j] * v[j];
                    }
                    assertEquals(s, jv[i], 1e-5, name + ": jvp");
                }
            }
        }
        // To an intermediate tensor and from a hidden space: the map to conv2's output from pool1's output.
        PiecewiseLinear pl = open(ND4J, small, "small").piecewiseLinear().orElseThrow();
        int from = small.indexOf("pool1") + 1;
        int to = small.indexOf("conv2") + 1;
        float[] h = Reference.gaussian(new Random(9), small.size(from), 1);
        AffineMap map = pl.affineMap(small.tensor(from), h, small.tensor(to));
        assertArrayEquals(small.forward(from, Reference.toDouble(h)).get(to - from), apply(map, Reference.toDouble(h)), 1e-9);
    }

    /** The exactness test with MaxPool switches reported: sites = every site, pools included. */
    @Test
    void walkWithPoolsEqualsDenseSampling() throws Exception {
        int total = 0;
        Map<String, Integer> byOp = new TreeMap<>();
        for (Cnn cnn : List.of(small, mixed)) {
            String name = cnn == small ? "small" : "mixed";
            PiecewiseLinear pl = open(ND4J, cnn, name).piecewiseLinear().orElseThrow();
            List<String> sites = cnn.sites().stream().map(Cnn.Layer::name).toList();
            Random r = new Random(cnn == small ? 21 : 22);
            for (int s = 0; s < 2; s++) {
                float[] a = Reference.gaussian(r, cnn.size(0), 1.5);
                float[] b = Reference.gaussian(r, cnn.size(0), 1.5);
                long t0 = System.nanoTime();
                List<Crossing> crossings = pl.walk(Cnn.INPUT, a, b, sites);
                double ms = (System.nanoTime() - t0) / 1e6;
                System.out.printf("[CnnTest] walk %s segment %d: %d crossings in %.1f ms%n", name, s, crossings.size(), ms);
                assertMatchesSampling(cnn, 0, a, b, crossings, Set.copyOf(sites), name + " segment " + s);
                total += crossings.size();
                for (Crossing c : crossings) {
                    byOp.merge(cnn.layers.get(cnn.indexOf(c.site())).op(), 1, Integer::sum);
                }
            }
        }
        System.out.println("[CnnTest] crossings by op: " + byOp);
        assertTrue(total > 200, "enough crossings to mean something: " + total);
        for (String op : List.of("Relu", "LeakyRelu", "PRelu", "Clip", "MaxPool")) {
            assertTrue(byOp.getOrDefault(op, 0) > 5, op + " boundaries are crossed: " + byOp);
        }
    }

    /** Default sites leave the pools out (as codes do), but their switches still split the pieces. */
    @Test
    void walkWithoutPoolsStepsOverTheirSwitches() throws Exception {
        for (Cnn cnn : List.of(small, mixed)) {
            String name = cnn == small ? "small" : "mixed";
            PiecewiseLinear pl = open(ND4J, cnn, name).piecewiseLinear().orElseThrow();
            Set<String> gates = names(cnn.sites().stream().filter(l -> !l.op().equals("MaxPool")).toList());
            Random r = new Random(31);
            float[] a = Reference.gaussian(r, cnn.size(0), 1.5);
            float[] b = Reference.gaussian(r, cnn.size(0), 1.5);
            long t0 = System.nanoTime();
            List<Crossing> crossings = pl.walk(Cnn.INPUT, a, b, List.of());
            System.out.printf("[CnnTest] walk %s without pools: %d crossings in %.1f ms%n", name, crossings.size(), (System.nanoTime() - t0) / 1e6);
            assertTrue(crossings.stream().noneMatch(c -> c.site().startsWith("pool")), name + ": no pool reported by default");
            assertMatchesSampling(cnn, 0, a, b, crossings, gates, name + " without pools");
            // The same crossings as the walk with pools, minus the pools'.
            List<Crossing> withPools = pl.walk(Cnn.INPUT, a, b, cnn.sites().stream().map(Cnn.Layer::name).toList());
            List<Crossing> filtered = withPools.stream().filter(c -> gates.contains(c.site())).toList();
            assertEquals(filtered.size(), crossings.size(), name);
            for (int i = 0; i < filtered.size(); i++) {
                assertEquals(filtered.get(i).site(), crossings.get(i).site());
                assertEquals(filtered.get(i).neuron(), crossings.get(i).neuron());
                assertEquals(filtered.get(i).t(), crossings.get(i).t(), 1e-12);
            }
        }
        // One pool alone, from a hidden space: pool2's switches from pool1's output on.
        PiecewiseLinear pl = open(ND4J, small, "small").piecewiseLinear().orElseThrow();
        int from = small.indexOf("pool1") + 1;
        Random r = new Random(41);
        float[] a = Reference.gaussian(r, small.size(from), 1);
        float[] b = Reference.gaussian(r, small.size(from), 1);
        long t0 = System.nanoTime();
        List<Crossing> pool2 = pl.walk(small.tensor(from), a, b, List.of("pool2"));
        System.out.printf("[CnnTest] walk pool2 from pool1.out: %d crossings in %.1f ms%n", pool2.size(), (System.nanoTime() - t0) / 1e6);
        assertTrue(pool2.size() > 3, "pool2 switches: " + pool2.size());
        assertMatchesSampling(small, from, a, b, pool2, Set.of("pool2"), "pool2 from pool1's output");
    }

    /** A MaxPool after a Relu sees ties among the zeros the Relu writes: the first wins, as in the coder. */
    @Test
    void poolTiesAtZeroFollowTheCoder() throws Exception {
        PiecewiseLinear pl = open(ND4J, small, "small").piecewiseLinear().orElseThrow();
        // Far on the negative side many relu1 outputs are 0: segments from there cross into the positive side.
        Random r = new Random(51);
        float[] a = Reference.gaussian(r, 144, 0.3);
        float[] b = Reference.gaussian(r, 144, 0.3);
        for (int i = 0; i < 144; i++) {
            a[i] -= 3;
            b[i] += 1;
        }
        List<String> sites = List.of("relu1", "pool1");
        List<Crossing> crossings = pl.walk(Cnn.INPUT, a, b, sites);
        assertMatchesSampling(small, 0, a, b, crossings, Set.copyOf(sites), "from the dead side");
        assertTrue(crossings.stream().anyMatch(c -> c.site().equals("pool1")), "pool1 switches");
    }

    /** Attribute variants: auto_pad, ceil_mode, count_include_pad, 1-D convolution and pooling, Transpose, Reshape with -1 inside. */
    @Test
    void convolutionAndPoolingVariantsEqualOnnxRuntime() throws Exception {
        Random r = new Random(61);
        Path twoD = new OnnxModelBuilder("variants2d")
                .input("x", -1, 3, 9, 8)
                .initializer("w", Reference.gaussian(r, 5 * 3 * 3 * 2, 0.4), 5, 3, 3, 2)
                .node("same", "Conv", List.of("x", "w"), List.of("c"), Map.of("auto_pad", "SAME_UPPER", "strides", new long[] {2, 2}))
                .node("ceil", "MaxPool", List.of("c"), List.of("m"), Map.of("kernel_shape", new long[] {2, 2}, "ceil_mode", 1L,
                        "dilations", new long[] {1, 2}))
                .node("avg", "AveragePool", List.of("c"), List.of("a"), Map.of("kernel_shape", new long[] {3, 2}, "pads", new long[] {1, 0, 1, 1},
                        "count_include_pad", 1L))
                .node("lower", "MaxPool", List.of("c"), List.of("l"), Map.of("kernel_shape", new long[] {3, 3}, "auto_pad", "SAME_LOWER"))
                .node("t", "Transpose", List.of("a"), List.of("at"), Map.of("perm", new long[] {0, 2, 3, 1}))
                .node("shape", "Constant", List.of(), List.of("s"), Map.of("value", int64("s", 0, -1, 5)))
                .node("r", "Reshape", List.of("at", "s"), List.of("y"), Map.of())
                .output("y", -1, -1, 5)
                .save(dir.resolve("variants2d.onnx"));
        Path oneD = new OnnxModelBuilder("variants1d")
                .input("x", -1, 2, 11)
                .initializer("w", Reference.gaussian(r, 4 * 1 * 3, 0.5), 4, 1, 3)
                .initializer("b", Reference.gaussian(r, 4, 0.5), 4)
                .node("conv", "Conv", List.of("x", "w", "b"), List.of("c"), Map.of("group", 2L, "pads", new long[] {2, 1}, "dilations", new long[] {2}))
                .node("pool", "MaxPool", List.of("c"), List.of("m"), Map.of("kernel_shape", new long[] {3}, "strides", new long[] {2}))
                .node("act", "LeakyRelu", List.of("m"), List.of("y"), Map.of())
                .output("y", -1, 4, 4)
                .save(dir.resolve("variants1d.onnx"));
        for (Path file : List.of(twoD, oneD)) {
            try (Model n = ND4J.open(file, Parameters.empty()); Model o = ORT.open(file, Parameters.empty())) {
                assertEquals(o.info().sites(), n.info().sites(), file.toString());
                assertEquals(o.info().tensors(), n.info().tensors(), file.toString());
                long[] in = n.info().inputs().get(0).shape().clone();
                in[0] = 5;
                Tensor x = new Tensor(in, Reference.gaussian(r, (int) Tensor.size(in), 1));
                List<String> fetches = n.info().tensors().stream().filter(t -> !t.equals("x") && !t.equals("s")).toList();
                Map<String, Tensor> expected = o.run(Map.of("x", x), fetches);
                Map<String, Tensor> actual = n.run(Map.of("x", x), fetches);
                for (String t : fetches) {
                    assertArrayEquals(expected.get(t).shape(), actual.get(t).shape(), file + " " + t);
                    assertArrayEquals(expected.get(t).data(), actual.get(t).data(), 1e-4f, file + " " + t);
                }
            }
        }
    }

    private static org.polytopelens.onnx.proto.Onnx.TensorProto int64(String name, long... values) {
        var t = org.polytopelens.onnx.proto.Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(org.polytopelens.onnx.proto.Onnx.TensorProto.DataType.INT64_VALUE).addDims(values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        return t.build();
    }

    @Test
    void unsupportedConvolutionsAndNonConstantParametersAreNamed() throws Exception {
        Path file = new OnnxModelBuilder("clipvar")
                .input("x", -1, 4)
                .input("hi", 1)
                .node("clip", "Clip", List.of("x", "", "hi"), List.of("y"), Map.of())
                .output("y", -1, 4)
                .save(dir.resolve("clipvar.onnx"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ND4J.open(file, Parameters.empty()));
        assertTrue(e.getMessage().contains("Clip node 'clip'") && e.getMessage().contains("'hi'"), e.getMessage());
    }

    // --- the sampling check ---------------------------------------------------------------------------

    /**
     * Samples {@value #SAMPLES} codes of {@code sites} on the segment (double reference) and checks
     * that between every two consecutive samples the walk's crossings are exactly the code changes
     * seen, neuron by neuron (a Clip neuron's two bits counted apart), so the totals agree too.
     */
    private static void assertMatchesSampling(Cnn cnn, int from, float[] a, float[] b, List<Crossing> crossings, Set<String> sites,
            String what) {
        for (int i = 1; i < crossings.size(); i++) {
            assertTrue(crossings.get(i - 1).t() <= crossings.get(i).t(), what + ": crossings in increasing t");
        }
        crossings.forEach(c -> assertTrue(c.t() > 0 && c.t() < 1 && sites.contains(c.site()), what + ": " + c));
        double[] ad = Reference.toDouble(a);
        double[] bd = Reference.toDouble(b);
        Map<String, Cnn.Layer> layers = new HashMap<>();
        cnn.layers.forEach(l -> layers.put(l.name(), l));
        int next = 0;
        int changes = 0;
        Map<String, int[]> previous = cnn.codes(from, ad, sites);
        for (int s = 1; s < SAMPLES; s++) {
            double t = (double) s / (SAMPLES - 1);
            double[] p = new double[ad.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = ad[i] + t * (bd[i] - ad[i]);
            }
            Map<String, int[]> code = cnn.codes(from, p, sites);
            Map<String, Integer> seen = new TreeMap<>();
            for (Map.Entry<String, int[]> e : code.entrySet()) {
                int[] c = e.getValue();
                int[] before = previous.get(e.getKey());
                boolean clip = layers.get(e.getKey()).op().equals("Clip");
                for (int i = 0; i < c.length; i++) {
                    int n = clip ? Integer.bitCount(c[i] ^ before[i]) : c[i] != before[i] ? 1 : 0;
                    if (n > 0) {
                        seen.put(e.getKey() + "#" + i, n);
                    }
                }
            }
            Map<String, Integer> walked = new TreeMap<>();
            while (next < crossings.size() && crossings.get(next).t() <= t) {
                Crossing c = crossings.get(next++);
                walked.merge(c.site() + "#" + c.neuron(), 1, Integer::sum);
            }
            assertEquals(seen, walked, what + ": code changes between samples " + (s - 1) + " and " + s + " (t = " + t + ")");
            changes += seen.values().stream().mapToInt(Integer::intValue).sum();
            previous = code;
        }
        assertEquals(next, crossings.size(), what + ": every crossing lies on the segment");
        assertEquals(changes, crossings.size(), what + ": crossings = code changes seen by sampling");
    }

    private static boolean same(Map<String, int[]> a, Map<String, int[]> b) {
        return a.keySet().equals(b.keySet()) && a.keySet().stream().allMatch(k -> java.util.Arrays.equals(a.get(k), b.get(k)));
    }

    private static Set<String> names(List<Cnn.Layer> layers) {
        Set<String> s = new LinkedHashSet<>();
        layers.forEach(l -> s.add(l.name()));
        return s;
    }

    private static long[] toLong(int[] s) {
        long[] l = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            l[i] = s[i];
        }
        return l;
    }

    private static double[] apply(AffineMap m, double[] x) {
        double[] y = m.c().clone();
        for (int i = 0; i < m.outputs(); i++) {
            for (int j = 0; j < m.inputs(); j++) {
                y[i] += m.a()[i * m.inputs() + j] * x[j];
            }
        }
        return y;
    }
}
