package org.polytopelens.analysis.slice;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.AnalysisContext;
import org.polytopelens.api.Engine;
import org.polytopelens.api.Model;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Progress;
import org.polytopelens.api.Sharded;
import org.polytopelens.api.SpaceEncoder;
import org.polytopelens.api.data.HeatMap;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.npy.NpyDtype;
import org.polytopelens.npy.NpyWriter;

/**
 * The 2D slice (METHODS.md analysis 7): the plane through three examples' points a, b, c of the
 * layer's space, an N x N grid on it (see {@link Plane}), the hard codes (layer to output) of
 * every grid point, and per pixel the boundary strength: the Hamming distance of its code to its
 * right neighbour's plus to its lower neighbour's (a missing neighbour at the last column or row
 * adds 0). The sum, not the max, so a pixel next to a boundary crossing both directions counts
 * every neuron that flips. Then Gaussian smoothing for the heat map.
 *
 * <p>Streaming: a shard is a block of {@code batch_size} rows plus the row below it, coded in
 * chunks of at most {@link #CHUNK_POINTS} points, so a shard holds O(N * bits) codes and never
 * the grid's O(N^2 * bits); shards return only their rows of distances (float), merged into the
 * N x N image. Every grid point is computed from its pixel index alone, so the image does not
 * depend on the block size or the number of threads.
 *
 * <p>Outputs per model (a suffix {@code -<role>} when the experiment has several): {@code
 * slice.npy} (raw distances, float32 [N, N]), the heat map {@code slice-heatmap} (smoothed; block
 * means of at most {@link #PUBLISH_MAX} x {@link #PUBLISH_MAX} for larger N, since a published
 * result is also saved as JSON), and one {@code slice.json} with the geometry and counts.
 */
@Component(service = Analysis.class)
@Designate(ocd = SliceAnalysis.Config.class)
public final class SliceAnalysis implements Analysis {
    @ObjectClassDefinition(name = "2D slice through three examples",
            description = "Heat map of polytope boundaries on the plane through three examples' points of the layer's space.")
    public @interface Config {
        @AttributeDefinition(name = "Examples", description = "Three dataset indices: the plane passes through their points.", cardinality = 3)
        int[] examples() default {0, 1, 2};

        @AttributeDefinition(name = "Resolution", description = "N: the grid has N x N pixels (2 to 4096).", min = "2", max = "4096")
        int resolution() default 256;

        @AttributeDefinition(name = "Margin", description = "How far the grid extends beyond the three points, as a fraction of their extent on each side (>= 0).", min = "0")
        double margin() default 0.25;

        @AttributeDefinition(name = "Smoothing", description = "Sigma of the Gaussian smoothing of the heat map, in pixels (0 = none).", min = "0")
        double smoothing() default 1.0;

        @AttributeDefinition(name = "Batch size", description = "Grid rows per shard of work.", min = "1")
        int batch_size() default 16;
    }

    static final int MAX_RESOLUTION = 4096;
    /** Points per call of the encoder at most. */
    static final int CHUNK_POINTS = 4096;
    /**
     * Bytes of points per call of the encoder: ~1 MB keeps a call's input and the backend's
     * intermediate tensors near the core's cache (4,096 points of 1,936 floats, 31 MB, made the
     * CNN slice 1.35x slower than chunks of 256 points on this machine; SliceBenchmark).
     */
    static final int CHUNK_BYTES = 1 << 20;
    /** Distinct codes counted up to this many; beyond, the count is a lower bound. */
    static final int DISTINCT_CAP = 1 << 20;
    /** The published heat map is block-averaged to at most this side (its JSON holds every value). */
    static final int PUBLISH_MAX = 1024;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public String id() {
        return "slice";
    }

    @Override
    public String name() {
        return "2D slice through three examples";
    }

    @Override
    public String description() {
        return "The plane through three examples' points of the layer's space: an N x N grid, codes (layer to output) at every pixel, Hamming"
                + " distance to the right plus lower neighbour, Gaussian smoothing; heat map 'slice-heatmap' with the examples marked, slice.npy (raw"
                + " distances, float32 [N, N]) and slice.json (geometry, distinct codes, mean boundary density).";
    }

    /** A shard's rows of distances and the (64-bit hashes of the) distinct codes in them. */
    record Strip(int firstRow, float[] distances, Set<Long> codes, boolean capped) {}

    /** One model's slice: the raw image and what slice.json reports of it ({@code fedAt}: the tensor the grid was fed as). */
    record Slice(String role, Plane plane, float[] image, int bits, int distinct, boolean capped, String fedAt) {}

    /** How the grid is fed: the plane in the layer's space, or its image at a later tensor. */
    record Feed(SpaceEncoder encoder, Plane plane, long[] shape, String tensor) {}


    /**
     * The shortcut, generic: when the first coded site's pre-activation P is an affine
     * function of the layer ({@link Model#isAffine}: convolutions, dense layers, pooling by
     * averaging, reshapes between) and the encoder can be fed at P, the grid point a + x u + y v
     * maps to f(a) + x L(u) + y L(v), where f(a), f(a + s u) and f(a + s v) come from one run of
     * three points (s the grid's side, L(u) = (f(a + s u) - f(a)) / s). The grid is then fed at P:
     * every point skips the layers up to P. Floating-point rounding differs from feeding the layer
     * (a pixel exactly on a boundary may flip), so the codes of five grid pixels are compared both
     * ways first, and any disagreement or error keeps the direct way. Otherwise (not affine, or
     * the encoder cannot feed P) the grid is fed at the layer itself.
     */
    static Feed feed(Model model, SpaceEncoder encoder, Plane plane, String from, long[] shape, java.util.function.Consumer<String> log) {
        Feed direct = new Feed(encoder, plane, shape, from);
        if (encoder.sites().isEmpty()) {
            return direct;
        }
        String to = encoder.sites().get(0).preactivation();
        try {
            Optional<SpaceEncoder> fed = to.equals(from) || !model.isAffine(from, to) ? Optional.empty() : encoder.fedAt(to);
            if (fed.isEmpty()) {
                return direct;
            }
            int dim = plane.a().length, n = plane.n();
            double side = plane.step() * (n - 1);
            float[] three = new float[3 * dim];
            for (int k = 0; k < dim; k++) {
                three[k] = (float) plane.a()[k];
                three[dim + k] = (float) (plane.a()[k] + side * plane.u()[k]);
                three[2 * dim + k] = (float) (plane.a()[k] + side * plane.v()[k]);
            }
            Tensor images = model.run(Map.of(from, Tensor.batch(3, shape, three)), List.of(to)).get(to);
            float[] fa = images.row(0), fau = images.row(1), fav = images.row(2);
            double[] a = new double[fa.length], u = new double[fa.length], v = new double[fa.length];
            for (int k = 0; k < fa.length; k++) {
                a[k] = fa[k];
                u[k] = (fau[k] - (double) fa[k]) / side;
                v[k] = (fav[k] - (double) fa[k]) / side;
            }
            Feed shortcut = new Feed(fed.get(), plane.image(a, u, v), images.pointShape(), to);
            SplineCodes want = encoder.hard(pixels(plane, shape)), got = shortcut.encoder().hard(pixels(shortcut.plane(), shortcut.shape()));
            if (!want.equals(got)) {
                log.accept("fed at '" + from + "': the shortcut through '" + to + "' gave other codes on checked pixels (rounding at a boundary)");
                return direct;
            }
            log.accept("'" + to + "' is affine in '" + from + "': the grid is fed there (" + Tensor.size(images.pointShape())
                    + " values a point instead of " + dim + "), from three runs");
            return shortcut;
        } catch (Exception e) {
            log.accept("fed at '" + from + "' (no shortcut through '" + to + "': " + e.getMessage() + ")");
            return direct;
        }
    }

    /** The grid points of the corners and the centre: their codes both ways must agree before the shortcut is used. */
    private static Tensor pixels(Plane plane, long[] shape) {
        int n = plane.n(), dim = plane.a().length, last = n - 1;
        int[][] pixels = {{0, 0}, {0, last}, {last, 0}, {last, last}, {n / 2, n / 2}};
        float[] data = new float[pixels.length * dim];
        for (int i = 0; i < pixels.length; i++) {
            plane.point(pixels[i][0], pixels[i][1], data, i * dim);
        }
        return Tensor.batch(pixels.length, shape, data);
    }

    @Override
    public void run(AnalysisContext ctx, Parameters params) throws Exception {
        Config c = params.as(Config.class);
        int[] ex = c.examples();
        int size = ctx.dataset().size();
        check(ex.length == 3, "examples must be three dataset indices, got " + Arrays.toString(ex));
        for (int i : ex) {
            check(i >= 0 && i < size, "example " + i + " is not in the dataset (valid: 0 to " + (size - 1) + ")");
        }
        check(ex[0] != ex[1] && ex[1] != ex[2] && ex[0] != ex[2], "examples must be three different indices, got " + Arrays.toString(ex));
        int n = c.resolution();
        check(n >= 2 && n <= MAX_RESOLUTION, "resolution must be 2 to " + MAX_RESOLUTION + " pixels, got " + n);
        check(c.margin() >= 0 && Double.isFinite(c.margin()), "margin must be a finite number >= 0, got " + c.margin());
        check(c.smoothing() >= 0 && Double.isFinite(c.smoothing()), "smoothing must be a finite sigma >= 0 (pixels), got " + c.smoothing());
        check(c.batch_size() >= 1, "batch_size must be >= 1 row, got " + c.batch_size());
        Optional<int[]> labels = ctx.dataset().labels();
        String[] names = new String[3];
        for (int k = 0; k < 3; k++) {
            int i = ex[k];
            names[k] = "example " + i + labels.filter(l -> i < l.length).map(l -> " (class " + l[i] + ")").orElse("");
        }
        String where = ctx.layer().isEmpty() ? "input space" : "layer " + ctx.layer();
        ctx.log("slice: " + n + " x " + n + " grid in " + where + " through " + String.join(", ", names) + ", margin " + c.margin()
                + ", smoothing sigma " + c.smoothing() + " px, " + c.batch_size() + " rows per shard");

        List<Slice> slices = new ArrayList<>();
        int mi = 0, models = ctx.models().size();
        for (Map.Entry<String, Model> e : ctx.models().entrySet()) {
            String role = e.getKey();
            Model model = e.getValue();
            SpaceEncoder encoder = ctx.encoder(model);
            if (encoder.layout().bits() == 0) {
                throw new IllegalArgumentException("no coded sites downstream of layer '" + ctx.layer() + "' in model '" + role + "': the slice"
                        + " shows polytope boundaries between the layer and the output, so choose a layer before the last nonlinearity");
            }
            Tensor[] pts = {ctx.points(model, ex[0], ex[0] + 1), ctx.points(model, ex[1], ex[1] + 1), ctx.points(model, ex[2], ex[2] + 1)};
            Plane plane = Plane.of(pts[0].row(0), pts[1].row(0), pts[2].row(0), n, c.margin(), names);
            ctx.progress().report((double) mi / models, role + ": " + n + " x " + n + " slice, " + encoder.layout().bits() + " bits");
            String from = ctx.layer().isEmpty() ? model.info().inputs().get(0).name() : ctx.layer();
            Feed feed = feed(model, encoder, plane, from, pts[0].pointShape(), line -> ctx.log("slice " + role + ": " + line));
            Strip all = slice(ctx.engine(), ctx.progress(), feed.encoder(), feed.plane(), feed.shape(), c.batch_size());
            slices.add(new Slice(role, plane, all.distances(), encoder.layout().bits(), all.codes().size(), all.capped(), feed.tensor()));
            mi++;
        }
        ctx.progress().report(1, "slice done");
        for (Slice s : slices) {
            String suffix = slices.size() == 1 ? "" : "-" + s.role();
            ctx.results().write("slice" + suffix + ".npy", out -> {
                NpyWriter w = NpyWriter.to(out, NpyDtype.FLOAT32, new long[] {n, n});
                w.append(s.image());
                w.close();
            });
            // Not "slice": the sink saves a published result as <name>.json, and slice.json is the summary.
            ctx.results().publish(heatMap("slice-heatmap" + suffix, s, names, ex, labels.orElse(null), where, c.smoothing(), slices.size() > 1));
        }
        write(ctx, c, names, slices);
    }

    /** The whole grid's distances, row blocks as shards on the engine (also driven by the JMH benchmark). */
    static Strip slice(Engine engine, Progress progress, SpaceEncoder encoder, Plane plane, long[] pointShape, int rowsPerShard) {
        int n = plane.n(), shards = (n + rowsPerShard - 1) / rowsPerShard;
        return engine.run(new Sharded<Strip>() {
            @Override
            public int shards() {
                return shards;
            }

            @Override
            public Strip shard(int index, Progress p) throws Exception {
                int from = index * rowsPerShard;
                return strip(encoder, plane, pointShape, from, Math.min(n, from + rowsPerShard), p);
            }

            @Override
            public Strip merge(List<Strip> parts) {
                float[] image = new float[Math.multiplyExact(n, n)];
                Set<Long> codes = new HashSet<>();
                boolean capped = false;
                for (Strip s : parts) {
                    System.arraycopy(s.distances(), 0, image, s.firstRow() * n, s.distances().length);
                    capped |= s.capped();
                    for (Long h : s.codes()) {
                        if (codes.size() >= DISTINCT_CAP) {
                            capped = true;
                            break;
                        }
                        codes.add(h);
                    }
                }
                return new Strip(0, image, codes, capped);
            }
        }, progress);
    }

    /**
     * Rows {@code [from, to)}: codes of those rows and the row below ({@code to}, if inside the
     * grid), then each pixel's Hamming distance to its right and lower neighbours.
     */
    static Strip strip(SpaceEncoder encoder, Plane plane, long[] pointShape, int from, int to, Progress p) throws Exception {
        int n = plane.n(), dim = plane.a().length;
        long perPoint = Tensor.size(pointShape);
        if (perPoint != dim) {
            throw new IllegalArgumentException("points of shape " + Arrays.toString(pointShape) + " do not have the plane's " + dim + " values");
        }
        int last = Math.min(n - 1, to); // the extra row below the block
        int rows = last - from + 1, points = rows * n;
        int chunk = Math.max(16, Math.min(CHUNK_POINTS, CHUNK_BYTES / (4 * dim)));
        List<SplineCodes> parts = new ArrayList<>();
        double[] origin = new double[dim];
        int originRow = -1;
        float[] buffer = new float[Math.multiplyExact(Math.min(chunk, points), dim)];
        for (int q0 = 0; q0 < points; q0 += chunk) {
            p.checkCancelled();
            int q1 = Math.min(points, q0 + chunk);
            // The encoder copies the points out before it returns: one buffer serves every chunk.
            float[] data = q1 - q0 == buffer.length / dim ? buffer : new float[(q1 - q0) * dim];
            for (int q = q0; q < q1; q++) {
                int row = from + q / n;
                if (row != originRow) {
                    plane.rowOrigin(row, origin);
                    originRow = row;
                }
                plane.point(origin, q % n, data, (q - q0) * dim);
            }
            parts.add(encoder.hard(Tensor.batch(q1 - q0, pointShape, data)));
        }
        SplineCodes codes = parts.size() == 1 ? parts.get(0) : SplineCodes.concatRows(parts);
        if (codes.count() != rows * n) {
            throw new IllegalStateException("the encoder returned " + codes.count() + " codes for " + rows * n + " points");
        }
        long[] w = codes.words();
        int wpr = codes.wordsPerRow();
        float[] dist = new float[(to - from) * n];
        Set<Long> distinct = new HashSet<>();
        boolean capped = false;
        for (int r = 0; r < to - from; r++) {
            for (int col = 0; col < n; col++) {
                int at = (r * n + col) * wpr;
                int d = 0;
                if (col + 1 < n) {
                    d += hamming(w, at, at + wpr, wpr);
                }
                if (from + r + 1 < n) {
                    d += hamming(w, at, at + n * wpr, wpr);
                }
                dist[r * n + col] = d;
                // A code equal to its left neighbour's is not new: hash only where the code changes.
                if (col == 0 || hamming(w, at - wpr, at, wpr) != 0) {
                    if (distinct.size() < DISTINCT_CAP) {
                        distinct.add(hash(w, at, wpr));
                    } else {
                        capped = true;
                    }
                }
            }
        }
        return new Strip(from, dist, distinct, capped);
    }

    private static int hamming(long[] w, int a, int b, int len) {
        int d = 0;
        for (int k = 0; k < len; k++) {
            d += Long.bitCount(w[a + k] ^ w[b + k]);
        }
        return d;
    }

    /** 64-bit hash of a code (splitmix64 finaliser per word): collisions are negligible for counting. */
    static long hash(long[] w, int at, int len) {
        long h = 0x243F6A8885A308D3L;
        for (int k = 0; k < len; k++) {
            long z = h ^ w[at + k];
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            h = z ^ (z >>> 31);
        }
        return h;
    }

    static HeatMap heatMap(String name, Slice s, String[] names, int[] ex, int[] labels, String where, double sigma, boolean withRole) {
        int n = s.plane().n();
        float[] smooth = Gaussian.smooth(s.image(), n, n, sigma);
        // Block averages keep the published result (saved as JSON, every value) small for large N.
        int f = (n + PUBLISH_MAX - 1) / PUBLISH_MAX, m = (n + f - 1) / f;
        float[] values = f == 1 ? smooth : blockMean(smooth, n, f, m);
        List<HeatMap.Mark> marks = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            double[] px = s.plane().pixelOf(k);
            String label = ex[k] + (labels != null && ex[k] < labels.length ? ": class " + labels[ex[k]] : "");
            marks.add(new HeatMap.Mark(label, (px[0] + 0.5) / f - 0.5, (px[1] + 0.5) / f - 0.5));
        }
        String title = "2D slice of " + where + (withRole ? " (" + s.role() + ")" : "") + " through " + String.join(", ", names)
                + (f == 1 ? "" : "; " + f + " x " + f + " block means of " + n + " x " + n);
        String value = "Hamming distance to right + lower pixel" + (sigma == 0 ? "" : " (Gaussian, sigma " + sigma + " px)");
        return new HeatMap(name, title, m, m, values, value, marks);
    }

    static float[] blockMean(float[] img, int n, int f, int m) {
        float[] out = new float[m * m];
        for (int by = 0; by < m; by++) {
            for (int bx = 0; bx < m; bx++) {
                double s = 0;
                int cnt = 0;
                for (int y = by * f; y < Math.min(n, (by + 1) * f); y++) {
                    for (int x = bx * f; x < Math.min(n, (bx + 1) * f); x++) {
                        s += img[y * n + x];
                        cnt++;
                    }
                }
                out[by * m + bx] = (float) (s / cnt);
            }
        }
        return out;
    }

    private static void write(AnalysisContext ctx, Config c, String[] names, List<Slice> slices) throws Exception {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("layer", ctx.layer());
        json.put("examples", c.examples());
        json.put("example_names", names);
        json.put("resolution", c.resolution());
        json.put("margin", c.margin());
        json.put("smoothing_sigma_px", c.smoothing());
        json.put("batch_size", c.batch_size());
        json.put("distance", "per pixel: Hamming distance of its code (layer to output) to its right neighbour's plus its lower neighbour's;"
                + " 0 for a missing neighbour (last column, last row)");
        json.put("fed_at", "the tensor the grid was fed as: the layer, or the first coded site's pre-activation when it is affine in"
                + " the layer (then f(a) + x L(u) + y L(v) from three runs, the same plane)");
        json.put("geometry", "pixel (row, col) is a + x u + y v, x = x0 + col * step, y = y0 - row * step; u = (b - a)/|b - a|, v = the unit"
                + " part of c - a orthogonal to u (Gram-Schmidt); row 0 at the top");
        Map<String, Object> roles = new LinkedHashMap<>();
        for (Slice s : slices) {
            Plane p = s.plane();
            int n = p.n();
            double sum = 0;
            long nonzero = 0;
            for (float v : s.image()) {
                sum += v;
                nonzero += v != 0 ? 1 : 0;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("files", Map.of("npy", "slice" + (slices.size() == 1 ? "" : "-" + s.role()) + ".npy"));
            m.put("code_bits", s.bits());
            m.put("fed_at", s.fedAt());
            m.put("dimension", p.a().length);
            m.put("x0", p.x0());
            m.put("y0", p.y0());
            m.put("step", p.step());
            m.put("side", p.step() * (n - 1));
            Map<String, Object> pts = new LinkedHashMap<>();
            String[] abc = {"a", "b", "c"};
            for (int k = 0; k < 3; k++) {
                double[] px = p.pixelOf(k);
                Map<String, Object> q = new LinkedHashMap<>();
                q.put("example", c.examples()[k]);
                q.put("plane_xy", p.coords()[k]);
                q.put("pixel_col_row", px);
                q.put("nearest_pixel_col_row", new long[] {Math.round(px[0]), Math.round(px[1])});
                pts.put(abc[k], q);
            }
            m.put("points", pts);
            m.put("distinct_codes", s.distinct());
            m.put("distinct_codes_note", s.capped() ? "a lower bound: counting stopped at " + DISTINCT_CAP
                    : "exact up to 64-bit hash collisions (negligible)");
            m.put("mean_boundary_density", sum / ((double) n * n));
            m.put("boundary_pixel_fraction", nonzero / ((double) n * n));
            roles.put(s.role(), m);
        }
        json.put("models", roles);
        ctx.results().write("slice.json", out -> JSON.writeValue(out, json));
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
