package org.polytopelens.viz.jfreechart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.BarPlot;
import org.polytopelens.api.data.HeatMap;
import org.polytopelens.api.data.Histogram;
import org.polytopelens.api.data.LinePlot;
import org.polytopelens.api.data.Result;
import org.polytopelens.api.data.Table;
import org.w3c.dom.Document;

class ChartVisualizerTest {
    private final ChartVisualizer viz = new ChartVisualizer();

    @Test
    void runsHeadless() {
        assertTrue(java.awt.GraphicsEnvironment.isHeadless(), "the tests run as CI does: without a display");
    }

    @Test
    void supportsTheFiveResultTypesOnly() {
        assertTrue(viz.supports(linePlot()));
        assertTrue(viz.supports(barPlot()));
        assertTrue(viz.supports(histogram()));
        assertTrue(viz.supports(new HeatMap("h", "h", 2, 2, new float[4], "v", List.of())));
        assertTrue(viz.supports(new Table("t", "t", List.of("a"), List.of())));
        assertFalse(viz.supports(new Result() {
            public String name() {
                return "other";
            }

            public String title() {
                return "other";
            }
        }));
    }

    @Test
    void linePlotWithBands() throws Exception {
        DirectorySink out = DirectorySink.named("line");
        viz.render(linePlot(), out, Parameters.empty());
        assertEquals(List.of("interpolation.png", "interpolation.svg"), out.written);
        BufferedImage png = checkPng(out.dir.resolve("interpolation.png"), 900, 560);
        assertTrue(near(png, 0x0072B2, 10) > 300, "the first line in Okabe-Ito blue");
        assertTrue(near(png, 0xD55E00, 10) > 300, "the second line in vermillion");
        String text = svgText(out.dir.resolve("interpolation.svg"));
        for (String s : List.of("Predicted-class probability along slerp paths", "position along path (t)", "same class (n=200)",
                "different class (n=200)")) {
            assertTrue(text.contains(s), "SVG has the text '" + s + "'");
        }
    }

    @Test
    void barPlotWithAsymmetricErrorBars() throws Exception {
        DirectorySink out = DirectorySink.named("bar");
        viz.render(barPlot(), out, Parameters.empty());
        BufferedImage png = checkPng(out.dir.resolve("density.png"), 900, 560);
        assertTrue(near(png, 0x000000, 30) > 100, "error bars are drawn in black");
        String text = svgText(out.dir.resolve("density.svg"));
        assertTrue(text.contains("Normalised polytope density, intra- vs inter-class"));
        assertTrue(text.contains("trained") && text.contains("untrained") && text.contains("layer 3"));
    }

    @Test
    void barPlotWithMismatchedErrorBarsIsRefusedByName() {
        BarPlot p = barPlot();
        BarPlot bad = new BarPlot(p.name(), p.title(), p.yLabel(), p.categories(), p.series(), p.values(),
                new double[][] { { 1, 2 }, { 1, 2 }, { 1, 2 } }, p.upper());
        var e = assertThrows(IllegalArgumentException.class, () -> viz.render(bad, DirectorySink.named("bad"), Parameters.empty()));
        assertTrue(e.getMessage().contains("bar plot 'density'") && e.getMessage().contains("lower row 0") && e.getMessage().contains("2 values for 3 categories"),
                e.getMessage());
        BarPlot half = new BarPlot(p.name(), p.title(), p.yLabel(), p.categories(), p.series(), p.values(), p.lower(), null);
        e = assertThrows(IllegalArgumentException.class, () -> viz.render(half, DirectorySink.named("bad"), Parameters.empty()));
        assertTrue(e.getMessage().contains("bar plot 'density'") && e.getMessage().contains("both lower and upper"), e.getMessage());
    }

    @Test
    void histogramStackedByGroupNamesTheGroups() throws Exception {
        DirectorySink out = DirectorySink.named("histogram");
        viz.render(histogram(), out, Parameters.empty());
        BufferedImage png = checkPng(out.dir.resolve("direction_cosines.png"), 900, 560);
        for (int c : new int[] { 0x0072B2, 0xD55E00, 0x009E73 }) {
            assertTrue(near(png, c, 6) > 500, "group colour " + Integer.toHexString(c));
        }
        String text = svgText(out.dir.resolve("direction_cosines.svg"));
        for (String s : List.of("cluster 0", "cluster 1", "cluster 2", "noise", "cosine similarity with NMF direction 3", "count",
                "n = 3,000, 40 bins")) {
            assertTrue(text.contains(s), "SVG has the text '" + s + "'");
        }
    }

    @Test
    void histogramWithAGroupOutsideTheNamesIsRefused() {
        Histogram h = new Histogram("hist", "t", "x", new double[] { 1, 2, 3 }, new int[] { 0, 1, 2 }, List.of("a", "b"), 5);
        var e = assertThrows(IllegalArgumentException.class, () -> viz.render(h, DirectorySink.named("bad"), Parameters.empty()));
        assertTrue(e.getMessage().contains("histogram 'hist'") && e.getMessage().contains("value 2 has group 2"), e.getMessage());
    }

    @Test
    void manyGroupsAreFoldedIntoOther() throws Exception {
        Random rnd = new Random(3);
        int n = 5000;
        double[] v = new double[n];
        int[] g = new int[n];
        List<String> names = new java.util.ArrayList<>();
        for (int k = 0; k < 30; k++) {
            names.add("c" + k);
        }
        for (int i = 0; i < n; i++) {
            g[i] = (int) Math.min(29, Math.abs(rnd.nextGaussian() * 8));
            v[i] = rnd.nextGaussian() + g[i] * 0.1;
        }
        DirectorySink out = DirectorySink.named("histogram-many");
        viz.render(new Histogram("many", "Thirty clusters", "value", v, g, names, 0), out, Parameters.empty());
        String text = svgText(out.dir.resolve("many.svg"));
        long nonEmpty = Arrays.stream(g).distinct().count();
        assertTrue(nonEmpty > 12);
        assertTrue(text.contains("other (" + (nonEmpty - 11) + " groups)"), "11 largest groups and 'other'");
    }

    @Test
    void smallHeatMapIsVectorCellsWithMarks() throws Exception {
        int w = 60;
        int h = 40;
        float[] values = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                values[y * w + x] = (float) Math.hypot(x - 20, y - 15);
            }
        }
        HeatMap m = new HeatMap("small_map", "Distance from (20, 15)", w, h, values, "distance",
                List.of(new HeatMap.Mark("A", 20, 15), new HeatMap.Mark("B <edge>", 59, 39)));
        DirectorySink out = DirectorySink.named("heatmap-small");
        viz.render(m, out, Parameters.empty());
        BufferedImage png = ImageIO.read(out.dir.resolve("small_map.png").toFile());
        assertTrue(png.getWidth() <= 900 && png.getHeight() <= 560, "fits in the configured size");
        assertTrue(distinctColours(png) > 50, "a colour scale");
        assertTrue(near(png, 0x440154, 12) > 0 && near(png, 0xFDE725, 12) > 0, "viridis from dark purple to yellow");
        String svg = Files.readString(out.dir.resolve("small_map.svg"));
        assertTrue(count(svg, "<rect") >= w * h, "one vector rectangle per cell");
        String text = svgText(out.dir.resolve("small_map.svg"));
        assertTrue(text.contains("Distance from (20, 15)") && text.contains("distance") && text.contains("B <edge>"), "title, scale label, marks");
    }

    @Test
    void largeHeatMapRendersFastAsOneImage() throws Exception {
        int n = 2048;
        float[] values = new float[n * n];
        Random rnd = new Random(1);
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                double d = Math.sin(x / 97.0) + Math.cos(y / 61.0) + 0.1 * rnd.nextGaussian();
                values[y * n + x] = (float) (x % 64 == 0 || y % 64 == 0 ? 3 : d); // one-pixel "boundaries"
            }
        }
        HeatMap m = new HeatMap("slice_2048", "Hamming distance between adjacent pixels, 2048 x 2048 slice", n, n, values,
                "Hamming distance (bits)", List.of(new HeatMap.Mark("x1", 300, 400), new HeatMap.Mark("x2", 1700, 600), new HeatMap.Mark("x3", 1000, 1800)));
        DirectorySink out = DirectorySink.named("heatmap-large");
        viz.render(m, out, Parameters.of(Map.of("formats", new String[] { "png" }))); // warm-up (class loading, fonts)
        long t0 = System.nanoTime();
        viz.render(m, out, Parameters.of(Map.of("formats", new String[] { "png" })));
        long t1 = System.nanoTime();
        viz.render(m, out, Parameters.of(Map.of("formats", new String[] { "svg" })));
        long t2 = System.nanoTime();
        long svgBytes = Files.size(out.dir.resolve("slice_2048.svg"));
        System.out.printf("heat map %d x %d: png %.0f ms, svg %.0f ms (%d KB)%n", n, n, (t1 - t0) / 1e6, (t2 - t1) / 1e6, svgBytes / 1024);
        assertTrue((t1 - t0) / 1e9 < 5, "PNG of a 2048 x 2048 heat map in seconds, not minutes");
        assertTrue(svgBytes < 8 << 20, "SVG holds one image, not four million rectangles");
        BufferedImage png = ImageIO.read(out.dir.resolve("slice_2048.png").toFile());
        int plotSide = Math.abs(png.getWidth() - png.getHeight());
        assertTrue(png.getWidth() < 900 && png.getHeight() == 560, "square grid: the chart narrows (" + png.getWidth() + " x " + png.getHeight() + ", " + plotSide + ")");
        svgText(out.dir.resolve("slice_2048.svg"));
        assertEquals(1, count(Files.readString(out.dir.resolve("slice_2048.svg")), "<image"), "the grid is one embedded image");
    }

    @Test
    void boxFilterKeepsOnePixelLinesVisible() {
        int n = 2048;
        float[] values = new float[n * n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x += 64) {
                values[y * n + x] = 1; // 32 vertical one-pixel lines on 0
            }
        }
        HeatMap m = new HeatMap("lines", "lines", n, n, values, "v", List.of());
        Viridis scale = new Viridis(0, 1);
        BufferedImage img = HeatMaps.image(m, scale, 500, 500);
        int background = scale.argb(0) & 0xFFFFFF;
        int marked = 0;
        for (int x = 0; x < 500; x++) {
            if ((img.getRGB(x, 250) & 0xFFFFFF) != background) {
                marked++;
            }
        }
        assertEquals(32, marked, "each line shows in exactly one image column (sampling every 4th column would keep ~8)");
    }

    @Test
    void smallGridsGrowWithSharpCells() {
        HeatMap m = new HeatMap("tiny", "tiny", 3, 2, new float[] { 0, 1, 2, 3, 4, Float.NaN }, "v", List.of());
        Viridis scale = new Viridis(0, 4);
        BufferedImage img = HeatMaps.image(m, scale, 30, 20);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 30; x++) {
                int cell = (y / 10) * 3 + x / 10;
                assertEquals(scale.argb(m.values()[cell]), img.getRGB(x, y), "pixel " + x + "," + y + " shows cell " + cell);
            }
        }
        // Elongated: shrinks along x, grows along y.
        float[] row = new float[1000];
        Arrays.fill(row, 2f);
        BufferedImage strip = HeatMaps.image(new HeatMap("strip", "strip", 1000, 1, row, "v", List.of()), scale, 100, 10);
        assertEquals(scale.argb(2), strip.getRGB(57, 7));
    }

    @Test
    void viridisMatchesTheReferenceColours() {
        Viridis v = new Viridis(0, 1);
        // matplotlib's viridis at 0, 0.25, 0.5, 0.75, 1.
        int[] reference = { 0x440154, 0x3B528B, 0x21918C, 0x5EC962, 0xFDE725 };
        for (int i = 0; i < reference.length; i++) {
            int got = v.argb(i / 4.0) & 0xFFFFFF;
            assertTrue(distance(got, reference[i]) <= 6, "viridis(" + i / 4.0 + ") = " + Integer.toHexString(got) + ", expected near "
                    + Integer.toHexString(reference[i]));
        }
        assertEquals(Viridis.MISSING, v.argb(Double.NaN));
    }

    @Test
    void tableAsCsvAndEscapedHtml() throws Exception {
        Table t = new Table("clusters", "Clusters & their <sizes>", List.of("cluster", "size", "purity", "example"),
                List.of(Arrays.asList(0, 120L, 0.987654321, "the \"cat\", sat"), Arrays.asList(1, 7L, Double.NaN, "<script>alert(1)</script>")));
        DirectorySink out = DirectorySink.named("table");
        viz.render(t, out, Parameters.empty());
        assertEquals(List.of("clusters.csv", "clusters.html"), out.written);
        assertEquals("cluster,size,purity,example\n0,120,0.987654321,\"the \"\"cat\"\", sat\"\n1,7,NaN,<script>alert(1)</script>\n",
                Files.readString(out.dir.resolve("clusters.csv")));
        String html = Files.readString(out.dir.resolve("clusters.html"));
        assertFalse(html.contains("<script>"), "dataset text is escaped");
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assertTrue(html.contains("<caption>Clusters &amp; their &lt;sizes&gt;</caption>"));
        assertTrue(html.contains("<td class=\"num\" title=\"0.987654321\">0.987654</td>"), "rounded, full value in the tooltip");
    }

    @Test
    void formatsAndScaleComeFromTheParameters() throws Exception {
        DirectorySink out = DirectorySink.named("formats");
        viz.render(linePlot(), out, Parameters.of(Map.of("formats", new String[] { "png" }, "scale", 2.0)));
        assertEquals(List.of("interpolation.png"), out.written);
        BufferedImage png = ImageIO.read(out.dir.resolve("interpolation.png").toFile());
        assertEquals(1800, png.getWidth());
        assertEquals(1120, png.getHeight());
        var e = assertThrows(IllegalArgumentException.class,
                () -> viz.render(linePlot(), out, Parameters.of(Map.of("formats", new String[] { "pdf" }))));
        assertTrue(e.getMessage().contains("'pdf'") && e.getMessage().contains("png, svg"), e.getMessage());
    }

    // --- results like the analyses publish ---

    static LinePlot linePlot() {
        int n = 101;
        double[] x = new double[n];
        double[][] y = new double[2][n];
        double[][] lo = new double[2][n];
        double[][] hi = new double[2][n];
        for (int i = 0; i < n; i++) {
            double t = i / (n - 1.0);
            x[i] = t;
            y[0][i] = 0.95 - 0.1 * Math.sin(Math.PI * t);
            y[1][i] = 1 / (1 + Math.exp(-12 * (0.5 - t)));
            for (int s = 0; s < 2; s++) {
                double sem = 0.02 + 0.03 * Math.sin(Math.PI * t);
                lo[s][i] = y[s][i] - sem;
                hi[s][i] = y[s][i] + sem;
            }
        }
        return new LinePlot("interpolation", "Predicted-class probability along slerp paths", "position along path (t)",
                "probability of the start's class", List.of(new LinePlot.Line("same class (n=200)", x, y[0], lo[0], hi[0]),
                        new LinePlot.Line("different class (n=200)", x, y[1], lo[1], hi[1])));
    }

    static BarPlot barPlot() {
        return new BarPlot("density", "Normalised polytope density, intra- vs inter-class (99% bootstrap CI)", "normalised density",
                List.of("layer 1", "layer 2", "layer 3"), List.of("intra-class, trained", "inter-class, trained", "intra-class, untrained"),
                new double[][] { { 0.81, 0.74, 0.69 }, { 1.05, 1.09, 1.12 }, { 0.99, 1.0, 1.01 } },
                new double[][] { { 0.78, 0.70, 0.64 }, { 1.03, 1.06, 1.10 }, { 0.97, 0.985, 0.99 } },
                new double[][] { { 0.83, 0.77, 0.73 }, { 1.06, 1.11, 1.13 }, { 1.01, 1.02, 1.03 } });
    }

    static Histogram histogram() {
        Random rnd = new Random(7);
        int n = 3000;
        double[] v = new double[n];
        int[] g = new int[n];
        for (int i = 0; i < n; i++) {
            g[i] = i % 10 == 0 ? -1 : i % 3;
            v[i] = Math.max(-1, Math.min(1, 0.2 + 0.25 * g[i] + 0.15 * rnd.nextGaussian()));
        }
        return new Histogram("direction_cosines", "Cosine similarity with NMF direction 3, by HDBSCAN cluster",
                "cosine similarity with NMF direction 3", v, g, List.of("cluster 0", "cluster 1", "cluster 2"), 40);
    }

    // --- checks ---

    /** Decodes, checks the size and that it is a chart (many colours, white background). */
    static BufferedImage checkPng(Path file, int width, int height) throws IOException {
        BufferedImage png = ImageIO.read(file.toFile());
        assertEquals(width, png.getWidth(), file + " width");
        assertEquals(height, png.getHeight(), file + " height");
        assertEquals(0xFFFFFF, png.getRGB(2, 2) & 0xFFFFFF, "white background");
        assertTrue(distinctColours(png) >= 8, file + " is not blank");
        return png;
    }

    static int distinctColours(BufferedImage img) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                seen.add(img.getRGB(x, y) & 0xFFFFFF);
            }
        }
        return seen.size();
    }

    /** Pixels within {@code tolerance} (per channel) of {@code rgb}. */
    static int near(BufferedImage img, int rgb, int tolerance) {
        int count = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if (distance(img.getRGB(x, y) & 0xFFFFFF, rgb) <= tolerance) {
                    count++;
                }
            }
        }
        return count;
    }

    static int distance(int a, int b) {
        int d = 0;
        for (int shift = 0; shift < 24; shift += 8) {
            d = Math.max(d, Math.abs((a >> shift & 0xFF) - (b >> shift & 0xFF)));
        }
        return d;
    }

    /** Parses the SVG as XML (no external entities) and returns all its text. */
    static String svgText(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        // JFreeSVG writes the SVG 1.1 DOCTYPE: parse it, but fetch nothing.
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        f.setExpandEntityReferences(false);
        Document doc = f.newDocumentBuilder().parse(file.toFile());
        assertEquals("svg", doc.getDocumentElement().getLocalName() == null ? doc.getDocumentElement().getTagName()
                : doc.getDocumentElement().getLocalName());
        return doc.getDocumentElement().getTextContent();
    }

    static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

}
