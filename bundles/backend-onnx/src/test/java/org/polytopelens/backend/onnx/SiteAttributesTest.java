package org.polytopelens.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.Model;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.GateKind;
import org.polytopelens.onnx.build.OnnxModelBuilder;
import org.polytopelens.onnx.proto.Onnx.GraphProto;
import org.polytopelens.onnx.proto.Onnx.NodeProto;

/** Site attributes from node attributes and constant inputs, with ONNX's defaults. */
class SiteAttributesTest {
    @TempDir
    Path dir;

    private static List<SiteFinder.Found> sites(OnnxModelBuilder b) {
        return SiteFinder.find(new GraphIndex(b.build().getGraph()));
    }

    private static SiteFinder.Found only(OnnxModelBuilder b) {
        List<SiteFinder.Found> f = sites(b);
        assertEquals(1, f.size(), f.toString());
        return f.get(0);
    }

    @Test
    void clipBoundsFromInitializersConstantNodesAndMissingInputs() {
        OnnxModelBuilder b = new OnnxModelBuilder("clip")
                .input("x", -1, 4)
                .initializer("lo", new float[] {-1.5f})
                .node("six", "Constant", List.of(), List.of("hi"), Map.of("value", OnnxModelBuilder.tensor("hi", new float[] {6})))
                .node("both", "Clip", List.of("x", "lo", "hi"), List.of("a"), Map.of())
                .node("lowOnly", "Clip", List.of("a", "lo"), List.of("b"), Map.of())
                .node("highOnly", "Clip", List.of("b", "", "hi"), List.of("c"), Map.of())
                .node("neither", "Clip", List.of("c"), List.of("d"), Map.of())
                .output("d", -1, 4);
        List<SiteFinder.Found> f = sites(b);
        assertEquals(List.of("both", "lowOnly", "highOnly", "neither"), f.stream().map(SiteFinder.Found::name).toList());
        assertEquals(Map.of("min", -1.5, "max", 6.0), f.get(0).attributes());
        assertEquals(Map.of("min", -1.5, "max", Double.POSITIVE_INFINITY), f.get(1).attributes());
        assertEquals(Map.of("min", Double.NEGATIVE_INFINITY, "max", 6.0), f.get(2).attributes());
        assertEquals(Map.of("min", Double.NEGATIVE_INFINITY, "max", Double.POSITIVE_INFINITY), f.get(3).attributes());
    }

    @Test
    void clipOfOpset6HasBoundsAsAttributesAndComputedBoundsAreLeftOut() {
        SiteFinder.Found old = only(new OnnxModelBuilder("clip6")
                .input("x", -1, 4)
                .node("c", "Clip", List.of("x"), List.of("y"), Map.of("min", 0f, "max", 6f))
                .output("y", -1, 4));
        assertEquals(Map.of("min", 0.0, "max", 6.0), old.attributes());

        SiteFinder.Found computed = sites(new OnnxModelBuilder("clipdyn")
                .input("x", -1, 4)
                .input("m", 1)
                .node("lo", "ReduceMin", List.of("m"), List.of("lo"), Map.of("keepdims", 0L))
                .node("c", "Clip", List.of("x", "lo"), List.of("y"), Map.of())
                .output("y", -1, 4)).get(0);
        assertEquals(Map.of("max", Double.POSITIVE_INFINITY), computed.attributes(), "a computed min is no constant");
    }

    @Test
    void leakyReluHardSigmoidHardSwishAndGeluDefaults() {
        List<SiteFinder.Found> f = sites(new OnnxModelBuilder("zoo")
                .input("x", -1, 4)
                .node("l1", "LeakyRelu", List.of("x"), List.of("a"), Map.of())
                .node("l2", "LeakyRelu", List.of("a"), List.of("b"), Map.of("alpha", 0.25f))
                .node("hs", "HardSigmoid", List.of("b"), List.of("c"), Map.of())
                .node("hs2", "HardSigmoid", List.of("c"), List.of("d"), Map.of("alpha", 0.5f, "beta", 0.25f))
                .node("hw", "HardSwish", List.of("d"), List.of("e"), Map.of())
                .node("g", "Gelu", List.of("e"), List.of("h"), Map.of("approximate", "tanh"))
                .node("g2", "Gelu", List.of("h"), List.of("i"), Map.of())
                .output("i", -1, 4));
        assertEquals(0.01, (double) f.get(0).attributes().get("alpha"), 0);
        assertEquals(Map.of("alpha", 0.25), f.get(1).attributes());
        assertEquals(Map.of("alpha", 0.2, "beta", 0.5), f.get(2).attributes());
        assertEquals(Map.of("alpha", 0.5, "beta", 0.25), f.get(3).attributes());
        assertEquals(Map.of("alpha", 1.0 / 6, "beta", 0.5), f.get(4).attributes());
        assertEquals(GateKind.HARD, f.get(4).kind());
        assertEquals(Map.of("approximate", "tanh"), f.get(5).attributes());
        assertEquals(Map.of("approximate", "none"), f.get(6).attributes());
    }

    @Test
    void swishAsAnOpAndAsTheExportedPattern() {
        List<SiteFinder.Found> f = sites(new OnnxModelBuilder("swish")
                .input("x", -1, 4)
                .node("sw", "Swish", List.of("x"), List.of("a"), Map.of("alpha", 1.5f))
                .node("sw1", "Swish", List.of("a"), List.of("b"), Map.of())
                .initializer("beta", new float[] {2f})
                .node("scale", "Mul", List.of("beta", "b"), List.of("bx"), Map.of())
                .node("gate", "Sigmoid", List.of("bx"), List.of("s"), Map.of())
                .node("times", "Mul", List.of("b", "s"), List.of("y"), Map.of())
                .output("y", -1, 4));
        assertEquals(3, f.size(), f.toString());
        assertEquals(Map.of("beta", 1.5), f.get(0).attributes());
        assertEquals(Map.of("beta", 1.0), f.get(1).attributes());
        SiteFinder.Found p = f.get(2);
        assertEquals("scale", p.name());
        assertEquals("Swish", p.op());
        assertEquals(GateKind.SOFT, p.kind());
        assertEquals("b", p.preactivation());
        assertEquals(Map.of("beta", 2.0), p.attributes());
        assertFalse(f.stream().anyMatch(s -> s.op().equals("Sigmoid")), "the pattern's Sigmoid is no site of its own");
    }

    @Test
    void maxPoolAttributesExplicitAndDefaultAndItsCodedTensorIsTheOutput() {
        List<SiteFinder.Found> f = sites(new OnnxModelBuilder("pools")
                .input("x", -1, 1, 9, 9)
                .node("p1", "MaxPool", List.of("x"), List.of("a"), Map.of("kernel_shape", new long[] {3, 2}, "strides", new long[] {2, 1},
                        "pads", new long[] {1, 0, 1, 1}, "dilations", new long[] {1, 2}, "ceil_mode", 1L, "storage_order", 1L))
                .node("p2", "MaxPool", List.of("a"), List.of("b"), Map.of("kernel_shape", new long[] {2, 2}, "auto_pad", "SAME_UPPER"))
                .output("b", -1, 1, 5, 8));
        Map<String, Object> a = f.get(0).attributes();
        assertArrayEquals(new long[] {3, 2}, (long[]) a.get("kernel_shape"));
        assertArrayEquals(new long[] {2, 1}, (long[]) a.get("strides"));
        assertArrayEquals(new long[] {1, 0, 1, 1}, (long[]) a.get("pads"));
        assertArrayEquals(new long[] {1, 2}, (long[]) a.get("dilations"));
        assertEquals(1L, a.get("ceil_mode"));
        assertEquals(1L, a.get("storage_order"));
        assertEquals("NOTSET", a.get("auto_pad"));
        assertEquals("x", f.get(0).preactivation());
        assertEquals("a", f.get(0).coded());
        Map<String, Object> d = f.get(1).attributes();
        assertArrayEquals(new long[] {1, 1}, (long[]) d.get("strides"));
        assertArrayEquals(new long[] {0, 0, 0, 0}, (long[]) d.get("pads"));
        assertArrayEquals(new long[] {1, 1}, (long[]) d.get("dilations"));
        assertEquals(0L, d.get("ceil_mode"));
        assertEquals("SAME_UPPER", d.get("auto_pad"));
    }

    /** Through ONNX Runtime: an undeclared pool output is probed, so the site counts output neurons. */
    @Test
    void maxPool2dNeuronsAreProbedOutputElements() throws Exception {
        Path file = new OnnxModelBuilder("cnn")
                .input("x", -1, 2, 5, 5)
                .relu("relu", "x", "r")
                .node("pool", "MaxPool", List.of("r"), List.of("p"), Map.of("kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2},
                        "pads", new long[] {0, 0, 1, 1}))
                .initializer("lo", new float[] {-1})
                .node("clip", "Clip", List.of("p", "lo"), List.of("y"), Map.of())
                .output("y", -1, 2, 3, 3)
                .save(dir.resolve("cnn.onnx"));
        try (Model m = new OnnxRuntimeBackend(Map.of()).open(file, Parameters.empty())) {
            ActivationSite pool = m.info().site("pool");
            assertArrayEquals(new long[] {2, 5, 5}, pool.shape());
            assertEquals(18, pool.neurons());
            assertEquals(50, m.info().site("relu").neurons());
            ActivationSite clip = m.info().site("clip");
            assertArrayEquals(new long[] {2, 3, 3}, clip.shape());
            assertEquals(Map.of("min", -1.0, "max", Double.POSITIVE_INFINITY), clip.attributes());
        }
    }

    @Test
    void nodesOfOtherOpsHaveNoAttributes() {
        NodeProto relu = NodeProto.newBuilder().setOpType("Relu").addInput("x").addOutput("y").build();
        assertEquals(Map.of(), SiteFinder.attributes(new GraphIndex(GraphProto.newBuilder().addNode(relu).build()), relu));
    }
}
