package org.polytopelens.benchmarks;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.polytopelens.npy.Npy;
import org.polytopelens.npy.NpyArray;

/**
 * Where the benchmarks write (next to {@code benchmarks.jar}, i.e. {@code benchmarks/target/})
 * and what they read: the 1,000 real MNIST digits of {@code samples/data/mnist-1k.npy}, found by
 * looking upwards from the working directory and from the jar, or seeded random digits when the
 * checkout is not around. Nothing is written under the user's home.
 */
public final class Workspace {
    static final String MNIST = "samples/data/mnist-1k.npy";
    static final int PIXELS = 28 * 28;

    private Workspace() {}

    /** The directory holding the benchmark classes' jar (or class folder's parent). */
    public static Path home() {
        try {
            Path code = Path.of(Workspace.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return code.toAbsolutePath().getParent();
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return Path.of("").toAbsolutePath();
        }
    }

    /** A fresh scratch directory for model files. */
    public static Path scratch(String prefix) throws IOException {
        Path dir = home().resolve("bench-work");
        Files.createDirectories(dir);
        return Files.createTempDirectory(dir, prefix);
    }

    /**
     * Keeps JavaCPP's native cache (ND4J, ~400 MB) out of {@code ~/.javacpp}: unless the caller
     * set {@code -Dorg.bytedeco.javacpp.cachedir}, it goes to {@code javacpp/} next to the jar.
     * Must run before ND4J is first touched.
     */
    static void javacppCache() {
        if (System.getProperty("org.bytedeco.javacpp.cachedir") == null) {
            System.setProperty("org.bytedeco.javacpp.cachedir", home().resolve("javacpp").toString());
        }
    }

    /** {@code count} digits as rows of 784 floats in [0, 1]: real ones if the sample file is found. */
    public static float[] digits(int count, long seed) throws IOException {
        Path file = findMnist();
        float[] out = new float[Math.multiplyExact(count, PIXELS)];
        if (file != null) {
            NpyArray a = Npy.read(file);
            float[] all = a.toFloats();
            int have = (int) a.shape()[0];
            for (int i = 0; i < count; i++) {
                System.arraycopy(all, (i % have) * PIXELS, out, i * PIXELS, PIXELS);
            }
            System.out.println("# inputs: " + count + " MNIST digits from " + file);
            return out;
        }
        // Stand-in: ~19% of pixels lit (like MNIST), values in (0, 1].
        Random r = new Random(seed);
        for (int i = 0; i < out.length; i++) {
            out[i] = r.nextFloat() < 0.19f ? 1 - r.nextFloat() : 0f;
        }
        System.out.println("# inputs: " + count + " random MNIST-like digits (" + MNIST + " not found from "
                + Path.of("").toAbsolutePath() + " or " + home() + ")");
        return out;
    }

    private static Path findMnist() {
        return find(MNIST);
    }

    /** A file of the checkout ({@code relative} to its root), looked for upwards from the working directory and the jar; null if not found. */
    public static Path find(String relative) {
        for (Path start : new Path[] {Path.of("").toAbsolutePath(), home()}) {
            for (Path p = start; p != null; p = p.getParent()) {
                Path f = p.resolve(relative);
                if (Files.isRegularFile(f)) {
                    return f;
                }
            }
        }
        return null;
    }
}
