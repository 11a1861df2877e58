package org.polytopelens.viz.jfreechart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.util.tracker.ServiceTracker;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Visualizer;
import org.polytopelens.api.data.HeatMap;
import org.polytopelens.api.data.Table;

/**
 * The built bundle in Felix 7 with SCR: it resolves against the JDK packages of the system
 * bundle alone (JFreeChart and JFreeSVG embedded), its component registers a {@link Visualizer},
 * and that renders through the embedded libraries (resources such as JFreeChart's localisation
 * bundles included).
 */
class ChartVisualizerOsgiIT {
    @Test
    void bundleResolvesActivatesAndRenders() throws Exception {
        Path storage = Files.createTempDirectory(Path.of(System.getProperty("charts.dir")).getParent(), "felix");
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // The API comes from the class path (as the launcher shares it), exported by the system bundle.
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, exportsOf(Visualizer.class));
        Framework fw = new org.apache.felix.framework.FrameworkFactory().newFramework(config);
        fw.start();
        try {
            BundleContext ctx = fw.getBundleContext();
            for (String name : List.of("org.osgi.util.function", "org.osgi.util.promise", "org.osgi.service.component-", "org.apache.felix.scr")) {
                ctx.installBundle(jarOnClassPath(name).toUri().toString()).start();
            }
            Bundle viz = ctx.installBundle(Path.of(System.getProperty("bundle.jar")).toUri().toString());
            viz.start();
            assertEquals(Bundle.ACTIVE, viz.getState(), "the bundle resolved and started");

            ServiceTracker<Visualizer, Visualizer> tracker = new ServiceTracker<>(ctx, Visualizer.class, null);
            tracker.open();
            Visualizer v = tracker.waitForService(10_000);
            assertNotNull(v, "the component registered its Visualizer");
            assertEquals("jfreechart", v.id());
            assertEquals(viz, tracker.getServiceReference().getBundle());

            DirectorySink out = new DirectorySink(Path.of(System.getProperty("charts.dir")));
            v.render(ChartVisualizerTest.linePlot(), out, Parameters.empty());
            v.render(ChartVisualizerTest.histogram(), out, Parameters.empty());
            v.render(ChartVisualizerTest.barPlot(), out, Parameters.empty());
            float[] values = new float[600 * 400];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) Math.sin(i % 600 / 50.0) * (i / 600);
            }
            v.render(new HeatMap("map", "A 600 x 400 heat map", 600, 400, values, "value", List.of(new HeatMap.Mark("p", 100, 100))), out,
                    Parameters.empty());
            v.render(new Table("table", "A table", List.of("a", "b"), List.of(List.of(1, "x"))), out, Parameters.empty());
            assertEquals(List.of("interpolation.png", "interpolation.svg", "direction_cosines.png", "direction_cosines.svg", "density.png",
                    "density.svg", "map.png", "map.svg", "table.csv", "table.html"), out.written);
            assertEquals(900, ImageIO.read(out.dir.resolve("interpolation.png").toFile()).getWidth());
            assertTrue(ChartVisualizerTest.svgText(out.dir.resolve("map.svg")).contains("A 600 x 400 heat map"));
            tracker.close();
        } finally {
            fw.stop();
            fw.waitForStop(10_000);
        }
    }

    /** The Export-Package header of the jar that holds {@code type}. */
    private static String exportsOf(Class<?> type) throws Exception {
        File jar = new File(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (JarFile j = new JarFile(jar)) {
            return j.getManifest().getMainAttributes().getValue(Constants.EXPORT_PACKAGE);
        }
    }

    private static Path jarOnClassPath(String namePrefix) {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (p.getFileName().toString().startsWith(namePrefix) && entry.endsWith(".jar")) {
                return p;
            }
        }
        throw new IllegalStateException(namePrefix + "*.jar is not on the test class path");
    }
}
