package org.polytopelens.onnx.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.onnx.build.OnnxModelBuilder.Mlp;
import org.polytopelens.onnx.proto.Onnx.AttributeProto;
import org.polytopelens.onnx.proto.Onnx.GraphProto;
import org.polytopelens.onnx.proto.Onnx.ModelProto;
import org.polytopelens.onnx.proto.Onnx.NodeProto;

class OnnxModelBuilderTest {
    @Test
    void mlpHasNamedGemmReluChainAndRoundTrips(@TempDir Path dir) throws Exception {
        Mlp mlp = OnnxModelBuilder.mlp(7, 3, 5, 4, 2);
        Path file = mlp.save(dir.resolve("mlp.onnx"));
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(file));
        assertEquals(OnnxModelBuilder.OPSET, m.getOpsetImport(0).getVersion());
        GraphProto g = m.getGraph();
        assertEquals(List.of("fc1", "relu1", "fc2", "relu2", "fc3"),
                g.getNodeList().stream().map(NodeProto::getName).toList());
        assertEquals(List.of("Gemm", "Relu", "Gemm", "Relu", "Gemm"),
                g.getNodeList().stream().map(NodeProto::getOpType).toList());
        assertEquals("fc1.out", g.getNode(0).getOutput(0));
        assertEquals("relu1.out", g.getNode(2).getInput(0));
        assertEquals(Mlp.OUTPUT, g.getNode(4).getOutput(0));
        AttributeProto transB = g.getNode(0).getAttribute(0);
        assertEquals("transB", transB.getName());
        assertEquals(1, transB.getI());
        assertEquals("N", g.getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        assertEquals(3, g.getInput(0).getType().getTensorType().getShape().getDim(1).getDimValue());
        assertEquals(List.of(5L, 3L), g.getInitializer(0).getDimsList());
        assertArrayEquals(mlp.weights()[0], toArray(g.getInitializer(0).getFloatDataList()));
        assertEquals(2, mlp.hiddenLayers());
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherWeights() {
        assertArrayEquals(OnnxModelBuilder.mlp(1, 4, 8, 3).toBytes(), OnnxModelBuilder.mlp(1, 4, 8, 3).toBytes());
        assertTrue(!java.util.Arrays.equals(
                OnnxModelBuilder.mlp(1, 4, 8, 3).weights()[0], OnnxModelBuilder.mlp(2, 4, 8, 3).weights()[0]));
    }

    @Test
    void forwardIsGemmThenRelu() {
        Mlp mlp = OnnxModelBuilder.mlp(3, 2, 3, 1);
        float[] x = {0.5f, -1f};
        List<float[]> pre = mlp.forward(x);
        float[] w = mlp.weights()[0];
        for (int o = 0; o < 3; o++) {
            assertEquals(w[o * 2] * 0.5f - w[o * 2 + 1] + mlp.biases()[0][o], pre.get(0)[o], 1e-6);
        }
        float out = mlp.biases()[1][0];
        for (int i = 0; i < 3; i++) {
            out += mlp.weights()[1][i] * Math.max(pre.get(0)[i], 0);
        }
        assertEquals(out, pre.get(1)[0], 1e-6);
    }

    @Test
    void genericNodesCarryTypedAttributes() throws Exception {
        ModelProto m = new OnnxModelBuilder("g")
                .input("x", -1, 4)
                .node("LeakyRelu", List.of("x"), List.of("y"), Map.of("alpha", 0.1f))
                .node("mp", "MaxPool", List.of("y"), List.of("z"), Map.of("kernel_shape", new long[] {2}, "auto_pad", "VALID"))
                .output("z", -1, 2)
                .build();
        NodeProto leaky = m.getGraph().getNode(0);
        assertEquals("", leaky.getName());
        assertEquals(0.1f, leaky.getAttribute(0).getF());
        NodeProto mp = m.getGraph().getNode(1);
        assertEquals("auto_pad", mp.getAttribute(0).getName());
        assertEquals("VALID", mp.getAttribute(0).getS().toStringUtf8());
        assertEquals(List.of(2L), mp.getAttribute(1).getIntsList());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OnnxModelBuilder("g").node("Relu", List.of(), List.of(), Map.of("bad", new Object())));
        assertTrue(e.getMessage().contains("'bad'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new OnnxModelBuilder("g").initializer("w", new float[3], 2, 2));
    }

    private static float[] toArray(List<Float> list) {
        float[] a = new float[list.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = list.get(i);
        }
        return a;
    }
}
