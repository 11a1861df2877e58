package org.polytopelens.distribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.polytopelens.launcher.Workbench;
import org.polytopelens.onnx.build.OnnxModelBuilder;
import org.polytopelens.onnx.build.OnnxModelBuilder.Mlp;

/**
 * The vertical slice end to end: an ONNX model written by the test, an experiment naming it, the
 * real distribution running it, and the codes compared with codes computed by hand from the
 * weights. The .npy files are written and read here with a few lines of independent code, not
 * with the workbench's own npy bundle.
 */
class VerticalSliceIT {
    private static final int N = 41;
    private static final int[] WIDTHS = {5, 16, 70, 3}; // 86 bits: crosses a 64-bit word
    private static Path home;
    private static Path work;
    private static Workbench wb;
    private static Mlp mlp;
    private static float[][] points;

    @BeforeAll
    static void setUp() throws Exception {
        home = Distribution.copy("VerticalSliceIT");
        work = Distribution.WORK.resolve("VerticalSliceIT-work");
        Distribution.delete(work);
        Files.createDirectories(work.resolve("models"));
        Files.createDirectories(work.resolve("data"));
        mlp = OnnxModelBuilder.mlp(42, WIDTHS);
        mlp.save(work.resolve("models/mlp.onnx"));
        // Points far enough from every boundary that float32 (ORT) and double (here) agree on signs.
        Random rnd = new Random(7);
        points = new float[N][];
        for (int i = 0; i < N; ) {
            float[] x = new float[WIDTHS[0]];
            for (int k = 0; k < x.length; k++) {
                x[k] = (float) rnd.nextGaussian() * 2;
            }
            if (minAbsPreactivation(x) > 1e-3) {
                points[i++] = x;
            }
        }
        writeFloatNpy(work.resolve("data/x.npy"), points);
        wb = Workbench.start(home, Workbench.Options.defaults());
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (wb != null) {
            wb.close();
        }
    }

    private static double minAbsPreactivation(float[] x) {
        double m = Double.MAX_VALUE;
        List<float[]> pre = mlp.forward(x);
        for (int l = 0; l < mlp.hiddenLayers(); l++) {
            for (float z : pre.get(l)) {
                m = Math.min(m, Math.abs(z));
            }
        }
        return m;
    }

    /** Bits of point {@code x}: hidden layers from {@code firstLayer} (1-based), 1 iff pre-activation > 0. */
    private static boolean[] handCode(float[] x, int firstLayer) {
        List<float[]> pre = mlp.forward(x);
        List<Boolean> bits = new ArrayList<>();
        for (int l = firstLayer - 1; l < mlp.hiddenLayers(); l++) {
            for (float z : pre.get(l)) {
                bits.add(z > 0);
            }
        }
        boolean[] b = new boolean[bits.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = bits.get(i);
        }
        return b;
    }

    private static Path experiment(String name, String layer, String params) throws IOException {
        String yaml = "name: " + name + "\n"
                + "model: models/mlp.onnx\n"
                + "dataset: {provider: npy, path: data/x.npy}\n"
                + "layer: \"" + layer + "\"\n"
                + "analyses:\n"
                + "  - {id: codes, params: " + params + "}\n";
        Path file = work.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void hardCodesEqualHandComputedCodes() throws Exception {
        Path out = work.resolve("out-hard");
        Workbench.Execution r = wb.execute("run", experiment("hard", "", "{}").toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        Npy codes = readNpy(out.resolve("codes.npy"));
        assertEquals("|u1", codes.descr);
        assertArrayEquals(new long[] {N, 16 + 70}, codes.shape);
        for (int i = 0; i < N; i++) {
            boolean[] expected = handCode(points[i], 1);
            for (int k = 0; k < expected.length; k++) {
                assertEquals(expected[k] ? 1 : 0, codes.data[i * expected.length + k], "point " + i + " bit " + k);
            }
        }
        // Provenance: the run record names the model by its hash and says every step succeeded.
        JsonNode run = Distribution.JSON.readTree(out.resolve("run.json").toFile());
        assertEquals("ok", run.path("status").asText());
        assertEquals("ok", run.path("steps").get(0).path("status").asText());
        String modelHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(work.resolve("models/mlp.onnx"))));
        List<String> hashes = new ArrayList<>();
        run.path("inputs").forEach(in -> hashes.add(in.path("sha256").asText()));
        assertTrue(hashes.contains(modelHash), "model hash in run.json inputs: " + hashes);
        assertTrue(run.path("bundles").size() > 20, "bundles recorded");
    }

    @Test
    void packedCodesAreNumpyPackbits() throws Exception {
        Path out = work.resolve("out-packed");
        Workbench.Execution r = wb.execute("run", experiment("packed", "", "{packed: true}").toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        Npy codes = readNpy(out.resolve("codes.npy"));
        int bytesPerRow = (86 + 7) / 8;
        assertArrayEquals(new long[] {N, bytesPerRow}, codes.shape);
        for (int i = 0; i < N; i++) {
            boolean[] bits = handCode(points[i], 1);
            for (int k = 0; k < bits.length; k++) {
                int bit = (codes.data[i * bytesPerRow + k / 8] >> (7 - k % 8)) & 1;
                assertEquals(bits[k] ? 1 : 0, bit, "point " + i + " bit " + k);
            }
        }
    }

    @Test
    void codesInAHiddenLayersSpaceCoverOnlyDownstreamSites() throws Exception {
        Path out = work.resolve("out-layer");
        Workbench.Execution r = wb.execute("run", experiment("layer", Mlp.activation(1), "{}").toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        Npy codes = readNpy(out.resolve("codes.npy"));
        assertArrayEquals(new long[] {N, 70}, codes.shape);
        for (int i = 0; i < N; i++) {
            boolean[] expected = handCode(points[i], 2);
            for (int k = 0; k < expected.length; k++) {
                assertEquals(expected[k] ? 1 : 0, codes.data[i * 70 + k], "point " + i + " bit " + k);
            }
        }
    }

    @Test
    void activationsAndCodesCommandsAgreeWithTheHandComputation() throws Exception {
        Path model = work.resolve("models/mlp.onnx");
        Path acts = work.resolve("cmd/relu1.npy");
        Workbench.Execution a = wb.execute("activations", model.toString(), "--inputs", work.resolve("data/x.npy").toString(),
                "--tensor", Mlp.activation(1), "--out", acts.toString());
        assertEquals(0, a.exitCode(), a.err());
        Npy h = readNpy(acts);
        assertEquals("<f4", h.descr);
        assertArrayEquals(new long[] {N, 16}, h.shape);
        ByteBuffer values = ByteBuffer.wrap(h.data).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < N; i++) {
            float[] pre = mlp.forward(points[i]).get(0);
            for (int k = 0; k < 16; k++) {
                assertEquals(Math.max(pre[k], 0f), values.getFloat(), 1e-5, "point " + i + " neuron " + k);
            }
        }
        // Points of relu1.out's space: only relu2 (70 bits) is downstream, packed 9 bytes per row.
        Path codes = work.resolve("cmd/codes-from-relu1.npy");
        Workbench.Execution c = wb.execute("codes", model.toString(), "--inputs", acts.toString(), "--from", Mlp.activation(1),
                "--packed", "--out", codes.toString());
        assertEquals(0, c.exitCode(), c.err());
        Npy packed = readNpy(codes);
        assertArrayEquals(new long[] {N, 9}, packed.shape);
        for (int i = 0; i < N; i++) {
            boolean[] expected = handCode(points[i], 2);
            for (int k = 0; k < 70; k++) {
                assertEquals(expected[k] ? 1 : 0, (packed.data[i * 9 + k / 8] >> (7 - k % 8)) & 1, "point " + i + " bit " + k);
            }
        }
        // A site upstream of --from is refused with the sites that are valid.
        Workbench.Execution bad = wb.execute("codes", model.toString(), "--inputs", acts.toString(), "--from", Mlp.activation(1),
                "--sites", Mlp.relu(1), "--out", work.resolve("cmd/bad.npy").toString());
        assertEquals(1, bad.exitCode());
        assertTrue(bad.err().contains("not downstream") && bad.err().contains(Mlp.relu(2)), bad.err());
        assertTrue(!Files.exists(work.resolve("cmd/bad.npy")));
    }

    @Test
    void regionsOfASegmentEqualCodeChangesOfADenseSampling() throws Exception {
        float[] a = points[0], b = points[1];
        writeFloatNpy(work.resolve("data/a.npy"), new float[][] {a});
        writeFloatNpy(work.resolve("data/b.npy"), new float[][] {b});
        Workbench.Execution r = wb.execute("regions", work.resolve("models/mlp.onnx").toString(), "--a", work.resolve("data/a.npy").toString(),
                "--b", work.resolve("data/b.npy").toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode walk = Distribution.JSON.readTree(r.out());
        // Independent count: codes of 20,001 points on the segment, computed from the weights in double precision.
        int samples = 20_000, changes = 0;
        boolean[] previous = null;
        for (int s = 0; s <= samples; s++) {
            double t = (double) s / samples;
            float[] x = new float[a.length];
            for (int k = 0; k < x.length; k++) {
                x[k] = (float) (a[k] + t * (b[k] - a[k]));
            }
            boolean[] code = handCode(x, 1);
            if (previous != null) {
                for (int k = 0; k < code.length; k++) {
                    changes += code[k] != previous[k] ? 1 : 0;
                }
            }
            previous = code;
        }
        assertTrue(changes > 3, "the segment crosses boundaries: " + changes);
        assertEquals(changes, walk.path("boundaries").asInt(), r.out());
        assertEquals(changes + 1, walk.path("regions").asInt());
        double last = 0;
        for (JsonNode f : walk.path("flips")) {
            assertTrue(f.path("t").asDouble() > last && f.path("t").asDouble() < 1, "t increasing in (0, 1)");
            last = f.path("t").asDouble();
        }
        // A zero-length segment is refused with a clear message.
        Workbench.Execution zero = wb.execute("regions", work.resolve("models/mlp.onnx").toString(), "--a", work.resolve("data/a.npy").toString(),
                "--b", work.resolve("data/a.npy").toString());
        assertEquals(2, zero.exitCode());
        assertTrue(zero.err().contains("zero length"), zero.err());
    }

    @Test
    void densityCommandSplitsThePairsIntoIntraAndInterClass() throws Exception {
        // Labels: the sign of the first output, so classes follow the network.
        Path labels = work.resolve("data/y.npy");
        ByteBuffer y = ByteBuffer.allocate(N * 8).order(ByteOrder.LITTLE_ENDIAN);
        int same = 0;
        long[] label = new long[N];
        for (int i = 0; i < N; i++) {
            label[i] = mlp.forward(points[i]).get(mlp.hiddenLayers())[0] > 0 ? 1 : 0;
            y.putLong(label[i]);
        }
        for (int i = 0; i < N; i++) {
            for (int j = i + 1; j < N; j++) {
                same += label[i] == label[j] ? 1 : 0;
            }
        }
        String header = "{'descr': '<i8', 'fortran_order': False, 'shape': (" + N + ",), }";
        header = header + " ".repeat((64 - (10 + header.length() + 1) % 64) % 64) + "\n";
        ByteBuffer file = ByteBuffer.allocate(10 + header.length() + N * 8).order(ByteOrder.LITTLE_ENDIAN);
        file.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0)
                .putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII)).put(y.array());
        Files.write(labels, file.array());
        Workbench.Execution r = wb.execute("density", work.resolve("models/mlp.onnx").toString(), "--inputs", work.resolve("data/x.npy").toString(),
                "--labels", labels.toString(), "--pairs", "0", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode d = Distribution.JSON.readTree(r.out());
        assertEquals((long) N * (N - 1) / 2, d.path("pairs").asLong() + d.path("skipped").asLong());
        double intra = d.path("intra_normalized").asDouble(), inter = d.path("inter_normalized").asDouble();
        // Normalised by the mean over all pairs: the pair-weighted mean of the two groups is 1.
        long pairs = d.path("pairs").asLong();
        assertEquals(1.0, (same * intra + (pairs - same) * inter) / pairs, 1e-6);
        assertTrue(d.path("ci99").path("intra").get(0).asDouble() <= intra && intra <= d.path("ci99").path("intra").get(1).asDouble());
        assertTrue(Double.isFinite(d.path("welch").path("t").asDouble()) && d.path("welch").path("p").asDouble() >= 0);
    }

    @Test
    void unknownAnalysisIdIsOneClearMessageListingTheValidIds() throws Exception {
        Path exp = work.resolve("bad.yaml");
        Files.writeString(exp, "model: models/mlp.onnx\ndataset: {provider: npy, path: data/x.npy}\n"
                + "analyses:\n  - {id: kodes}\n  - {id: codes, params: {packd: true}}\n");
        Path out = work.resolve("out-bad");
        Workbench.Execution r = wb.execute("run", exp.toString(), "--out", out.toString());
        assertEquals(2, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains("kodes") && r.err().contains("codes"), r.err());
        assertTrue(r.err().contains("packd") && r.err().contains("packed"), r.err());
        assertTrue(!Files.exists(out.resolve("run.json")), "an invalid experiment writes nothing");
    }

    @Test
    void binWorkbenchResolvesPathsAgainstTheCallersDirectory() throws Exception {
        experiment("cli", "", "{}");
        Path stdout = work.resolve("cli.out");
        Process p = new ProcessBuilder(home.resolve("bin/workbench").toString(), "run", "cli.yaml", "--out", "out-cli")
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(stdout.toFile()).start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "bin/workbench run finished");
        String text = Files.readString(stdout);
        assertEquals(0, p.exitValue(), text);
        Npy codes = readNpy(work.resolve("out-cli/codes.npy"));
        assertArrayEquals(new long[] {N, 86}, codes.shape);
        for (int i = 0; i < N; i++) {
            boolean[] expected = handCode(points[i], 1);
            for (int k = 0; k < expected.length; k++) {
                assertEquals(expected[k] ? 1 : 0, codes.data[i * 86 + k], "point " + i + " bit " + k);
            }
        }
    }

    // --- a few lines of independent .npy code ---------------------------------------------

    record Npy(String descr, long[] shape, byte[] data) {}

    private static void writeFloatNpy(Path file, float[][] rows) throws IOException {
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows.length + ", " + rows[0].length + "), }";
        int total = 10 + header.length() + 1;
        header = header + " ".repeat((64 - total % 64) % 64) + "\n";
        ByteBuffer buf = ByteBuffer.allocate(10 + header.length() + rows.length * rows[0].length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        buf.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        for (float[] r : rows) {
            for (float v : r) {
                buf.putFloat(v);
            }
        }
        Files.write(file, buf.array());
    }

    private static Npy readNpy(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        assertEquals((byte) 0x93, all[0]);
        int major = all[6];
        int headerLen = major == 1 ? (all[8] & 0xff) | (all[9] & 0xff) << 8 : ByteBuffer.wrap(all, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int start = major == 1 ? 10 : 12;
        String header = new String(all, start, headerLen, StandardCharsets.US_ASCII);
        Matcher d = Pattern.compile("'descr': '([^']+)'").matcher(header);
        Matcher s = Pattern.compile("'shape': \\(([^)]*)\\)").matcher(header);
        assertTrue(d.find() && s.find(), header);
        assertTrue(header.contains("'fortran_order': False"), header);
        long[] shape = java.util.Arrays.stream(s.group(1).split(",")).map(String::trim).filter(x -> !x.isEmpty()).mapToLong(Long::parseLong).toArray();
        byte[] data = java.util.Arrays.copyOfRange(all, start + headerLen, all.length);
        return new Npy(d.group(1), shape, data);
    }
}
