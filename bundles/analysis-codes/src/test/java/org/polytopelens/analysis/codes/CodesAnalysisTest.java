package org.polytopelens.analysis.codes;

import static org.polytopelens.testkit.Registries.add;
import static org.polytopelens.testkit.Registries.schemaOf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.Model;
import org.polytopelens.api.ModelBackend;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Progress;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.GateKind;
import org.polytopelens.api.data.ModelInfo;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.api.data.TensorInfo;
import org.polytopelens.coder.relu.ReluCoder;
import org.polytopelens.core.RunRecord;
import org.polytopelens.core.internal.Registry;
import org.polytopelens.core.internal.Runner;
import org.polytopelens.core.internal.Schema;
import org.polytopelens.dataset.npy.NpyDatasetProvider;
import org.polytopelens.npy.Npy;
import org.polytopelens.npy.NpyArray;
import org.polytopelens.npy.NpyDtype;

/** The codes analysis inside the real runner, with the real ReLU coder and npy dataset, on a small MLP written here. */
class CodesAnalysisTest {
    @TempDir
    Path dir;
    Runner runner;

    /** x [n,2] -> h1_pre = W1 x + b1 -> relu1 -> h1 -> h2_pre = W2 h1 + b2 -> relu2 -> h2. */
    static final float[][] W1 = {{1, 0}, {0, 1}, {1, -1}};
    static final float[] B1 = {0, 0, -0.5f};
    static final float[][] W2 = {{1, 1, 0}, {-1, 0, 1}};
    static final float[] B2 = {-1, 0};
    static final float[][] POINTS = {{1, 2}, {-1, 0.5f}, {2, 0}, {0, 0}, {3, 1}};
    /** By hand: relu1's 3 bits then relu2's 2 bits. */
    static final String[] CODES = {"11010", "01000", "10110", "00000", "11110"};

    static final class Mlp implements Model {
        @Override
        public ModelInfo info() {
            return new ModelInfo("mlp", List.of(new TensorInfo("x", "float", new long[] {-1, 2})), List.of(new TensorInfo("h2", "float",
                    new long[] {-1, 2})), List.of(new ActivationSite("relu1", "Relu", GateKind.HARD, "h1_pre", new long[] {3}, 3),
                            new ActivationSite("relu2", "Relu", GateKind.HARD, "h2_pre", new long[] {2}, 2)),
                    List.of("x", "h1_pre", "h1", "h2_pre", "h2"));
        }

        static float[] layer(float[][] w, float[] b, float[] x, boolean relu) {
            float[] y = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                y[i] = b[i];
                for (int j = 0; j < x.length; j++) {
                    y[i] += w[i][j] * x[j];
                }
                if (relu) {
                    y[i] = Math.max(0, y[i]);
                }
            }
            return y;
        }

        @Override
        public Map<String, Tensor> run(Map<String, Tensor> feeds, Collection<String> fetches) {
            String feed = feeds.keySet().iterator().next();
            Tensor t = feeds.get(feed);
            Map<String, List<float[]>> got = new HashMap<>();
            for (int r = 0; r < t.rows(); r++) {
                Map<String, float[]> v = new HashMap<>();
                if (feed.equals("x")) {
                    v.put("h1_pre", layer(W1, B1, t.row(r), false));
                    v.put("h1", layer(W1, B1, t.row(r), true));
                } else if (feed.equals("h1")) {
                    v.put("h1", t.row(r));
                } else {
                    throw new IllegalArgumentException("feed x or h1, not " + feed);
                }
                v.put("h2_pre", layer(W2, B2, v.get("h1"), false));
                v.put("h2", layer(W2, B2, v.get("h1"), true));
                for (String f : fetches) {
                    got.computeIfAbsent(f, k -> new ArrayList<>()).add(v.get(f));
                }
            }
            Map<String, Tensor> out = new HashMap<>();
            for (String f : fetches) {
                List<float[]> rows = got.getOrDefault(f, List.of());
                int w = rows.isEmpty() ? 0 : rows.get(0).length;
                float[] d = new float[rows.size() * w];
                for (int r = 0; r < rows.size(); r++) {
                    System.arraycopy(rows.get(r), 0, d, r * w, w);
                }
                out.put(f, Tensor.batch(t.rows(), new long[] {w}, d));
            }
            return out;
        }

        @Override
        public void close() {}
    }

    static final class MlpBackend implements ModelBackend {
        @Override
        public String id() {
            return "mlp";
        }

        @Override
        public String name() {
            return "Test MLP";
        }

        @Override
        public String description() {
            return "the MLP above for any .mlp file";
        }

        @Override
        public int priority(Path model) {
            return model.toString().endsWith(".mlp") ? 1 : -1;
        }

        @Override
        public Model open(Path model, Parameters params) {
            return new Mlp();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        Map<String, Schema> schemas = Map.of("codes", schemaOf(CodesAnalysis.Config.class), "npy", schemaOf(NpyDatasetProvider.Config.class),
                "relu", schemaOf(ReluCoder.Config.class));
        Registry registry = new Registry(o -> schemas.getOrDefault(o.pid(), Schema.NONE));
        add(registry, ModelBackend.class, new MlpBackend());
        add(registry, org.polytopelens.api.ActivationCoder.class, new ReluCoder());
        add(registry, org.polytopelens.api.DatasetProvider.class, new NpyDatasetProvider());
        add(registry, org.polytopelens.api.Analysis.class, new CodesAnalysis());
        runner = new Runner(registry, List::of, 2);
        Files.writeString(dir.resolve("net.mlp"), "the weights are in the test");
        float[] x = new float[POINTS.length * 2];
        for (int i = 0; i < POINTS.length; i++) {
            x[2 * i] = POINTS[i][0];
            x[2 * i + 1] = POINTS[i][1];
        }
        Npy.write(dir.resolve("x.npy"), NpyArray.ofFloat32(new long[] {POINTS.length, 2}, x));
        Npy.write(dir.resolve("y.npy"), NpyArray.ofInt64(new long[] {POINTS.length}, new long[] {0, 1, 0, 1, 0}));
    }

    RunRecord run(String analysis, String extra) throws Exception {
        Path e = dir.resolve("exp.yaml");
        Files.writeString(e, """
                name: tiny-codes
                model: net.mlp
                dataset: {provider: npy, path: x.npy, labels: y.npy}
                coders: [relu]
                """ + extra + "analyses:\n  - " + analysis + "\n");
        RunRecord r = runner.run(e, dir.resolve("out"), Progress.NONE, line -> {});
        assertTrue(r.ok(), r.toString());
        return r;
    }

    static byte[] bits(String... rows) {
        byte[] b = new byte[rows.length * rows[0].length()];
        int k = 0;
        for (String r : rows) {
            for (char ch : r.toCharArray()) {
                b[k++] = (byte) (ch - '0');
            }
        }
        return b;
    }

    @Test
    void hardCodesEqualTheHandComputedOnes() throws Exception {
        RunRecord r = run("{id: codes, params: {batch_size: 2}}", "");
        assertEquals(List.of("codes.npy", "codes-layout.json", "codes-summary.json"), r.steps().get(0).files());
        NpyArray codes = Npy.read(dir.resolve("out/codes.npy"));
        assertEquals(NpyDtype.UINT8, codes.dtype());
        assertArrayEquals(new long[] {5, 5}, codes.shape());
        assertArrayEquals(bits(CODES), (byte[]) codes.data());

        JsonNode layout = new ObjectMapper().readTree(dir.resolve("out/codes-layout.json").toFile());
        assertEquals("hard", layout.get("mode").asText());
        assertEquals(5, layout.get("bits").asInt());
        assertEquals("relu2", layout.get("sites").get(1).get("site").asText());
        assertEquals(3, layout.get("sites").get(1).get("offset").asInt());
        assertEquals(2, layout.get("sites").get(1).get("bits").asInt());
        assertEquals(8.0 / 15, layout.get("sites").get(0).get("meanOn").asDouble(), 1e-12, "relu1 has 8 of 15 bits on");
    }

    @Test
    void packedCodesAreNumpyPackbits() throws Exception {
        run("{id: codes, params: {packed: true}}", "");
        NpyArray codes = Npy.read(dir.resolve("out/codes.npy"));
        assertArrayEquals(new long[] {5, 1}, codes.shape());
        // np.packbits([[1,1,0,1,0],[0,1,0,0,0],[1,0,1,1,0],[0,0,0,0,0],[1,1,1,1,0]], axis=1)
        assertArrayEquals(new byte[] {(byte) 0xD0, 0x40, (byte) 0xB0, 0, (byte) 0xF0}, (byte[]) codes.data());
    }

    @Test
    void softCodesOfReluAreItsBitsAsFloats() throws Exception {
        run("{id: codes, params: {soft: true}}", "");
        NpyArray codes = Npy.read(dir.resolve("out/codes.npy"));
        assertEquals(NpyDtype.FLOAT32, codes.dtype());
        assertArrayEquals(new long[] {5, 5}, codes.shape());
        byte[] b = bits(CODES);
        float[] f = (float[]) codes.data();
        for (int i = 0; i < b.length; i++) {
            assertEquals(b[i], f[i]);
        }
        // The mean probability per site, summed per batch on the engine threads, is the hard fraction here.
        JsonNode layout = new ObjectMapper().readTree(dir.resolve("out/codes-layout.json").toFile());
        assertEquals(8.0 / 15, layout.get("sites").get(0).get("meanOn").asDouble(), 1e-12);
        int on2 = 0;
        for (int r = 0; r < 5; r++) {
            on2 += b[r * 5 + 3] + b[r * 5 + 4];
        }
        assertEquals(on2 / 10.0, layout.get("sites").get(1).get("meanOn").asDouble(), 1e-12);
    }

    @Test
    void layerSpacePointsComeFromTheModel() throws Exception {
        run("codes", "layer: h1\n");
        NpyArray codes = Npy.read(dir.resolve("out/codes.npy"));
        assertArrayEquals(new long[] {5, 2}, codes.shape());
        assertArrayEquals(bits("10", "00", "10", "00", "10"), (byte[]) codes.data());
    }

    @Test
    void manyBatchesStreamInOrder() throws Exception {
        int n = 1003;
        Random rnd = new Random(7);
        float[] x = new float[n * 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian() * 2;
        }
        Npy.write(dir.resolve("x.npy"), NpyArray.ofFloat32(new long[] {n, 2}, x));
        Npy.write(dir.resolve("y.npy"), NpyArray.ofInt64(new long[] {n}, new long[n]));
        run("{id: codes, params: {batch_size: 7, packed: false}}", "");
        byte[] got = (byte[]) Npy.read(dir.resolve("out/codes.npy")).data();
        assertEquals(n * 5, got.length);
        for (int r = 0; r < n; r++) {
            float[] p = {x[2 * r], x[2 * r + 1]};
            float[] h1 = Mlp.layer(W1, B1, p, false);
            float[] h2 = Mlp.layer(W2, B2, Mlp.layer(W1, B1, p, true), false);
            float[] pre = {h1[0], h1[1], h1[2], h2[0], h2[1]};
            for (int k = 0; k < 5; k++) {
                assertEquals(pre[k] > 0 ? 1 : 0, got[r * 5 + k], "row " + r + " bit " + k);
            }
        }
    }

    @Test
    void badParametersFailTheStepWithAClearMessage() throws Exception {
        Path e = dir.resolve("exp.yaml");
        Files.writeString(e, """
                model: net.mlp
                dataset: {provider: npy, path: x.npy}
                analyses: [{id: codes, params: {soft: true, packed: true}}]
                """);
        RunRecord r = runner.run(e, dir.resolve("out"), Progress.NONE, line -> {});
        assertEquals("failed", r.status());
        assertTrue(r.steps().get(0).error().contains("packed applies to hard codes only"), r.steps().get(0).error());
        assertTrue(Files.notExists(dir.resolve("out/codes.npy")));
    }
}
