package org.polytopelens.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.Model;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.onnx.build.ConvNet;
import org.polytopelens.onnx.build.OnnxModelBuilder;

/** {@link Model#isAffine} on ONNX graphs: what the graph says, and that "affine" holds numerically. */
class AffinityTest {
    @TempDir
    Path dir;

    private Model open(byte[] bytes, String name) throws Exception {
        return new OnnxRuntimeBackend(Map.of()).open(Files.write(dir.resolve(name), bytes), Parameters.empty());
    }

    @Test
    void aCnnIsAffineBetweenItsNonlinearitiesOnly() throws Exception {
        ConvNet net = ConvNet.init(5, 1, 12, 12, 3, new int[] {4, 6}, new int[] {10, 3});
        try (Model m = open(net.model().toByteArray(), "cnn.onnx")) {
            assertTrue(m.isAffine("input", "conv1.out"), "Conv");
            assertTrue(m.isAffine("pool1.out", "conv2.out"), "Conv after the cut");
            assertTrue(m.isAffine("pool2.out", "fc1.out"), "Flatten, Gemm");
            assertTrue(m.isAffine("relu3.out", "output"), "the last Gemm");
            assertTrue(m.isAffine("pool1.out", "pool1.out"), "identity");
            assertFalse(m.isAffine("input", "relu1.out"), "Relu");
            assertFalse(m.isAffine("input", "pool1.out"), "Relu, MaxPool");
            assertFalse(m.isAffine("relu1.out", "pool1.out"), "MaxPool");
            assertFalse(m.isAffine("pool1.out", "fc1.out"), "Relu and MaxPool between");
            assertFalse(m.isAffine("conv2.out", "pool1.out"), "upstream");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.isAffine("pool1.out", "conv9.out"));
            assertTrue(e.getMessage().contains("conv9.out"), e.getMessage());

            // Numerically: f(a + x u + y v) = f(a) + x (f(a + u) - f(a)) + y (f(a + v) - f(a)) for the affine pair.
            int dim = 4 * 5 * 5;
            float[] three = SignCodesTest.random(3 * dim, 3), grid = new float[dim];
            float x = 0.7f, y = -1.3f;
            for (int k = 0; k < dim; k++) {
                grid[k] = three[k] + x * (three[dim + k] - three[k]) + y * (three[2 * dim + k] - three[k]);
            }
            Tensor f = m.run(Map.of("pool1.out", Tensor.batch(3, new long[] {4, 5, 5}, three)), List.of("conv2.out")).get("conv2.out");
            Tensor g = m.run(Map.of("pool1.out", Tensor.batch(1, new long[] {4, 5, 5}, grid)), List.of("conv2.out")).get("conv2.out");
            float[] fa = f.row(0), fb = f.row(1), fc = f.row(2), fg = g.row(0);
            for (int k = 0; k < fg.length; k++) {
                assertEquals(fa[k] + x * (fb[k] - fa[k]) + y * (fc[k] - fa[k]), fg[k], 1e-4, "conv2.out[" + k + "]");
            }
        }
    }

    @Test
    void sumsProductsAndOtherInputs() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("ops").input("x", -1, 4).input("y", -1, 4).output("out", -1, 4);
        b.initializer("w", new float[16], 4, 4).initializer("c", new float[] {1, 2, 3, 4}, 4);
        b.matMul("mm", "x", "w", "xw");
        b.add("plus_const", "xw", "c", "xwc");
        b.add("plus_self", "xwc", "x", "sum"); // affine + affine
        b.node("scaled", "Mul", List.of("sum", "c"), List.of("scaled"), Map.of());
        b.node("square", "Mul", List.of("scaled", "scaled"), List.of("square"), Map.of());
        b.add("plus_y", "scaled", "y", "withY");
        b.node("shape", "Shape", List.of("scaled"), List.of("shape"), Map.of());
        b.node("reshaped", "Reshape", List.of("scaled", "shape"), List.of("reshaped"), Map.of());
        b.node("tanh", "Tanh", List.of("reshaped"), List.of("tanh"), Map.of());
        b.add("out", "tanh", "withY", "out");
        try (Model m = open(b.toBytes(), "ops.onnx")) {
            assertTrue(m.isAffine("x", "xwc"));
            assertTrue(m.isAffine("x", "sum"), "a sum of affine maps");
            assertTrue(m.isAffine("x", "scaled"), "times a constant");
            assertTrue(m.isAffine("x", "reshaped"), "a reshape to a shape computed from Shape");
            assertFalse(m.isAffine("x", "square"), "a product of two affine maps");
            assertFalse(m.isAffine("x", "withY"), "another input reaches it");
            assertFalse(m.isAffine("x", "tanh"));
            assertFalse(m.isAffine("y", "xwc"), "does not depend on y");
            assertTrue(m.isAffine("y", "y"));
        }
    }
}
