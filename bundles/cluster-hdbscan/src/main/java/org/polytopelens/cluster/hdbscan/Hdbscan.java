package org.polytopelens.cluster.hdbscan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.polytopelens.api.Progress;
import org.polytopelens.api.data.Clustering;
import org.polytopelens.api.data.CodePoints;
import org.polytopelens.api.data.PointSet;
import org.polytopelens.api.data.SplineCodes;

/**
 * HDBSCAN* as defined by Campello, Moulavi and Sander (PAKDD 2013; TKDD 2015), computed from a
 * distance function alone, in O(n^2) distance evaluations and O(n) memory:
 *
 * <ol>
 *   <li><b>Core distance</b> of p: distance to its {@code minSamples}-th nearest neighbour,
 *       <em>counting p itself</em> (so {@code minSamples = 1} gives 0). With fewer points than
 *       {@code minSamples}, the farthest point is used.
 *   <li><b>Mutual reachability</b> {@code max(core(p), core(q), d(p, q))}; its minimum spanning
 *       tree by Prim's algorithm on the complete graph, distances computed on the fly (never an n
 *       x n matrix).
 *   <li><b>Hierarchy</b>: MST edges removed in decreasing weight, <em>edges of equal weight removed
 *       simultaneously</em> (the textbook rule), so a cluster may split into more than two
 *       children at one level. Consequently the hierarchy depends only on the mutual
 *       reachability graph, not on which of several equal-weight spanning trees Prim found, nor
 *       on the order of the points: no tie-breaking is needed. (A library that merges tied
 *       edges one at a time can differ: ELKI 0.8.0 puts a point that reaches a group exactly at
 *       the group's split level into the group, where the textbook, and Tribuo 4.3.2 in our
 *       tests, leave it noise. With Hamming distances such ties are common.)
 *   <li><b>Condensed tree</b> with {@code lambda = 1 / epsilon}: at each split, components with
 *       fewer than {@code minClusterSize} points are spurious (their points leave the cluster as
 *       noise at that lambda); one non-spurious component continues the cluster; two or more
 *       end it and start child clusters. Weight 0 (duplicate points) gives lambda = +infinity.
 *   <li><b>Stability</b> {@code S(C) = sum over x in C of (lambda_max(x, C) - lambda_min(C))},
 *       where lambda_max(x, C) is where x leaves C (as noise, or into a child at C's death) and
 *       lambda_min(C) is C's birth. A cluster that ends with exactly {@code minClusterSize}
 *       points falling apart at once has positive stability (ELKI 0.8.0 measures from the
 *       cluster's last growth, scores such a cluster 0 and returns a degenerate partition; the
 *       definition decides here).
 *   <li><b>Selection</b>: excess of mass (bottom up, a cluster is kept when its stability is at
 *       least the sum of its children's selected stabilities, ties keep the parent) or leaves;
 *       the root is not selectable unless {@code allowSingleCluster}. Every point of a selected
 *       cluster (as a set, at its birth) gets its label; the rest is noise. With the root
 *       selected that is every point.
 *   <li><b>Labels</b> are numbered by the smallest point index of each selected cluster, so the
 *       output is canonical. <b>Strength</b> is the membership probability without GLOSH:
 *       {@code lambda_max(p, C) / max over q in C of lambda_max(q, C)} for the selected cluster
 *       C (1 for points that went on into a child of C, as in the hdbscan library); 0 for noise.
 *       When C's largest lambda is infinite (duplicates), points at infinity get 1, others 0.
 * </ol>
 *
 * <p>Speed: core distances visit each pair once, in cache-sized tiles, on up to {@code threads}
 * threads; Prim's loop (from {@value #PARALLEL_PRIM_MIN} points) splits the points in two halves
 * relaxed by two threads, and skips the distance whenever the two core distances alone cannot
 * improve a candidate edge. Hard codes ({@link CodePoints}) are compared by popcount directly on
 * the packed words. The result is the same for any thread count. Measured (2 cores, shared):
 * 2,000 codes of 96 bits in about 0.05 s; 20,000 codes of 7,408 bits in 9.5-9.7 s
 * (docs/performance.md).
 */
final class Hdbscan {
    enum Selection {
        EOM,
        LEAF
    }

    /** The condensed tree and its selection; cluster 0 is the root, parents precede children. */
    record Tree(int[] parent, double[] birth, double[] death, double[] stability, boolean[] selected,
            int[] pointCluster, double[] pointLambda) {
        int clusters() {
            return parent.length;
        }
    }

    record Output(Clustering clustering, Tree tree, double[] core) {}

    private final int minClusterSize;
    private final int minSamples;
    private final Selection selection;
    private final boolean allowSingleCluster;
    private final int threads;

    Hdbscan(int minClusterSize, int minSamples, Selection selection, boolean allowSingleCluster, int threads) {
        if (minClusterSize < 2) {
            throw new IllegalArgumentException("min_cluster_size must be at least 2, got " + minClusterSize);
        }
        if (minSamples < 0) {
            throw new IllegalArgumentException("min_samples must be 0 (= min_cluster_size) or positive, got " + minSamples);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        this.minClusterSize = minClusterSize;
        this.minSamples = minSamples == 0 ? minClusterSize : minSamples;
        this.selection = selection;
        this.allowSingleCluster = allowSingleCluster;
        this.threads = threads;
    }

    Output run(PointSet points, Progress progress) throws InterruptedException {
        int n = points.size();
        if (n == 0) {
            return new Output(new Clustering(new int[0], 0, new double[0]), null, new double[0]);
        }
        Distance d = Distance.of(points);
        progress.report(0, "HDBSCAN*: core distances of " + n + " points");
        double[] core = coreDistances(d, n, progress);
        progress.report(0.3, "HDBSCAN*: minimum spanning tree");
        double[][] mst = primMst(d, n, core, progress);
        progress.report(0.95, "HDBSCAN*: condensed tree");
        Tree tree = condense(n, mst[0], mst[1], mst[2]);
        Clustering c = label(n, tree);
        progress.report(1, "HDBSCAN*: " + c.clusters() + " clusters");
        return new Output(c, tree, core);
    }

    /** Distance with a popcount fast path for packed codes (no per-pair virtual call or record accessor chain). */
    interface Distance {
        double between(int i, int j);

        static Distance of(PointSet points) {
            if (points instanceof CodePoints cp) {
                SplineCodes codes = cp.codes();
                long[] w = codes.words();
                int wpr = codes.wordsPerRow();
                return (i, j) -> {
                    int a = i * wpr, b = j * wpr, s = 0;
                    for (int k = 0; k < wpr; k++) {
                        s += Long.bitCount(w[a + k] ^ w[b + k]);
                    }
                    return s;
                };
            }
            return points::distance;
        }
    }

    // ---- 1. core distances -------------------------------------------------------------------

    /** Points per tile side: a tile's two blocks of packed rows stay in L1/L2 while all their pairs are compared. */
    private static final int BLOCK = 64;

    /**
     * Each pair once, tile by tile (block I against block J >= I), each distance offered to both
     * points' bounded max-heaps of the k - 1 nearest others. Every thread keeps its own heaps for
     * all points (O(n k) memory) and takes tiles from a shared counter; the heaps are merged at the
     * end. The k-th smallest of a multiset does not depend on the order it was seen in, so the
     * result is the same for any thread count or schedule.
     */
    double[] coreDistances(Distance d, int n, Progress progress) throws InterruptedException {
        double[] core = new double[n];
        int k = Math.min(minSamples, n) - 1; // neighbours besides the point itself
        if (k == 0) {
            return core;
        }
        int blocks = (n + BLOCK - 1) / BLOCK;
        long tiles = (long) blocks * (blocks + 1) / 2;
        java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong();
        int workers = (int) Math.min(threads, tiles);
        Heaps[] heaps = new Heaps[workers];
        java.util.concurrent.Callable<Void> work = () -> {
            Heaps h = new Heaps(n, k);
            synchronized (heaps) {
                for (int w = 0; w < heaps.length; w++) {
                    if (heaps[w] == null) {
                        heaps[w] = h;
                        break;
                    }
                }
            }
            // Tiles in row-major order of (I, J >= I): row I holds blocks - I tiles.
            int bi = 0;
            long rowStart = 0;
            for (long t; (t = next.getAndIncrement()) < tiles; ) {
                if ((t & 15) == 0) {
                    progress.checkCancelled();
                }
                while (t >= rowStart + (blocks - bi)) {
                    rowStart += blocks - bi;
                    bi++;
                }
                int bj = bi + (int) (t - rowStart);
                tile(d, n, bi, bj, h);
            }
            return null;
        };
        if (workers == 1) {
            try {
                work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
                Thread t = new Thread(r, "hdbscan-core");
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<Void>> jobs = new ArrayList<>();
                for (int w = 0; w < workers; w++) {
                    jobs.add(pool.submit(work));
                }
                for (Future<Void> f : jobs) {
                    try {
                        f.get();
                    } catch (ExecutionException e) {
                        next.set(tiles); // stop the other workers early
                        if (e.getCause() instanceof RuntimeException re) {
                            throw re;
                        }
                        throw new IllegalStateException(e.getCause());
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
        Heaps all = heaps[0];
        for (int w = 1; w < workers; w++) {
            if (heaps[w] != null) {
                all.mergeFrom(heaps[w]);
            }
        }
        for (int p = 0; p < n; p++) {
            core[p] = all.max(p);
        }
        return core;
    }

    private static void tile(Distance d, int n, int bi, int bj, Heaps h) {
        int i0 = bi * BLOCK, i1 = Math.min(n, i0 + BLOCK);
        int j0 = bj * BLOCK, j1 = Math.min(n, j0 + BLOCK);
        for (int j = j0; j < j1; j++) {
            int iEnd = bi == bj ? j : i1;
            for (int i = i0; i < iEnd; i++) {
                double x = d.between(i, j);
                h.offer(i, x);
                h.offer(j, x);
            }
        }
    }

    /** For every point a bounded max-heap of its k smallest distances to others, flat in one array. */
    private static final class Heaps {
        final int k;
        final double[] v;
        final int[] size;

        Heaps(int n, int k) {
            this.k = k;
            this.v = new double[n * k];
            this.size = new int[n];
        }

        void offer(int p, double x) {
            int s = size[p], o = p * k;
            if (s < k) {
                v[o + s] = x;
                siftUp(v, o, s);
                size[p] = s + 1;
            } else if (x < v[o]) {
                v[o] = x;
                siftDown(v, o, k);
            }
        }

        double max(int p) {
            return v[p * k];
        }

        void mergeFrom(Heaps other) {
            for (int p = 0; p < size.length; p++) {
                for (int s = 0, o = p * k; s < other.size[p]; s++) {
                    offer(p, other.v[o + s]);
                }
            }
        }
    }

    private static void siftUp(double[] h, int o, int i) {
        double x = h[o + i];
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (h[o + p] >= x) {
                break;
            }
            h[o + i] = h[o + p];
            i = p;
        }
        h[o + i] = x;
    }

    private static void siftDown(double[] h, int o, int size) {
        double x = h[o];
        int i = 0;
        for (int c; (c = 2 * i + 1) < size; i = c) {
            if (c + 1 < size && h[o + c + 1] > h[o + c]) {
                c++;
            }
            if (h[o + c] <= x) {
                break;
            }
            h[o + i] = h[o + c];
        }
        h[o + i] = x;
    }

    // ---- 2. minimum spanning tree of mutual reachability (Prim, O(n^2)) --------------------

    /** Below this many points Prim's loop runs on one thread (a handshake per edge would cost more than it saves). */
    static final int PARALLEL_PRIM_MIN = 4096;

    /** Smallest n for the two-thread Prim loop; tests lower it to exercise the handshake on small inputs. */
    private int parallelPrimMin = PARALLEL_PRIM_MIN;

    Hdbscan parallelPrimFrom(int n) {
        parallelPrimMin = n;
        return this;
    }

    /**
     * Returns {from[], to[], weight[]} of the n - 1 edges. With two threads the points are split
     * in two fixed halves; per edge both threads relax their half against the newest tree vertex
     * and report their nearest point, joined by a spinning handshake (one per edge).
     */
    double[][] primMst(Distance d, int n, double[] core, Progress progress) {
        double[] from = new double[n - 1], to = new double[n - 1], weight = new double[n - 1];
        double[] best = new double[n];
        int[] via = new int[n];
        Arrays.fill(best, Double.POSITIVE_INFINITY);
        boolean parallel = threads >= 2 && n >= parallelPrimMin;
        Part[] parts = parallel
                ? new Part[] {new Part(1, n / 2, d, core, best, via), new Part(n / 2, n, d, core, best, via)}
                : new Part[] {new Part(1, n, d, core, best, via)};
        Helper helper = parallel ? new Helper(parts[1]) : null;
        if (helper != null) {
            helper.start();
        }
        try {
            int current = 0;
            for (int e = 0; e < n - 1; e++) {
                if ((e & 63) == 0) {
                    progress.checkCancelled();
                    if ((e & 1023) == 0) {
                        progress.report(0.3 + 0.65 * e / n, "HDBSCAN*: minimum spanning tree, " + e + " of " + (n - 1) + " edges");
                    }
                }
                if (helper != null) {
                    helper.go(current, e);
                }
                Part winner = parts[0];
                parts[0].scan(current);
                if (helper != null) {
                    helper.await(e);
                    // Ties go to the lower half; any choice gives the same hierarchy (ties merge simultaneously).
                    if (parts[1].min < parts[0].min || parts[0].argmin < 0) {
                        winner = parts[1];
                    }
                }
                int next = winner.take();
                from[e] = via[next];
                to[e] = next;
                weight[e] = best[next];
                current = next;
            }
        } finally {
            if (helper != null) {
                helper.finish();
            }
        }
        return new double[][] {from, to, weight};
    }

    /**
     * Points [lo, hi) not yet in the tree; best[] and via[] are shared, indexed by point. Each scan
     * visits the remaining points in ascending order (a flag marks those taken), so the codes are
     * read front to back and the hardware prefetcher streams them: the scans read every remaining
     * row once per edge, which makes this phase bound by memory, not by the popcounts (swap-removal
     * had scattered the order; 20,000 codes of 7,408 bits: 9.5-9.7 s against 10.1-11.5 s, HdbscanBenchmark).
     */
    private static final class Part {
        final Distance d;
        final double[] core, best;
        final int[] via;
        final boolean[] taken;
        final int lo, hi;
        double min;
        int argmin;

        Part(int lo, int hi, Distance d, double[] core, double[] best, int[] via) {
            this.d = d;
            this.core = core;
            this.best = best;
            this.via = via;
            this.lo = lo;
            this.hi = Math.max(lo, hi);
            this.taken = new boolean[this.hi - lo];
        }

        void scan(int current) {
            double cc = core[current];
            int arg = -1;
            double m = Double.POSITIVE_INFINITY;
            for (int j = lo; j < hi; j++) {
                if (taken[j - lo]) {
                    continue;
                }
                double lower = Math.max(cc, core[j]);
                double b = best[j];
                // Mutual reachability is at least max(core, core): skip the distance when that cannot improve.
                if (lower < b) {
                    double x = Math.max(lower, d.between(current, j));
                    if (x < b) {
                        best[j] = b = x;
                        via[j] = current;
                    }
                }
                if (b < m || arg < 0) {
                    m = b;
                    arg = j;
                }
            }
            min = m;
            argmin = arg;
        }

        int take() {
            taken[argmin - lo] = true;
            return argmin;
        }
    }

    /** The second half's thread: waits for an edge number, scans, signals; spins briefly, then yields. */
    private static final class Helper extends Thread {
        private final Part part;
        private volatile int current;
        private volatile int go = -1, done = -1;
        private volatile boolean stopped;
        private volatile RuntimeException failure;

        Helper(Part part) {
            super("hdbscan-prim");
            setDaemon(true);
            this.part = part;
        }

        void go(int current, int edge) {
            this.current = current;
            go = edge; // volatile write publishes current and the shared arrays
        }

        void await(int edge) {
            for (int spins = 0; done != edge; spins++) {
                if (failure != null) {
                    throw failure;
                }
                pause(spins);
            }
            if (failure != null) {
                throw failure;
            }
        }

        void finish() {
            stopped = true;
            try {
                join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void run() {
            int edge = 0;
            try {
                while (true) {
                    for (int spins = 0; go != edge; spins++) {
                        if (stopped) {
                            return;
                        }
                        pause(spins);
                    }
                    part.scan(current);
                    done = edge++;
                }
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        private static void pause(int spins) {
            if (spins < 1000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    // ---- 3-5. hierarchy with simultaneous ties, condensed tree, stability, selection -------

    Tree condense(int n, double[] from, double[] to, double[] weight) {
        int m = weight.length;
        Integer[] order = new Integer[m];
        for (int e = 0; e < m; e++) {
            order[e] = e;
        }
        Arrays.sort(order, (a, b) -> Double.compare(weight[a], weight[b]));

        // Multi-way single-linkage dendrogram: nodes 0..n-1 are points, n.. are merges; a batch of
        // equal-weight edges merges each connected group of current components into one node.
        int maxNodes = 2 * n;
        double[] height = new double[maxNodes];
        int[] size = new int[maxNodes];
        int[] firstChild = new int[maxNodes], nextSibling = new int[maxNodes];
        Arrays.fill(firstChild, -1);
        Arrays.fill(nextSibling, -1);
        Arrays.fill(size, 0, n, 1);
        int nodes = n;
        int[] uf = new int[n]; // union-find over points
        int[] top = new int[n]; // dendrogram node of each union-find root
        for (int i = 0; i < n; i++) {
            uf[i] = i;
            top[i] = i;
        }
        int[] batchUf = new int[maxNodes]; // union-find over dendrogram nodes within one batch
        int[] newNode = new int[maxNodes];
        List<Integer> touched = new ArrayList<>();
        IntList edgeTop = new IntList();
        for (int s = 0; s < m; ) {
            int t = s;
            double w = weight[order[s]];
            while (t < m && weight[order[t]] == w) {
                t++;
            }
            touched.clear();
            edgeTop.clear();
            for (int q = s; q < t; q++) {
                int e = order[q];
                int a = top[find(uf, (int) from[e])], b = top[find(uf, (int) to[e])];
                edgeTop.add(a);
                for (int x : new int[] {a, b}) {
                    if (batchUf[x] == 0) {
                        batchUf[x] = x + 1; // 1-based so 0 means untouched
                        touched.add(x);
                    }
                }
                int ra = findBatch(batchUf, a), rb = findBatch(batchUf, b);
                if (ra != rb) {
                    batchUf[ra] = rb + 1;
                }
            }
            // One new node per group, its children the group's members (in increasing node order).
            touched.sort(null);
            for (int x : touched) {
                newNode[findBatch(batchUf, x)] = -1;
            }
            for (int i = touched.size() - 1; i >= 0; i--) {
                int x = touched.get(i);
                int r = findBatch(batchUf, x);
                if (newNode[r] < 0) {
                    newNode[r] = nodes;
                    height[nodes] = w;
                    nodes++;
                }
                int parent = newNode[r];
                nextSibling[x] = firstChild[parent];
                firstChild[parent] = x;
                size[parent] += size[x];
            }
            for (int q = s; q < t; q++) {
                int e = order[q];
                int group = newNode[findBatch(batchUf, edgeTop.get(q - s))];
                union(uf, (int) from[e], (int) to[e]);
                top[find(uf, (int) from[e])] = group;
            }
            for (int x : touched) {
                batchUf[x] = 0;
            }
            s = t;
        }
        return condensedTree(n, nodes - 1, height, size, firstChild, nextSibling);
    }

    private static int find(int[] uf, int x) {
        while (uf[x] != x) {
            uf[x] = uf[uf[x]];
            x = uf[x];
        }
        return x;
    }

    private static void union(int[] uf, int a, int b) {
        int ra = find(uf, a), rb = find(uf, b);
        if (ra != rb) {
            uf[ra] = rb;
        }
    }

    private static int findBatch(int[] uf, int x) {
        while (uf[x] - 1 != x) {
            int p = uf[x] - 1;
            uf[x] = uf[p];
            x = p;
        }
        return x;
    }

    private Tree condensedTree(int n, int rootNode, double[] height, int[] size, int[] firstChild, int[] nextSibling) {
        // Growable per-cluster arrays; cluster 0 is the root, born at lambda 0.
        IntList parent = new IntList();
        DoubleList birth = new DoubleList(), death = new DoubleList(), stability = new DoubleList();
        IntList node = new IntList();
        int[] pointCluster = new int[n];
        double[] pointLambda = new double[n];
        parent.add(-1);
        birth.add(0);
        death.add(0);
        stability.add(0);
        node.add(rootNode);
        int[] stack = new int[Math.max(16, n)];
        IntList bigChildren = new IntList();
        // Clusters are processed in creation order: parents before children.
        for (int c = 0; c < parent.size(); c++) {
            int current = node.get(c);
            double born = birth.get(c);
            while (true) {
                if (current < n) { // a lone point (only when n == 1 or min size would allow it)
                    pointCluster[current] = c;
                    pointLambda[current] = Double.POSITIVE_INFINITY;
                    stability.set(c, stability.get(c) + (Double.POSITIVE_INFINITY - born));
                    death.set(c, Double.POSITIVE_INFINITY);
                    break;
                }
                double lambda = 1 / height[current]; // 1/0 = +infinity for duplicates
                bigChildren.clear();
                for (int ch = firstChild[current]; ch >= 0; ch = nextSibling[ch]) {
                    if (size[ch] >= minClusterSize) {
                        bigChildren.add(ch);
                    } else {
                        // Spurious component: its points leave c as noise here.
                        int fallen = collectPoints(ch, n, firstChild, nextSibling, stack, pointCluster, pointLambda, c, lambda);
                        stability.set(c, stability.get(c) + fallen * (lambda - born));
                    }
                }
                if (bigChildren.size() == 1) {
                    current = bigChildren.get(0);
                    continue;
                }
                death.set(c, lambda);
                for (int i = 0; i < bigChildren.size(); i++) {
                    int ch = bigChildren.get(i);
                    stability.set(c, stability.get(c) + size[ch] * (lambda - born));
                    parent.add(c);
                    birth.add(lambda);
                    death.add(0);
                    stability.add(0);
                    node.add(ch);
                }
                break;
            }
        }
        int k = parent.size();
        boolean[] selected = select(k, parent.toArray(), stability.toArray());
        return new Tree(parent.toArray(), birth.toArray(), death.toArray(), stability.toArray(), selected, pointCluster, pointLambda);
    }

    private static int collectPoints(int root, int n, int[] firstChild, int[] nextSibling, int[] stack,
            int[] pointCluster, double[] pointLambda, int cluster, double lambda) {
        int sp = 0, count = 0;
        stack[sp++] = root;
        while (sp > 0) {
            int x = stack[--sp];
            if (x < n) {
                pointCluster[x] = cluster;
                pointLambda[x] = lambda;
                count++;
            } else {
                for (int ch = firstChild[x]; ch >= 0; ch = nextSibling[ch]) {
                    stack[sp++] = ch;
                }
            }
        }
        return count;
    }

    private boolean[] select(int k, int[] parent, double[] stability) {
        boolean[] selected = new boolean[k];
        boolean[] hasChildren = new boolean[k];
        for (int c = 1; c < k; c++) {
            hasChildren[parent[c]] = true;
        }
        if (selection == Selection.LEAF) {
            for (int c = 0; c < k; c++) {
                selected[c] = !hasChildren[c];
            }
            selected[0] &= allowSingleCluster;
            return selected;
        }
        // Excess of mass, bottom up (children have larger indices than parents).
        double[] childSum = new double[k];
        double[] best = new double[k];
        for (int c = k - 1; c >= 0; c--) {
            boolean selectable = c > 0 || allowSingleCluster;
            if (!hasChildren[c]) {
                best[c] = stability[c];
                selected[c] = selectable;
            } else if (selectable && stability[c] >= childSum[c]) {
                best[c] = stability[c];
                selected[c] = true;
            } else {
                best[c] = childSum[c];
            }
            if (c > 0) {
                childSum[parent[c]] += best[c];
            }
        }
        // A selected cluster deselects its descendants (top down: parents first).
        boolean[] covered = new boolean[k];
        for (int c = 1; c < k; c++) {
            covered[c] = covered[parent[c]] || selected[parent[c]];
            if (covered[c]) {
                selected[c] = false;
            }
        }
        return selected;
    }

    // ---- 6. labels and strengths ----------------------------------------------------------

    private static Clustering label(int n, Tree t) {
        int k = t.clusters();
        int[] owner = new int[k]; // selected ancestor-or-self, or -1
        for (int c = 0; c < k; c++) {
            owner[c] = t.selected()[c] ? c : (c == 0 ? -1 : owner[t.parent()[c]]);
        }
        // lambda_max(p, C): where p leaves the selected C (its own fall-out lambda, or C's death
        // when p went on into a child of C).
        double[] leave = new double[n];
        double[] maxLambda = new double[k];
        int[] firstPoint = new int[k];
        Arrays.fill(firstPoint, Integer.MAX_VALUE);
        for (int p = 0; p < n; p++) {
            int c = owner[t.pointCluster()[p]];
            if (c < 0) {
                continue;
            }
            leave[p] = t.pointCluster()[p] == c ? t.pointLambda()[p] : t.death()[c];
            maxLambda[c] = Math.max(maxLambda[c], leave[p]);
            firstPoint[c] = Math.min(firstPoint[c], p);
        }
        // Labels numbered by each selected cluster's smallest point index.
        Integer[] sel = java.util.stream.IntStream.range(0, k).filter(c -> t.selected()[c]).boxed().toArray(Integer[]::new);
        Arrays.sort(sel, (a, b) -> Integer.compare(firstPoint[a], firstPoint[b]));
        int[] labelOf = new int[k];
        Arrays.fill(labelOf, Clustering.NOISE);
        for (int i = 0; i < sel.length; i++) {
            labelOf[sel[i]] = i;
        }
        int[] labels = new int[n];
        double[] strength = new double[n];
        for (int p = 0; p < n; p++) {
            int c = owner[t.pointCluster()[p]];
            if (c < 0) {
                labels[p] = Clustering.NOISE;
                continue;
            }
            labels[p] = labelOf[c];
            double max = maxLambda[c];
            if (Double.isInfinite(max)) {
                strength[p] = Double.isInfinite(leave[p]) ? 1 : 0;
            } else {
                strength[p] = max <= 0 ? 1 : Math.min(1, Math.max(0, leave[p] / max));
            }
        }
        return new Clustering(labels, sel.length, strength);
    }

    private static final class IntList {
        private int[] a = new int[16];
        private int size;

        void add(int x) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            a[size++] = x;
        }

        int get(int i) {
            return a[i];
        }

        int size() {
            return size;
        }

        void clear() {
            size = 0;
        }

        int[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }

    private static final class DoubleList {
        private double[] a = new double[16];
        private int size;

        void add(double x) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            a[size++] = x;
        }

        double get(int i) {
            return a[i];
        }

        void set(int i, double x) {
            a[i] = x;
        }

        double[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }
}
