package org.polytopelens.coder.smooth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.ActivationCoder;
import org.polytopelens.api.Model;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.CodeLayout;
import org.polytopelens.api.data.SoftCodes;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.backend.onnx.OnnxRuntimeBackend;
import org.polytopelens.coder.relu.ClipCoder;
import org.polytopelens.coder.relu.LeakyReluCoder;
import org.polytopelens.coder.relu.MaxPoolCoder;
import org.polytopelens.coder.relu.ReluCoder;
import org.polytopelens.core.internal.LayerEncoder;
import org.polytopelens.onnx.build.OnnxModelBuilder;
import org.polytopelens.onnx.proto.Onnx.ModelProto;
import org.polytopelens.onnx.proto.Onnx.TensorShapeProto;

/**
 * A model with every kind of site, opened by the ONNX Runtime backend and planned by the core's
 * encoder with every coder in registry order (sorted by id, as the runner does without a
 * {@code coders:} list): each site gets its own coder, and the encoder's codes are the
 * concatenation of each coder's codes of the fetched pre-activations.
 */
class MixedSitesTest {
    @TempDir
    Path dir;

    static List<ActivationCoder> allCoders() {
        List<ActivationCoder> c = new ArrayList<>(List.of(new ReluCoder(), new LeakyReluCoder(), new ClipCoder(), new MaxPoolCoder(),
                new GeluCoder(), new SiluCoder(), new SigmoidCoder(), new TanhCoder()));
        c.sort(Comparator.comparing(ActivationCoder::id));
        return c;
    }

    /** x [N,1,4,4] -> Relu -> LeakyRelu -> Clip(0,6) -> MaxPool 2x2 -> GELU (erf) -> Sigmoid -> Tanh -> SiLU. */
    static ModelProto model(boolean dynamicSpatial) {
        ModelProto m = new OnnxModelBuilder("mixed")
                .input("x", -1, 1, 4, 4)
                .initializer("zero", new float[] {0})
                .initializer("six", new float[] {6})
                .initializer("sqrt2", new float[] {(float) Math.sqrt(2)})
                .initializer("one", new float[] {1})
                .initializer("half", new float[] {0.5f})
                .relu("relu", "x", "a")
                .node("leaky", "LeakyRelu", List.of("a"), List.of("b"), Map.of("alpha", 0.1f))
                .node("relu6", "Clip", List.of("b", "zero", "six"), List.of("c"), Map.of())
                .node("pool", "MaxPool", List.of("c"), List.of("d"), Map.of("kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2}))
                .node("gelu_div", "Div", List.of("d", "sqrt2"), List.of("e1"), Map.of())
                .node("gelu_erf", "Erf", List.of("e1"), List.of("e2"), Map.of())
                .add("gelu_add", "e2", "one", "e3")
                .node("gelu_half", "Mul", List.of("d", "half"), List.of("e4"), Map.of())
                .node("gelu_mul", "Mul", List.of("e4", "e3"), List.of("g"), Map.of())
                .node("sig", "Sigmoid", List.of("g"), List.of("s"), Map.of())
                .node("tanh", "Tanh", List.of("s"), List.of("t"), Map.of())
                .node("silu_sig", "Sigmoid", List.of("t"), List.of("u"), Map.of())
                .node("silu_mul", "Mul", List.of("t", "u"), List.of("y"), Map.of())
                .output("y", -1, 1, 2, 2)
                .build();
        if (!dynamicSpatial) {
            return m;
        }
        ModelProto.Builder b = m.toBuilder();
        for (var io : List.of(b.getGraphBuilder().getInputBuilder(0), b.getGraphBuilder().getOutputBuilder(0))) {
            TensorShapeProto.Builder shape = io.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
            shape.getDimBuilder(2).clearDimValue().setDimParam("H");
            shape.getDimBuilder(3).clearDimValue().setDimParam("W");
        }
        return b.build();
    }

    static Tensor points(int n) {
        Random rnd = new Random(3);
        float[] x = new float[n * 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * 4);
        }
        return Tensor.batch(n, new long[] {1, 4, 4}, x);
    }

    @Test
    void everySiteIsCodedByItsOwnCoder() throws Exception {
        Path file = Files.write(dir.resolve("mixed.onnx"), model(false).toByteArray());
        try (Model m = new OnnxRuntimeBackend(Map.of()).open(file, Parameters.empty())) {
            List<String> log = new ArrayList<>();
            LayerEncoder e = LayerEncoder.plan(m, "", null, allCoders(), "x", log::add);
            Map<String, String> coderOf = new LinkedHashMap<>();
            for (int i = 0; i < e.sites().size(); i++) {
                coderOf.put(e.sites().get(i).name(), e.coders().get(i).id());
            }
            assertEquals(Map.of("relu", "relu", "leaky", "leakyrelu", "relu6", "clip", "gelu_div", "gelu", "sig", "sigmoid", "tanh", "tanh",
                    "silu_sig", "silu"), coderOf);
            assertEquals(List.of("relu", "leaky", "relu6", "gelu_div", "sig", "tanh", "silu_sig"), List.copyOf(coderOf.keySet()), "graph order");
            assertTrue(log.stream().anyMatch(l -> l.contains("'pool'") && l.contains("only when named")), log.toString());
            assertEquals(List.of(16, 16, 32, 4, 4, 4, 4), e.layout().segments().stream().map(CodeLayout.Segment::bits).toList());

            Tensor x = points(5);
            SplineCodes hard = e.hard(x);
            SoftCodes soft = e.soft(x);
            List<SplineCodes> parts = new ArrayList<>();
            List<SoftCodes> softParts = new ArrayList<>();
            Map<String, Tensor> pre = m.run(Map.of("x", x), e.sites().stream().map(ActivationSite::preactivation).distinct().toList());
            for (int i = 0; i < e.sites().size(); i++) {
                ActivationSite s = e.sites().get(i);
                parts.add(e.coders().get(i).hard(s, pre.get(s.preactivation())));
                softParts.add(e.coders().get(i).soft(s, pre.get(s.preactivation())));
            }
            assertEquals(SplineCodes.concatBits(parts), hard);
            assertEquals(80, hard.bits());
            // spot checks by hand: the ReLU bits are x > 0; the Clip pair of neuron 0; GELU's p is Phi(d)
            for (int r = 0; r < 5; r++) {
                for (int k = 0; k < 16; k++) {
                    assertEquals(x.data()[r * 16 + k] > 0, hard.get(r, k));
                }
                float b0 = pre.get("b").data()[r * 16];
                assertEquals(b0 > 0, hard.get(r, 32));
                assertEquals(b0 > 6, hard.get(r, 33));
            }
            int softWidth = softParts.stream().mapToInt(SoftCodes::neurons).sum();
            assertEquals(16 + 16 + 32 + 4 * 4, softWidth, "a hard site's soft code is its hard code as 0/1, so Clip has 2 per neuron");
            assertEquals(softWidth, soft.neurons());
            float[] d = pre.get("d").data();
            for (int r = 0; r < 5; r++) {
                for (int k = 0; k < 4; k++) {
                    assertEquals(Gates.phi(d[r * 4 + k]), soft.p()[r * softWidth + 64 + k], 1e-7);
                }
            }
        }
    }

    /** Named sites include MaxPool; with dynamic H and W the layout comes from the first batch's codes. */
    @Test
    void aNamedMaxPoolIsCodedAndDynamicLayoutsCountItsOutputs() throws Exception {
        for (boolean dynamic : new boolean[] {false, true}) {
            Path file = Files.write(dir.resolve("mixed" + dynamic + ".onnx"), model(dynamic).toByteArray());
            try (Model m = new OnnxRuntimeBackend(Map.of()).open(file, Parameters.empty())) {
                ActivationSite pool = m.info().site("pool");
                assertEquals(dynamic ? -1 : 4, pool.neurons());
                LayerEncoder e = LayerEncoder.plan(m, "", List.of("pool", "relu", "gelu_div"), allCoders(), "x", l -> { });
                assertEquals(List.of("relu", "pool", "gelu_div"), e.sites().stream().map(ActivationSite::name).toList());
                assertEquals(List.of("relu", "maxpool", "gelu"), e.coders().stream().map(ActivationCoder::id).toList());
                Tensor x = points(4);
                SplineCodes codes = e.hard(x);
                assertEquals(List.of(16, 8, 4), e.layout().segments().stream().map(CodeLayout.Segment::bits).toList(), "dynamic " + dynamic);
                assertEquals(28, codes.bits());
                // pool bits: the winner in each 2x2 window of the Clip output c, 2 bits per output
                Tensor c = m.run(Map.of("x", x), List.of("c")).get("c");
                for (int r = 0; r < 4; r++) {
                    for (int o = 0; o < 4; o++) {
                        int oh = o / 2, ow = o % 2, best = 0;
                        float bv = Float.NaN;
                        for (int w = 0; w < 4; w++) {
                            float v = c.data()[r * 16 + (2 * oh + w / 2) * 4 + 2 * ow + w % 2];
                            if (w == 0 || v > bv) {
                                bv = v;
                                best = w;
                            }
                        }
                        int got = (codes.get(r, 16 + 2 * o) ? 1 : 0) | (codes.get(r, 17 + 2 * o) ? 2 : 0);
                        assertEquals(best, got, "dynamic " + dynamic + " row " + r + " output " + o);
                    }
                }
            }
        }
    }

    @Test
    void anExperimentsCoderListLimitsTheSites() throws Exception {
        Path file = Files.write(dir.resolve("mixed.onnx"), model(false).toByteArray());
        try (Model m = new OnnxRuntimeBackend(Map.of()).open(file, Parameters.empty())) {
            List<String> log = new ArrayList<>();
            LayerEncoder e = LayerEncoder.plan(m, "", null, List.of(new SigmoidCoder(), new ReluCoder()), "x", log::add);
            assertEquals(List.of("relu", "sig"), e.sites().stream().map(ActivationSite::name).toList());
            assertTrue(log.stream().anyMatch(l -> l.contains("'leaky'") && l.contains("no coder")), log.toString());
        }
    }
}
