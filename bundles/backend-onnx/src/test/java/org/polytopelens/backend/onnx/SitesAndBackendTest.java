package org.polytopelens.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.Model;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.GateKind;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.onnx.build.OnnxModelBuilder;

class SitesAndBackendTest {
    @TempDir
    Path dir;

    private final OnnxRuntimeBackend backend = new OnnxRuntimeBackend(Map.of());

    /** One of each supported nonlinearity, chained; GELU and SiLU as the subgraphs PyTorch exports. */
    @Test
    void findsEverySupportedNonlinearityInTopologicalOrder() throws Exception {
        Path f = new OnnxModelBuilder("zoo")
                .input("x", -1, 6)
                .initializer("sqrt2", new float[] {(float) Math.sqrt(2)})
                .initializer("one", new float[] {1})
                .initializer("half", new float[] {0.5f})
                .initializer("zero", new float[] {0})
                .initializer("six", new float[] {6})
                .initializer("slope", new float[] {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}, 6)
                .node("LeakyRelu", List.of("x"), List.of("l"), Map.of("alpha", 0.1f))
                .node("sig", "Sigmoid", List.of("l"), List.of("s"), Map.of())
                .node("tanh", "Tanh", List.of("s"), List.of("t"), Map.of())
                .node("gelu_div", "Div", List.of("t", "sqrt2"), List.of("d"), Map.of())
                .node("gelu_erf", "Erf", List.of("d"), List.of("e"), Map.of())
                .add("gelu_add", "e", "one", "a")
                .node("gelu_half", "Mul", List.of("t", "half"), List.of("h"), Map.of())
                .node("gelu_mul", "Mul", List.of("h", "a"), List.of("g"), Map.of())
                .node("silu_sig", "Sigmoid", List.of("g"), List.of("sg"), Map.of())
                .node("silu_mul", "Mul", List.of("g", "sg"), List.of("y"), Map.of())
                .node("relu6", "Clip", List.of("y", "zero", "six"), List.of("c"), Map.of())
                .node("prelu", "PRelu", List.of("c", "slope"), List.of("p"), Map.of())
                .output("p", -1, 6)
                .save(dir.resolve("zoo.onnx"));
        try (Model m = backend.open(f, Parameters.empty())) {
            long[] six = {6};
            assertEquals(List.of(
                            new ActivationSite("LeakyRelu_0", "LeakyRelu", GateKind.HARD, "x", six, 6, Map.of("alpha", (double) 0.1f)),
                            new ActivationSite("sig", "Sigmoid", GateKind.SOFT, "l", six, 6),
                            new ActivationSite("tanh", "Tanh", GateKind.SOFT, "s", six, 6),
                            new ActivationSite("gelu_div", "Gelu", GateKind.SOFT, "t", six, 6, Map.of("approximate", "none")),
                            new ActivationSite("silu_sig", "SiLU", GateKind.SOFT, "g", six, 6),
                            new ActivationSite("relu6", "Clip", GateKind.HARD, "y", six, 6, Map.of("min", 0.0, "max", 6.0)),
                            new ActivationSite("prelu", "PRelu", GateKind.HARD, "c", six, 6)),
                    m.info().sites());
            Tensor x = Tensor.batch(2, six, new float[] {-3, -1, 0, 0.5f, 2, 9, 1, 2, 3, 4, 5, 6});
            Map<String, Tensor> out = m.run(Map.of("x", x), List.of("g", "y", "t"));
            for (int i = 0; i < 12; i++) {
                float g = out.get("g").data()[i];
                assertEquals(g / (1 + Math.exp(-g)), out.get("y").data()[i], 1e-5);
                double t = out.get("t").data()[i];
                assertEquals(0.5 * t * (1 + erf(t / Math.sqrt(2))), g, 1e-5);
            }
        }
    }

    /** Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7. */
    private static double erf(double x) {
        double t = 1 / (1 + 0.3275911 * Math.abs(x));
        double y = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
                * Math.exp(-x * x);
        return Math.signum(x) * y;
    }

    /** A MaxPool site's shape is its input's; its neurons are its output's elements (one code group each). */
    @Test
    void maxPoolIsAHardSite() throws Exception {
        Path f = new OnnxModelBuilder("pool")
                .input("x", -1, 2, 8)
                .node("pool", "MaxPool", List.of("x"), List.of("y"), Map.of("kernel_shape", new long[] {2}, "strides", new long[] {2}))
                .output("y", -1, 2, 4)
                .save(dir.resolve("pool.onnx"));
        try (Model m = backend.open(f, Parameters.empty())) {
            assertEquals(List.of(new ActivationSite("pool", "MaxPool", GateKind.HARD, "x", new long[] {2, 8}, 8,
                            Map.of("kernel_shape", new long[] {2}, "strides", new long[] {2}, "pads", new long[] {0, 0},
                                    "dilations", new long[] {1}, "ceil_mode", 0L, "storage_order", 0L, "auto_pad", "NOTSET"))),
                    m.info().sites());
            float[] x = new float[16];
            for (int i = 0; i < 16; i++) {
                x[i] = i % 3;
            }
            assertArrayEquals(new float[] {1, 2, 2, 1, 2, 2, 1, 2},
                    m.run(Map.of("x", Tensor.batch(1, new long[] {2, 8}, x)), List.of("y")).get("y").data());
        }
    }

    @Test
    void dimensionsDynamicBeyondTheBatchStayUnknown() throws Exception {
        Path f = new OnnxModelBuilder("seq")
                .input("x", -1, -1, 4)
                .relu("relu", "x", "y")
                .output("y", -1, -1, 4)
                .save(dir.resolve("seq.onnx"));
        try (Model m = backend.open(f, Parameters.empty())) {
            ActivationSite s = m.info().site("relu");
            assertArrayEquals(new long[] {-1, 4}, s.shape());
            assertEquals(-1, s.neurons());
            Tensor y = m.run(Map.of("x", new Tensor(new long[] {2, 3, 4}, new float[24])), List.of("y")).get("y");
            assertArrayEquals(new long[] {2, 3, 4}, y.shape());
        }
    }

    @Test
    void describesItselfAndClaimsOnlyOnnxFiles() {
        assertEquals("onnxruntime", backend.id());
        assertEquals("ONNX Runtime", backend.name());
        assertTrue(backend.description().endsWith("."));
        assertTrue(backend.priority(Path.of("models/mnist.onnx")) > 0);
        assertTrue(backend.priority(Path.of("MODEL.ONNX")) > 0);
        assertTrue(backend.priority(Path.of("weights.npy")) < 0);
    }

    @Test
    void unreadableFilesAreIoErrorsNamingTheFile() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.onnx"), "this is not protobuf \u0000\u00ff");
        IOException e = assertThrows(IOException.class, () -> backend.open(junk, Parameters.empty()));
        assertTrue(e.getMessage().contains(junk.toString()), e.getMessage());
        assertThrows(IOException.class, () -> backend.open(dir.resolve("missing.onnx"), Parameters.empty()));
        // Valid protobuf, but an op ONNX Runtime does not know: its reason is passed on.
        Path bad = new OnnxModelBuilder("bad")
                .input("x", -1, 2)
                .node("weird", "NoSuchOp", List.of("x"), List.of("y"), Map.of())
                .output("y", -1, 2)
                .save(dir.resolve("bad.onnx"));
        e = assertThrows(IOException.class, () -> backend.open(bad, Parameters.empty()));
        assertTrue(e.getMessage().contains("NoSuchOp") && e.getMessage().contains(bad.toString()), e.getMessage());
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class,
                () -> backend.open(bad, Parameters.of(Map.of("optimization", "max"))));
        assertTrue(p.getMessage().contains("none, basic, extended, all"), p.getMessage());
    }
}
