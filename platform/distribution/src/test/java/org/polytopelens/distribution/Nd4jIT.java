package org.polytopelens.distribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.polytopelens.launcher.Workbench;
import org.polytopelens.onnx.build.OnnxModelBuilder;
import org.polytopelens.onnx.build.OnnxModelBuilder.Mlp;

/**
 * ND4J inside the container: the distribution with features core, coders, onnx and nd4j, every
 * bundle ACTIVE, the nd4j backend listed, and ND4J really used (inspect and a run whose codes equal
 * ONNX Runtime's). JavaCPP's native cache must land under a workbench's data/, never in ~/.javacpp.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Nd4jIT {
    private static final List<String> FEATURES = List.of("core", "coders", "onnx", "nd4j");
    private static final int[] WIDTHS = {4, 24, 18, 3};
    private static final int N = 64;
    private static final Path USER_CACHE = Path.of(System.getProperty("user.home"), ".javacpp");
    private static Path home;
    private static Path work;
    private static Workbench wb;
    private static boolean userCacheExisted;

    @BeforeAll
    static void boot() throws Exception {
        userCacheExisted = Files.exists(USER_CACHE);
        home = Distribution.copy("Nd4jIT");
        work = Distribution.WORK.resolve("Nd4jIT-work");
        Distribution.delete(work);
        Files.createDirectories(work.resolve("models"));
        Files.createDirectories(work.resolve("data"));
        Mlp mlp = OnnxModelBuilder.mlp(17, WIDTHS);
        mlp.save(work.resolve("models/mlp.onnx"));
        // Points away from every boundary, so float32 rounding cannot flip a bit between backends.
        Random rnd = new Random(3);
        float[][] points = new float[N][];
        for (int i = 0; i < N; ) {
            float[] x = new float[WIDTHS[0]];
            for (int k = 0; k < x.length; k++) {
                x[k] = (float) rnd.nextGaussian() * 2;
            }
            List<float[]> pre = mlp.forward(x);
            boolean clear = true;
            for (int l = 0; l < mlp.hiddenLayers(); l++) {
                for (float z : pre.get(l)) {
                    clear &= Math.abs(z) > 1e-3;
                }
            }
            if (clear) {
                points[i++] = x;
            }
        }
        writeFloatNpy(work.resolve("data/x.npy"), points);
        wb = Workbench.start(home, Workbench.Options.defaults().withFeatures(FEATURES).withWorkingDirectory(work));
        wb.application();
        System.out.println("[Nd4jIT] in-process launch to ready with nd4j (empty cache): " + wb.readyMillis() + " ms");
    }

    @AfterAll
    static void stop() throws Exception {
        if (wb != null) {
            wb.close();
        }
    }

    @Test
    @Order(1)
    void everyBundleIsActiveAndTheNd4jBackendIsListed() throws Exception {
        Distribution.assertAllActive(wb);
        assertEquals(java.util.Map.of(), wb.bundleProblems());
        JsonNode plugins = Distribution.pluginsJson(wb);
        List<String> backends = Distribution.providerIds(plugins, "org.polytopelens.api.ModelBackend");
        assertTrue(backends.containsAll(List.of("nd4j", "onnxruntime")), backends.toString());
        // ND4J stays private: no other bundle can wire to its packages.
        for (String header : List.of("Export-Package")) {
            assertEquals(null, Distribution.bundle(wb.systemContext(), "org.polytopelens.backend.nd4j").getHeaders().get(header));
        }
    }

    @Test
    @Order(2)
    void inspectWithTheNd4jBackendListsWhatOnnxRuntimeLists() throws Exception {
        String model = work.resolve("models/mlp.onnx").toString();
        long t0 = System.nanoTime();
        Workbench.Execution nd4j = wb.execute("inspect", "--backend", "nd4j", "--json", model);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, nd4j.exitCode(), nd4j.err());
        Workbench.Execution ort = wb.execute("inspect", "--backend", "onnxruntime", "--json", model);
        assertEquals(0, ort.exitCode(), ort.err());
        assertEquals(Distribution.JSON.readTree(ort.out()), Distribution.JSON.readTree(nd4j.out()));
        System.out.println("[Nd4jIT] first inspect --backend nd4j (ND4J start in OSGi, natives extracted on first use): "
                + millis + " ms");
    }

    @Test
    @Order(3)
    void runWithTheNd4jBackendGivesOnnxRuntimesCodes() throws Exception {
        Path nd4j = run("nd4j");
        Path ort = run("onnxruntime");
        byte[] codes = Files.readAllBytes(nd4j.resolve("codes.npy"));
        assertArrayEquals(Files.readAllBytes(ort.resolve("codes.npy")), codes);
        assertTrue(new String(codes, 0, 128, StandardCharsets.US_ASCII).contains("'shape': (" + N + ", " + (24 + 18) + ")"));
        JsonNode record = Distribution.JSON.readTree(nd4j.resolve("run.json").toFile());
        assertEquals("ok", record.path("status").asText());
        assertEquals("nd4j", record.path("models").get(0).path("backend").asText());
    }

    @Test
    @Order(4)
    void javacppCacheIsUnderADataDirectoryNeverInHome() throws Exception {
        assertEquals(0, wb.execute("inspect", "--backend", "nd4j", work.resolve("models/mlp.onnx").toString()).exitCode());
        Path cache = Path.of(System.getProperty("org.bytedeco.javacpp.cachedir"));
        // In-process, the first workbench started in this JVM chose the directory: some home's data/javacpp.
        assertTrue(cache.startsWith(Distribution.WORK) && cache.getParent().getFileName().toString().equals("data"), cache.toString());
        try (Stream<Path> files = Files.walk(cache)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("libnd4jcpu")), "ND4J's natives in " + cache);
        }
        if (!userCacheExisted) {
            assertFalse(Files.exists(USER_CACHE), USER_CACHE + " was created");
        }
    }

    /** bin/workbench in its own JVM with a fresh HOME: ND4J works and nothing is written under HOME. */
    @Test
    @Order(5)
    void binWorkbenchWithAFreshHomeWritesNothingThere() throws Exception {
        Path dist = Distribution.copy("Nd4jIT-process");
        Path userHome = work.resolve("home");
        Files.createDirectories(userHome);
        Path out = work.resolve("process.out");
        Path err = work.resolve("process.err");
        ProcessBuilder pb = new ProcessBuilder(dist.resolve("bin/workbench").toString(), "--features", String.join(",", FEATURES),
                "inspect", "--backend", "nd4j", "models/mlp.onnx")
                .directory(work.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("HOME", userHome.toString());
        pb.environment().put("WORKBENCH_TIMING", "1");
        pb.environment().put("WORKBENCH_JAVA_OPTS", "-Duser.home=" + userHome);
        long t0 = System.nanoTime();
        Process p = pb.start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "bin/workbench finished");
        long wall = (System.nanoTime() - t0) / 1_000_000;
        String stdout = Files.readString(out);
        String stderr = Files.readString(err);
        assertEquals(0, p.exitValue(), stdout + stderr);
        assertTrue(stdout.contains("(backend nd4j)") && stdout.contains("relu2"), stdout);
        try (Stream<Path> files = Files.list(userHome)) {
            assertEquals(List.of(), files.toList(), "files written under HOME");
        }
        assertTrue(Files.isDirectory(dist.resolve("data/javacpp")), "JavaCPP cache in the distribution's data/");
        Matcher ready = Pattern.compile("workbench: ready (\\d+) ms after JVM start").matcher(stderr);
        System.out.println("[Nd4jIT] bin/workbench --features core,coders,onnx,nd4j inspect --backend nd4j (cold: empty "
                + "framework and JavaCPP caches): ready " + (ready.find() ? ready.group(1) : "?") + " ms, whole command " + wall + " ms");
    }

    private static Path run(String backend) throws Exception {
        Path exp = work.resolve("codes-" + backend + ".yaml");
        Files.writeString(exp, "name: codes-" + backend + "\n"
                + "model: models/mlp.onnx\n"
                + "backend: " + backend + "\n"
                + "dataset: {provider: npy, path: data/x.npy}\n"
                + "analyses:\n"
                + "  - codes\n");
        Path out = work.resolve("out-" + backend);
        Workbench.Execution r = wb.execute("run", exp.toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.out() + r.err());
        return out;
    }

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
}
