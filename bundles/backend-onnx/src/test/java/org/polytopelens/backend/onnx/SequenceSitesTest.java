package org.polytopelens.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
import org.polytopelens.api.data.TensorInfo;
import org.polytopelens.onnx.build.OnnxModelBuilder;
import org.polytopelens.onnx.proto.Onnx.GraphProto;
import org.polytopelens.onnx.proto.Onnx.ModelProto;
import org.polytopelens.onnx.proto.Onnx.TensorProto;
import org.polytopelens.onnx.proto.Onnx.TensorShapeProto;
import org.polytopelens.onnx.proto.Onnx.TypeProto;
import org.polytopelens.onnx.proto.Onnx.ValueInfoProto;

/**
 * The per-token convention on a tiny token model (no declared intermediate shapes, so the
 * backend must probe): ids [batch, seq] int64 and a mask -> embedding (Gather) times the mask ->
 * dense -> Relu (per token, 6 neurons); token-by-token scores Relu Relu^T [batch, seq, seq] ->
 * Tanh (not per token); Relu^T [batch, 6, seq] -> Sigmoid (not per token: axis 1 is not the
 * sequence).
 */
class SequenceSitesTest {
    @TempDir
    Path dir;

    static final int VOCAB = 10;
    static final float[] EMB = new float[VOCAB * 4];
    static final float[] W = new float[4 * 6];
    static final float[] B = {0.1f, -0.2f, 0.3f, -0.4f, 0.5f, -0.6f};

    static {
        for (int i = 0; i < EMB.length; i++) {
            EMB[i] = (float) Math.sin(1.7 * i + 0.3);
        }
        for (int i = 0; i < W.length; i++) {
            W[i] = (float) Math.cos(2.3 * i - 0.1);
        }
    }

    static Path tokenModel(Path file) throws Exception {
        ModelProto m = new OnnxModelBuilder("tokens")
                .initializer("emb", EMB, VOCAB, 4)
                .initializer("w", W, 4, 6)
                .initializer("b", B, 6)
                .node("embed", "Gather", List.of("emb", "input_ids"), List.of("e"), Map.of())
                .node("mask_float", "Cast", List.of("attention_mask"), List.of("mf"), Map.of("to", (long) TensorProto.DataType.FLOAT_VALUE))
                .node("mask_unsqueeze", "Unsqueeze", List.of("mf", "axis2"), List.of("mu"), Map.of())
                .node("mask_mul", "Mul", List.of("e", "mu"), List.of("em"), Map.of())
                .matMul("dense", "em", "w", "h0")
                .add("dense_bias", "h0", "b", "h")
                .relu("act", "h", "r")
                .node("transpose", "Transpose", List.of("r"), List.of("rt"), Map.of("perm", new long[] {0, 2, 1}))
                .matMul("scores", "r", "rt", "sc")
                .node("squash", "Tanh", List.of("sc"), List.of("t"), Map.of())
                .node("gate", "Sigmoid", List.of("rt"), List.of("g"), Map.of())
                .build();
        GraphProto g = m.getGraph().toBuilder()
                .addInitializer(TensorProto.newBuilder().setName("axis2").setDataType(TensorProto.DataType.INT64_VALUE).addDims(1).addInt64Data(2))
                .addInput(info("input_ids", TensorProto.DataType.INT64_VALUE, "batch", "seq"))
                .addInput(info("attention_mask", TensorProto.DataType.INT64_VALUE, "batch", "seq"))
                .addOutput(info("t", TensorProto.DataType.FLOAT_VALUE, "batch", "seq", "seq"))
                .addOutput(info("g", TensorProto.DataType.FLOAT_VALUE, "batch", 6L, "seq"))
                .build();
        Files.write(file, m.toBuilder().setGraph(g).build().toByteArray());
        return file;
    }

    /** A value info whose dimensions are symbolic names (String) or sizes (Long). */
    static ValueInfoProto info(String name, int elemType, Object... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            s.addDim(d instanceof String p
                    ? TensorShapeProto.Dimension.newBuilder().setDimParam(p)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue((Long) d));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(s)))
                .build();
    }

    @Test
    void aTokenSiteIsCodedPerTokenAndOtherSequenceAxesStayOpen() throws Exception {
        try (Model m = new OnnxRuntimeBackend(Map.of()).open(tokenModel(dir.resolve("tokens.onnx")), Parameters.empty())) {
            assertEquals(List.of(new TensorInfo("input_ids", "int64", new long[] {-1, -1}),
                    new TensorInfo("attention_mask", "int64", new long[] {-1, -1})), m.info().inputs());
            assertEquals(List.of(
                            new ActivationSite("act", "Relu", GateKind.HARD, "h", new long[] {6}, 6, Map.of("sequence_axis", 1L)),
                            new ActivationSite("squash", "Tanh", GateKind.SOFT, "sc", new long[] {-1, -1}, -1),
                            new ActivationSite("gate", "Sigmoid", GateKind.SOFT, "rt", new long[] {6, -1}, -1)),
                    m.info().sites());
        }
    }

    @Test
    void perTokenPreactivationsAreTheDenseLayerOfEachTokenAndPaddingIsMasked() throws Exception {
        try (Model m = new OnnxRuntimeBackend(Map.of()).open(tokenModel(dir.resolve("tokens.onnx")), Parameters.empty())) {
            // two sequences of length 3; the second has one padding position
            float[] ids = {1, 7, 9, 4, 2, 0};
            float[] mask = {1, 1, 1, 1, 1, 0};
            Tensor h = m.run(Map.of("input_ids", new Tensor(new long[] {2, 3}, ids),
                    "attention_mask", new Tensor(new long[] {2, 3}, mask)), List.of("h")).get("h");
            assertArrayEquals(new long[] {2, 3, 6}, h.shape());
            // [B, S, d] in C order is B*S points of d: point p is token p % S of sequence p / S
            for (int p = 0; p < 6; p++) {
                int id = (int) ids[p];
                for (int j = 0; j < 6; j++) {
                    double v = B[j];
                    for (int k = 0; k < 4; k++) {
                        v += EMB[id * 4 + k] * mask[p] * W[k * 6 + j];
                    }
                    assertEquals(v, h.data()[p * 6 + j], 1e-5, "point " + p + " neuron " + j);
                }
            }
        }
    }

    /** The probe ran with 8 and 5 tokens; a cut at the per-token tensor must take any length. */
    @Test
    void cuttingAtAPerTokenTensorKeepsTheSequenceAxisDynamic() throws Exception {
        try (Model m = new OnnxRuntimeBackend(Map.of()).open(tokenModel(dir.resolve("tokens.onnx")), Parameters.empty())) {
            for (int seq : new int[] {1, 3, 11}) {
                float[] r = new float[seq * 6];
                for (int i = 0; i < r.length; i++) {
                    r[i] = i % 5;
                }
                Map<String, Tensor> out = m.run(Map.of("r", new Tensor(new long[] {1, seq, 6}, r)), List.of("t", "g"));
                assertArrayEquals(new long[] {1, seq, seq}, out.get("t").shape());
                assertArrayEquals(new long[] {1, 6, seq}, out.get("g").shape());
                assertFalse(Float.isNaN(out.get("t").data()[0]));
            }
        }
    }
}
