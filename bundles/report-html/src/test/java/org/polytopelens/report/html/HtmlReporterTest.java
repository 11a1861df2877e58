package org.polytopelens.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.polytopelens.testkit.Registries.add;
import static org.polytopelens.testkit.Registries.schemaOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.polytopelens.analysis.density.DensityAnalysis;
import org.polytopelens.api.ActivationCoder;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.AnalysisContext;
import org.polytopelens.api.DatasetProvider;
import org.polytopelens.api.ModelBackend;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Progress;
import org.polytopelens.api.Reporter;
import org.polytopelens.api.ResultSink;
import org.polytopelens.api.Visualizer;
import org.polytopelens.backend.onnx.OnnxRuntimeBackend;
import org.polytopelens.coder.relu.ReluCoder;
import org.polytopelens.core.RunRecord;
import org.polytopelens.core.internal.Registry;
import org.polytopelens.core.internal.Runner;
import org.polytopelens.core.internal.Schema;
import org.polytopelens.dataset.npy.NpyDatasetProvider;
import org.polytopelens.viz.jfreechart.ChartVisualizer;

/** Reports of real runs: the core runner on the sample digits, the density analysis, the chart visualizer. */
class HtmlReporterTest {
    static final Path SAMPLES = Path.of("../../samples").toAbsolutePath().normalize();
    static final String NASTY = "<script>alert('x')</script> & \"quotes\"";

    @TempDir
    Path dir;

    /** Writes dataset-like text (as a token gallery would) and fails, both with markup in them. */
    static final class Nasty implements Analysis {
        @Override
        public String id() {
            return "nasty";
        }

        @Override
        public String name() {
            return "nasty";
        }

        @Override
        public String description() {
            return "writes text with markup, then throws";
        }

        @Override
        public void run(AnalysisContext ctx, Parameters params) throws Exception {
            ctx.results().write("nasty-examples.txt", o -> o.write(("token in context: ... the " + NASTY + " ...\n").getBytes(StandardCharsets.UTF_8)));
            throw new IllegalStateException("failed on " + NASTY);
        }
    }

    /** A reporter that always fails: recorded, and the run and the other reporters go on. */
    static final class Broken implements Reporter {
        @Override
        public String id() {
            return "broken";
        }

        @Override
        public String name() {
            return "broken";
        }

        @Override
        public String description() {
            return "throws";
        }

        @Override
        public void report(Path runDirectory, ResultSink out, Parameters params) {
            throw new IllegalStateException("cannot report");
        }
    }

    /** A reporter that dies half-way through writing its file (a full disk): the file must not appear. */
    static final class HalfWriter implements Reporter {
        @Override
        public String id() {
            return "half";
        }

        @Override
        public String name() {
            return "half";
        }

        @Override
        public String description() {
            return "writes half a page, then fails";
        }

        @Override
        public void report(Path runDirectory, ResultSink out, Parameters params) throws Exception {
            out.write("half.html", o -> {
                o.write("<html><body>half a report".getBytes(StandardCharsets.UTF_8));
                throw new java.io.IOException("No space left on device");
            });
        }
    }

    Runner runner() {
        Map<String, Schema> schemas = Map.of("density", schemaOf(DensityAnalysis.Config.class), "jfreechart", schemaOf(ChartVisualizer.Config.class),
                "npy", schemaOf(NpyDatasetProvider.Config.class), "relu", schemaOf(ReluCoder.Config.class),
                "onnxruntime", schemaOf(OnnxRuntimeBackend.Config.class), "html", schemaOf(HtmlReporter.Config.class));
        Registry registry = new Registry(o -> schemas.getOrDefault(o.pid(), Schema.NONE));
        add(registry, ModelBackend.class, new OnnxRuntimeBackend(Map.of()));
        add(registry, ActivationCoder.class, new ReluCoder());
        add(registry, DatasetProvider.class, new NpyDatasetProvider());
        add(registry, Analysis.class, new DensityAnalysis());
        add(registry, Analysis.class, new Nasty());
        add(registry, Visualizer.class, new ChartVisualizer());
        add(registry, Reporter.class, new HtmlReporter());
        add(registry, Reporter.class, new Broken());
        add(registry, Reporter.class, new HalfWriter());
        return new Runner(registry, List::of, 2);
    }

    @Test
    void aRealRunsReportHoldsEveryTableRowEveryChartAndTheEscapedFailure() throws Exception {
        Path e = dir.resolve("exp.yaml");
        Files.writeString(e, "name: report-test\nmodel: " + SAMPLES.resolve("models/mlp-784-64-32-10-init.onnx") + "\ndataset: {provider: npy, path: "
                + SAMPLES.resolve("data/mnist-1k.npy") + ", labels: " + SAMPLES.resolve("data/mnist-1k-labels.npy") + "}\n"
                + "# a comment with <b>markup</b>\nanalyses:\n  - {id: density, params: {pairs: 2000, bootstrap: 200}}\n  - {id: nasty}\n");
        Path out = dir.resolve("out");
        RunRecord r = runner().run(e, out, Progress.NONE, line -> {});
        assertFalse(r.ok(), "the nasty step fails");
        assertEquals("ok", r.steps().get(0).status());

        String html = Files.readString(out.resolve("report.html"));
        // The experiment, escaped.
        assertTrue(html.contains("# a comment with &lt;b&gt;markup&lt;/b&gt;"), "experiment text escaped");
        // Every row of the density summary table (from its CSV).
        List<String> rows = Files.readAllLines(out.resolve("density-summary.csv"));
        String table = html.substring(html.indexOf("<table>"));
        for (String row : rows.subList(1, rows.size())) {
            assertTrue(table.contains(">" + row.split(",")[0] + "<"), "row " + row);
        }
        // Every PNG the run wrote is embedded and decodes to the same picture size.
        Matcher m = Pattern.compile("<img alt=\"([^\"]+)\" src=\"data:image/png;base64,([^\"]+)\">").matcher(html);
        int images = 0;
        while (m.find()) {
            var img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(2))));
            var file = ImageIO.read(out.resolve(m.group(1)).toFile());
            assertNotNull(img, m.group(1));
            assertEquals(file.getWidth(), img.getWidth());
            assertEquals(file.getHeight(), img.getHeight());
            images++;
        }
        long pngs = r.steps().stream().flatMap(s -> s.files().stream()).filter(f -> f.endsWith(".png")).count();
        assertTrue(pngs > 0 && images == pngs, images + " of " + pngs + " charts embedded");
        // The failing step's message and its dataset text, escaped: no live markup from the run.
        assertTrue(html.contains("failed on &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;"), "error escaped");
        assertTrue(html.contains("the &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), "example text escaped");
        assertFalse(html.contains("<script>"), "no script element");
        assertTrue(html.contains("density.json"), "data files linked");
        // Provenance: the inputs' hashes.
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        for (JsonNode in : run.path("inputs")) {
            assertTrue(html.contains(in.path("sha256").asText()), in.toString());
        }
        // The reporters' outcome is in run.json: html ok, broken recorded, the run unharmed.
        JsonNode reports = run.path("reports");
        assertEquals(3, reports.size());
        for (JsonNode rep : reports) {
            if (rep.path("reporter").asText().equals("html")) {
                assertEquals("ok", rep.path("status").asText());
                assertEquals("report.html", rep.path("files").get(0).asText());
            } else if (rep.path("reporter").asText().equals("half")) {
                assertEquals("failed", rep.path("status").asText());
                assertTrue(rep.path("error").asText().contains("No space left"), rep.toString());
                assertFalse(Files.exists(out.resolve("half.html")), "a reporter failing mid-write leaves no partial file");
            } else {
                assertEquals("failed", rep.path("status").asText());
                assertTrue(rep.path("error").asText().contains("cannot report"), rep.toString());
            }
        }
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().contains(".tmp")), "no temporary files left");
        }
    }

    @Test
    void escapingCoversMarkupAndQuotes() {
        assertEquals("&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;", HtmlReporter.esc("<a href=\"x\">Tom & Jerry's</a>"));
        assertEquals("plain text", HtmlReporter.esc("plain text"));
    }

    @Test
    void aDirectoryWithoutARunIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new HtmlReporter().report(dir, null, Parameters.empty()));
        assertTrue(e.getMessage().contains("no run.json"), e.getMessage());
    }

    Path experiment(String extra) throws Exception {
        Path e = dir.resolve("exp-" + Math.abs(extra.hashCode()) + ".yaml");
        Files.writeString(e, "name: reports\nmodel: " + SAMPLES.resolve("models/mlp-784-64-32-10-init.onnx") + "\ndataset: {provider: npy, path: "
                + SAMPLES.resolve("data/mnist-1k.npy") + ", labels: " + SAMPLES.resolve("data/mnist-1k-labels.npy") + "}\n"
                + "analyses:\n  - {id: density, params: {pairs: 2000, bootstrap: 200}}\n" + extra);
        return e;
    }

    @Test
    void theExperimentNamesItsReportersAndTheirParameters() throws Exception {
        Runner runner = runner();
        Path out = dir.resolve("named");
        RunRecord r = runner.run(experiment("reports: {html: {title: 'Density <check>', max_gallery_images: 1}, half: {}}\n"), out, Progress.NONE, line -> {});
        assertTrue(r.ok(), r.toString());
        JsonNode reports = new ObjectMapper().readTree(out.resolve("run.json").toFile()).path("reports");
        assertEquals(List.of("html", "half"), List.of(reports.get(0).path("reporter").asText(), reports.get(1).path("reporter").asText()),
                "only the named reporters, 'broken' not run");
        assertEquals("failed", reports.get(1).path("status").asText());
        assertFalse(Files.exists(out.resolve("half.html")));
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<title>Density &lt;check&gt; - Polytope Lens Workbench</title>") && html.contains("<h1>Density &lt;check&gt;</h1>"), "title");
        long pngs = r.steps().get(0).files().stream().filter(f -> f.endsWith(".png")).count();
        assertTrue(pngs >= 1);
        assertEquals(1, Pattern.compile("<img ").matcher(html).results().count(), "one image shown");
        for (String f : r.steps().get(0).files().stream().filter(f -> f.endsWith(".png")).skip(1).toList()) {
            assertTrue(html.contains("<a href=\"" + f + "\">"), "the others linked: " + f);
        }

        Path none = dir.resolve("none");
        runner.run(experiment("reports: {}\n"), none, Progress.NONE, line -> {});
        assertFalse(Files.exists(none.resolve("report.html")), "reports: {} writes no report");

        var e = assertThrows(IllegalArgumentException.class, () -> runner.validate(experiment("reports: {pdf: {}, html: {colour: red}}\n")));
        assertTrue(e.getMessage().contains("pdf") && e.getMessage().contains("html") && e.getMessage().contains("colour"), e.getMessage());
    }
}
