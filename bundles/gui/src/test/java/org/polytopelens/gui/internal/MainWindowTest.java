package org.polytopelens.gui.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.polytopelens.testkit.Registries.add;
import static org.polytopelens.testkit.Registries.schemaOf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import javax.swing.JComboBox;
import javax.swing.JTextField;
import javax.swing.SwingUtilities;
import org.jfree.chart.ChartPanel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.polytopelens.analysis.density.DensityAnalysis;
import org.polytopelens.api.ActivationCoder;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.DatasetProvider;
import org.polytopelens.api.ModelBackend;
import org.polytopelens.api.Visualizer;
import org.polytopelens.backend.onnx.OnnxRuntimeBackend;
import org.polytopelens.coder.relu.ReluCoder;
import org.polytopelens.core.internal.Registry;
import org.polytopelens.core.internal.Runner;
import org.polytopelens.core.internal.Schema;
import org.polytopelens.dataset.idx.IdxDatasetProvider;
import org.polytopelens.viz.jfreechart.ChartVisualizer;

/**
 * The window on a real X display (Xvfb), over the core's real registry and runner with real
 * plugins: compose the sample density experiment in the editor, watch it validate, run it, and
 * find its chart live in the results; open a model; screenshots of each view go to docs/images/gui
 * (the README shows them).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MainWindowTest {
    static final Path SAMPLES = Path.of("../../samples").toAbsolutePath().normalize();
    static final Path SHOTS = Path.of(System.getProperty("gui.screenshots", "target/screenshots"));
    static Path data;
    static MainWindow window;
    static final CountDownLatch closed = new CountDownLatch(1);
    static Services services;

    @BeforeAll
    static void open() throws Exception {
        Display.ensure();
        data = Files.createTempDirectory(Path.of("target"), "gui-data").toAbsolutePath();
        Map<String, Schema> schemas = Map.of("density", schemaOf(DensityAnalysis.Config.class), "idx", schemaOf(IdxDatasetProvider.Config.class),
                "relu", schemaOf(ReluCoder.Config.class), "onnxruntime", schemaOf(OnnxRuntimeBackend.Config.class),
                "jfreechart", schemaOf(ChartVisualizer.Config.class), "clusters", schemaOf(org.polytopelens.analysis.clusters.ClusterAnalysis.Config.class));
        Registry registry = new Registry(o -> schemas.getOrDefault(o.pid(), Schema.NONE));
        add(registry, ModelBackend.class, new OnnxRuntimeBackend(Map.of()));
        add(registry, ActivationCoder.class, new ReluCoder());
        add(registry, DatasetProvider.class, new IdxDatasetProvider());
        add(registry, Analysis.class, new DensityAnalysis());
        add(registry, Visualizer.class, new ChartVisualizer());
        add(registry, Analysis.class, new org.polytopelens.analysis.clusters.ClusterAnalysis(List.<org.polytopelens.api.ClusteringAlgorithm>of(new org.polytopelens.cluster.hdbscan.HdbscanClustering())));
        services = new Services(registry, new Runner(registry, List::of, 2), null, data, data.resolve("plugins"), SAMPLES, Map::of);
        SwingUtilities.invokeAndWait(() -> window = MainWindow.open(services, "light", closed::countDown));
        SwingUtilities.invokeAndWait(() -> window.frame.setSize(1500, 950));
    }

    @AfterAll
    static void close() throws Exception {
        if (window != null) {
            SwingUtilities.invokeAndWait(() -> window.close());
        }
    }

    @Test
    @Order(1)
    void thePluginsToolWindowListsEveryExtensionPointWithItsProviders() throws Exception {
        String[] text = new String[1];
        SwingUtilities.invokeAndWait(() -> {
            var tree = window.plugins.tree();
            for (int i = 0; i < tree.getRowCount(); i++) {
                tree.expandRow(i);
            }
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < tree.getRowCount(); i++) {
                b.append(tree.getPathForRow(i).getLastPathComponent()).append('\n');
            }
            text[0] = b.toString();
        });
        assertTrue(text[0].contains("density \u2014") && text[0].contains("idx \u2014") && text[0].contains("onnxruntime \u2014"), text[0]);
    }

    @Test
    @Order(2)
    void composeValidateAndRunTheDensityExperimentThenSeeItsChart() throws Exception {
        ExperimentEditor[] e = new ExperimentEditor[1];
        SwingUtilities.invokeAndWait(() -> {
            e[0] = window.currentEditor().orElseThrow();
            e[0].name.setText("gui-density");
            e[0].model.setText(SAMPLES.resolve("models/mnist-mlp.onnx").toString());
            e[0].dataset.setSelectedItem("idx");
            ParamForm ds = e[0].datasetParams();
            ((JTextField) ds.field("path")).setText("data/mnist-10k-images-idx3-ubyte.gz"); // relative to the working directory
            ((JTextField) ds.field("labels")).setText("data/mnist-10k-labels-idx1-ubyte.gz");
            // a drop-down with the Metatype options in OSGi; a text field where the schema has none (outside OSGi)
            if (ds.field("split") instanceof JComboBox<?> box) {
                box.setSelectedItem("test");
            } else {
                ((JTextField) ds.field("split")).setText("test");
            }
            ((JTextField) ds.field("limit")).setText("500");
            e[0].coders.setSelectedValue("relu", false);
            e[0].addStep("density");
            ((JTextField) e[0].stepParams().field("pairs")).setText("abc");
        });
        // a bad value is caught as it is typed, before the core sees the experiment
        Display.await("the field error", 5, () -> e[0].validation.getText().contains("pairs must be an integer"));
        SwingUtilities.invokeAndWait(() -> ((JTextField) e[0].stepParams().field("pairs")).setText("5000"));
        Display.await("the core's validation", 20, () -> e[0].validated().equals("ok"));
        // the layer picker offers the model's tensors
        Display.await("the model's tensors as layers", 20, () -> e[0].layerChoices.contains("relu1.out"));
        assertTrue(e[0].validation.getText().contains("ready to run"), e[0].validation.getText());
        String yaml = e[0].draft().toYaml();
        assertTrue(yaml.contains("provider: idx") && yaml.contains("pairs: 5000") && yaml.contains("limit: 500"), yaml);
        assertTrue(yaml.contains("coders:\n- relu"), yaml);
        Display.screenshot(window.frame.getRootPane(), SHOTS.resolve("experiment-editor.png"));

        SwingUtilities.invokeAndWait(() -> e[0].run());
        Display.await("the run to finish", 120, () -> e[0].lastRun != null);
        Path run = e[0].lastRun;
        assertTrue(Files.isRegularFile(run.resolve("run.json")), "the run wrote its record in " + run);
        ResultsPanel[] results = new ResultsPanel[1];
        Display.await("the results tab", 10, () -> window.editors.getSelectedComponent() instanceof javax.swing.JComponent c
                && (results[0] = (ResultsPanel) c.getClientProperty(ResultsPanel.class)) != null);
        List<ChartPanel> charts = results[0].charts;
        assertFalse(charts.isEmpty(), "a live chart in the results");
        String title = charts.get(0).getChart().getTitle().getText();
        assertTrue(title.contains("density"), title);
        var plot = (org.jfree.chart.plot.CategoryPlot) charts.get(0).getChart().getPlot();
        assertTrue(plot.getRenderer().getDefaultToolTipGenerator() != null, "tooltips on the live chart");
        assertFalse(results[0].tables.isEmpty(), "the density summary as a table");
        assertTrue(window.console.getText().contains("run ok"), window.console.getText());
        assertEquals("ok", window.stageModel.get(0).status(), "the stage list shows the finished step");
        Display.screenshot(window.frame.getRootPane(), SHOTS.resolve("results.png"));

        // the runs tool window lists it; reopening it from there gives the same charts
        SwingUtilities.invokeAndWait(() -> window.runs.refresh());
        assertTrue(window.runs.size() >= 1);
        ResultsPanel again = new ResultsPanel(window, run);
        assertEquals(charts.size(), again.charts.size());
    }

    @Test
    @Order(3)
    void aClustersRunOpensWithItsClusterBrowser() throws Exception {
        Path exp = data.resolve("clusters.yaml");
        Files.writeString(exp, "name: gui-clusters\nmodel: " + SAMPLES.resolve("models/mnist-mlp.onnx") + "\ndataset: {provider: idx, path: "
                + SAMPLES.resolve("data/mnist-10k-images-idx3-ubyte.gz") + ", labels: " + SAMPLES.resolve("data/mnist-10k-labels-idx1-ubyte.gz")
                + ", split: test, limit: 400}\nanalyses:\n  - {id: clusters, params: {space: codes, min_cluster_size: 8, min_samples: 2, gallery: 8}}\n");
        Path out = data.resolve("runs/clusters");
        assertTrue(services.runner().run(exp, out, org.polytopelens.api.Progress.NONE, l -> {}).ok());
        ResultsPanel[] r = new ResultsPanel[1];
        SwingUtilities.invokeAndWait(() -> r[0] = window.openRun(out));
        assertEquals(1, r[0].browsers.size());
        ClusterBrowser b = r[0].browsers.get(0);
        assertTrue(b.clusters.size() >= 2, "clusters listed: " + b.clusters.size());
        String first = b.examples.getText();
        assertTrue(first.startsWith("model \u00b7 cluster ") && first.lines().count() > 3, first);
        Display.screenshot(window.frame.getRootPane(), SHOTS.resolve("clusters.png"));
    }

    @Test
    @Order(4)
    void theModelViewShowsSitesAndTensors() throws Exception {
        SwingUtilities.invokeAndWait(() -> window.openPath(SAMPLES.resolve("models/mnist-cnn.onnx")));
        ModelPanel[] m = new ModelPanel[1];
        Display.await("the model panel", 5, () -> {
            for (java.awt.Component c : window.editors.getComponents()) {
                if (c instanceof javax.swing.JComponent j && j.getClientProperty(ModelPanel.class) instanceof ModelPanel p) {
                    m[0] = p;
                }
            }
            return m[0] != null;
        });
        Display.await("the model's sites", 30, () -> m[0].sites.getRowCount() > 0);
        // the sample CNN: three ReLUs and two max pools, in graph order
        List<String> ops = new java.util.ArrayList<>();
        for (int r = 0; r < m[0].sites.getRowCount(); r++) {
            ops.add(String.valueOf(m[0].sites.getValueAt(r, 1)));
        }
        assertEquals(List.of("Relu", "MaxPool", "Relu", "MaxPool", "Relu"), ops);
        assertTrue(m[0].tensors.getRowCount() > 5, "tensors to cut at");
        Display.screenshot(window.frame.getRootPane(), SHOTS.resolve("model-view.png"));
    }

    @Test
    @Order(5)
    void theThemeAndRecentFilesAreRememberedAndAPluginJarIsDeployedAtomically() throws Exception {
        SwingUtilities.invokeAndWait(() -> window.setTheme("dark"));
        Display.screenshot(window.frame.getRootPane(), SHOTS.resolve("results-dark.png"));
        SwingUtilities.invokeAndWait(() -> window.setTheme("light"));
        GuiState s = GuiState.load(services.stateFile());
        assertEquals("light", s.theme());
        assertTrue(s.recentModels().get(0).endsWith("mnist-cnn.onnx"), s.recentModels().toString());
        Path jar = Files.write(data.resolve("demo-plugin.jar"), new byte[] {'P', 'K', 3, 4});
        Path deployed = MainWindow.deploy(jar, services.pluginsDirectory());
        assertEquals(4, Files.size(deployed));
        try (var files = Files.list(services.pluginsDirectory())) {
            assertEquals(List.of(deployed), files.toList(), "no temporary file left beside it");
        }
    }
}
