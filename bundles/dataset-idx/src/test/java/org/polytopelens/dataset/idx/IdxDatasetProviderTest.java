package org.polytopelens.dataset.idx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.api.Dataset;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.npy.Npy;
import org.polytopelens.npy.NpyArray;

class IdxDatasetProviderTest {
    static final Path SAMPLES = Path.of("../../samples/data");
    static final Path IMAGES = SAMPLES.resolve("mnist-10k-images-idx3-ubyte.gz");
    static final Path LABELS = SAMPLES.resolve("mnist-10k-labels-idx1-ubyte.gz");

    @TempDir
    Path dir;
    final IdxDatasetProvider provider = new IdxDatasetProvider();

    /** As the core hands parameters over: under Metatype ids, defaults filled. */
    static Parameters params(Map<String, Object> overrides) {
        Map<String, Object> p = new HashMap<>(Map.of("path", IMAGES.toString(), "labels", LABELS.toString(), "split", "all",
                "test.size", 2000, "seed", 20221122L, "layout", "flat", "input", "", "limit", 0));
        p.putAll(overrides);
        return Parameters.of(p);
    }

    @Test
    void theSampleHoldsTheTenThousandDigitsOfTheNpmPackageAndAgreesWithTheNpySample() throws Exception {
        try (Dataset all = provider.open(params(Map.of()))) {
            assertEquals(10_000, all.size());
            int[] labels = all.labels().orElseThrow();
            int[] perClass = new int[10];
            for (int y : labels) {
                perClass[y]++;
            }
            // counts of src/digits/N.json in mnist 1.1.0
            assertArrayEquals(new int[] {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978}, perClass);
            // The first 1,000 (100 per class, interleaved) are mnist-1k.npy, written independently
            // from the same JSON by make_mnist_sample.py as 3-decimal floats.
            NpyArray npy = Npy.read(SAMPLES.resolve("mnist-1k.npy"));
            float[] reference = npy.toFloats();
            Tensor first = all.batch(0, 1000);
            assertArrayEquals(new long[] {1000, 784}, first.shape());
            for (int k = 0; k < reference.length; k++) {
                assertEquals(reference[k], first.data()[k], 6e-4f, "pixel " + k);
            }
            assertArrayEquals(Npy.read(SAMPLES.resolve("mnist-1k-labels.npy")).toIntLabels(), Arrays.copyOf(labels, 1000));
        }
    }

    @Test
    void trainAndTestPartitionTheFileTheSameWayForTheSameSeed() throws Exception {
        try (Dataset train = provider.open(params(Map.of("split", "train")));
                Dataset test = provider.open(params(Map.of("split", "test")));
                Dataset again = provider.open(params(Map.of("split", "test")));
                Dataset other = provider.open(params(Map.of("split", "test", "seed", 7L)))) {
            assertEquals(8000, train.size());
            assertEquals(2000, test.size());
            int[] tr = ((IdxDatasetProvider.IdxDataset) train).rows();
            int[] te = ((IdxDatasetProvider.IdxDataset) test).rows();
            int[] union = IntStream.concat(Arrays.stream(tr), Arrays.stream(te)).sorted().toArray();
            assertArrayEquals(IntStream.range(0, 10_000).toArray(), union);
            assertArrayEquals(te, ((IdxDatasetProvider.IdxDataset) again).rows());
            assertFalse(Arrays.equals(te, ((IdxDatasetProvider.IdxDataset) other).rows()));
            // every class is in both splits, roughly in proportion
            int[] testPerClass = new int[10];
            for (int y : test.labels().orElseThrow()) {
                testPerClass[y]++;
            }
            for (int count : testPerClass) {
                assertTrue(count > 120 && count < 280, Arrays.toString(testPerClass));
            }
            // a test example is the file's example: batch rows follow the split's indices
            Tensor one = test.batch(5, 6);
            try (Dataset all = provider.open(params(Map.of()))) {
                assertArrayEquals(all.batch(te[5], te[5] + 1).data(), one.data());
                assertEquals(all.labels().orElseThrow()[te[5]], test.labels().orElseThrow()[5]);
            }
            assertTrue(test.describe(5).contains("#" + te[5]), test.describe(5));
        }
    }

    @Test
    void imageLayoutGivesNchwPointsAndLimitCuts() throws Exception {
        try (Dataset d = provider.open(params(Map.of("layout", "image", "limit", 3)))) {
            assertEquals(3, d.size());
            assertArrayEquals(new long[] {2, 1, 28, 28}, d.batch(1, 3).shape());
        }
    }

    @Test
    void plainAndGzipFilesReadAlike() throws Exception {
        byte[] data = {0, (byte) 255, 51, 102, 7, 8};
        Path plain = write("x-idx3-ubyte", idx(new int[] {3, 1, 2}, data), false);
        Path gz = write("x-idx3-ubyte.gz", idx(new int[] {3, 1, 2}, data), true);
        for (Path p : new Path[] {plain, gz}) {
            try (Dataset d = provider.open(params(Map.of("path", p.toString(), "labels", "", "test.size", 0)))) {
                assertArrayEquals(new float[] {0f, 1f, 0.2f, 0.4f, 7 / 255f, 8 / 255f}, d.batch(0, 3).data(), 0f);
                assertTrue(d.labels().isEmpty());
            }
        }
    }

    @Test
    void badFilesAreNamedWithWhatWouldBeValid() throws Exception {
        Path notIdx = write("x.gz", new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, true);
        var e = assertThrows(IllegalArgumentException.class, () -> provider.open(params(Map.of("path", notIdx.toString()))));
        assertTrue(e.getMessage().contains("not an unsigned-byte IDX file"), e.getMessage());
        Path truncated = write("t", Arrays.copyOf(idx(new int[] {3, 1, 2}, new byte[6]), 20), false);
        e = assertThrows(IllegalArgumentException.class, () -> provider.open(params(Map.of("path", truncated.toString(), "labels", ""))));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        Path fewLabels = write("l", idx(new int[] {5}, new byte[5]), false);
        e = assertThrows(IllegalArgumentException.class, () -> provider.open(params(Map.of("labels", fewLabels.toString()))));
        assertTrue(e.getMessage().contains("one per image"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> provider.open(params(Map.of("split", "validation"))));
        assertTrue(e.getMessage().contains("all, train or test"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> provider.open(params(Map.of("layout", "nhwc"))));
        assertTrue(e.getMessage().contains("flat or image"), e.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> provider.open(params(Map.of("path", dir.resolve("missing").toString()))));
    }

    static byte[] idx(int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(0x0800 | dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(data).array();
    }

    Path write(String name, byte[] bytes, boolean gzip) throws Exception {
        Path p = dir.resolve(name);
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
            out.write(bytes);
        }
        return p;
    }
}
