package org.polytopelens.benchmarks;

import elki.clustering.hierarchical.HDBSCANLinearMemory;
import elki.clustering.hierarchical.extraction.HDBSCANHierarchyExtraction;
import elki.data.BitVector;
import elki.data.Cluster;
import elki.data.model.DendrogramModel;
import elki.data.type.TypeUtil;
import elki.data.type.VectorFieldTypeInformation;
import elki.database.Database;
import elki.database.StaticArrayDatabase;
import elki.database.ids.DBIDIter;
import elki.database.ids.DBIDRange;
import elki.datasource.MultipleObjectsBundleDatabaseConnection;
import elki.datasource.bundle.MultipleObjectsBundle;
import elki.distance.set.HammingDistance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Progress;
import org.polytopelens.api.data.CodePoints;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.cluster.hdbscan.HdbscanClustering;

/**
 * HDBSCAN* on bit-packed codes, Hamming distance, min samples 5, min cluster size 10 (issue 4):
 * the workbench's {@link HdbscanClustering} (two threads for the core distances, its default on
 * this machine) against ELKI 0.8.0's {@code HDBSCANLinearMemory} + {@code HDBSCANHierarchyExtraction}
 * on {@code BitVector}s with {@code HammingDistance} (one thread; ELKI has no parallel HDBSCAN*).
 * Data: 40 seeded random 7,408-bit prototypes, 90% of the points are members with each bit
 * flipped with probability 0.05, 10% uniform random codes (noise), as in the plugin's tests.
 * Each benchmark runs in its own fork, so the partitions are compared across forks: each trial
 * writes its labels to {@code target/bench-work/} and the second prints the adjusted Rand index
 * against the first ("ARI workbench vs ELKI").
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HdbscanBenchmark {
    static final int BITS = 7408, GROUPS = 40, MIN_SAMPLES = 5, MIN_CLUSTER_SIZE = 10;

    @Param({"20000"})
    public int n;

    private CodePoints codes;
    private List<BitVector> vectors;
    /** The labels of the last invocation and whose they are (one benchmark method per fork). */
    private int[] labels;
    private String who;

    @Setup
    public void setUp() {
        int perGroup = n * 9 / 10 / GROUPS, noise = n - GROUPS * perGroup;
        codes = codes(5, BITS, GROUPS, perGroup, 0.05, noise);
        SplineCodes c = codes.codes();
        int wpr = c.wordsPerRow();
        vectors = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            vectors.add(new BitVector(Arrays.copyOfRange(c.words(), i * wpr, (i + 1) * wpr), BITS));
        }
    }

    @Benchmark
    public int[] workbench() throws InterruptedException {
        labels = new HdbscanClustering().cluster(codes, Parameters.of(Map.of("min.cluster.size", MIN_CLUSTER_SIZE, "min.samples", MIN_SAMPLES)),
                Progress.NONE).labels();
        who = "workbench";
        return labels;
    }

    @Benchmark
    public int[] elki() {
        MultipleObjectsBundle b = new MultipleObjectsBundle();
        b.appendColumn(new VectorFieldTypeInformation<>(BitVector.FACTORY, BITS), vectors);
        Database db = new StaticArrayDatabase(new MultipleObjectsBundleDatabaseConnection(b), null);
        db.initialize();
        DBIDRange ids = (DBIDRange) db.getRelation(TypeUtil.BIT_VECTOR_FIELD).getDBIDs();
        HDBSCANLinearMemory<BitVector> h = new HDBSCANLinearMemory<>(HammingDistance.STATIC, MIN_SAMPLES);
        elki.data.Clustering<DendrogramModel> c = new HDBSCANHierarchyExtraction(h, MIN_CLUSTER_SIZE, false).autorun(db);
        // ELKI returns the root's leftover points (our noise) as one more cluster: one more label for the ARI, like -1.
        int[] out = new int[n];
        Arrays.fill(out, -1);
        int next = 0;
        for (Cluster<DendrogramModel> cl : c.getAllClusters()) {
            if (cl.isNoise()) {
                continue;
            }
            int k = next++;
            for (DBIDIter it = cl.getIDs().iter(); it.valid(); it.advance()) {
                out[ids.getOffset(it)] = k;
            }
        }
        labels = out;
        who = "elki";
        return out;
    }

    /** Writes this trial's labels; when the other implementation's are there (same n), prints the ARI and the cluster counts. */
    @TearDown
    public void compare() throws IOException {
        boolean ours = who.equals("workbench");
        Path dir = Files.createDirectories(Workspace.home().resolve("bench-work"));
        Path mine = dir.resolve("hdbscan-" + who + "-" + n + ".txt");
        Path other = dir.resolve("hdbscan-" + (ours ? "elki" : "workbench") + "-" + n + ".txt");
        Files.writeString(mine, Arrays.stream(labels).mapToObj(Integer::toString).collect(Collectors.joining("\n")));
        System.out.printf("%n%s: %d clusters, %d points labelled -1%n", ours ? "workbench" : "ELKI", Arrays.stream(labels).max().orElse(-1) + 1,
                Arrays.stream(labels).filter(l -> l < 0).count());
        if (Files.exists(other)) {
            int[] theirs = Files.readAllLines(other).stream().mapToInt(Integer::parseInt).toArray();
            if (theirs.length == labels.length) {
                System.out.printf("ARI workbench vs ELKI, n = %d: %.4f%n", n, ari(labels, theirs));
            }
        }
    }

    /** Codes: {@code groups} random prototypes, members with each bit flipped with probability {@code flip}, then {@code noise} uniform random codes. */
    static CodePoints codes(long seed, int bits, int groups, int perGroup, double flip, int noise) {
        Random r = new Random(seed);
        int n = groups * perGroup + noise;
        int wpr = SplineCodes.wordsPerRow(bits);
        long[] words = new long[n * wpr];
        boolean[][] protos = new boolean[groups][bits];
        for (boolean[] p : protos) {
            for (int b = 0; b < bits; b++) {
                p[b] = r.nextBoolean();
            }
        }
        for (int i = 0; i < n; i++) {
            int g = i / perGroup;
            for (int b = 0; b < bits; b++) {
                boolean bit = g < groups ? protos[g][b] ^ (r.nextDouble() < flip) : r.nextBoolean();
                if (bit) {
                    words[i * wpr + (b >>> 6)] |= 1L << (b & 63);
                }
            }
        }
        return new CodePoints(new SplineCodes(n, bits, words));
    }

    /** Adjusted Rand index (Hubert and Arabie); noise (-1) counts as one more label, as in scikit-learn. */
    static double ari(int[] a, int[] b) {
        Map<Long, Long> cells = new HashMap<>();
        Map<Integer, Long> rowsA = new HashMap<>(), rowsB = new HashMap<>();
        for (int i = 0; i < a.length; i++) {
            cells.merge(((long) a[i] << 32) ^ (b[i] & 0xffffffffL), 1L, Long::sum);
            rowsA.merge(a[i], 1L, Long::sum);
            rowsB.merge(b[i], 1L, Long::sum);
        }
        double index = cells.values().stream().mapToDouble(HdbscanBenchmark::pairs).sum();
        double sa = rowsA.values().stream().mapToDouble(HdbscanBenchmark::pairs).sum();
        double sb = rowsB.values().stream().mapToDouble(HdbscanBenchmark::pairs).sum();
        double expected = sa * sb / pairs(a.length);
        double max = (sa + sb) / 2;
        return max == expected ? 1 : (index - expected) / (max - expected);
    }

    private static double pairs(long n) {
        return n * (n - 1) / 2.0;
    }
}
