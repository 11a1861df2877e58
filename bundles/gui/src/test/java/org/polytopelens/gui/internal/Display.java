package org.polytopelens.gui.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.swing.JComponent;
import javax.swing.SwingUtilities;

/**
 * A display for window tests: the X server on {@code $DISPLAY} (the build sets {@code :97}), started
 * as Xvfb when none answers there. Xvfb is a Debian package ({@code xvfb}); .ci/run installs it.
 */
final class Display {
    private static Process xvfb;

    private Display() {}

    static synchronized void ensure() throws Exception {
        String display = System.getenv("DISPLAY");
        assertTrue(display != null && display.startsWith(":"), "the window tests need DISPLAY=:N (the build sets :97), got " + display);
        Path socket = Path.of("/tmp/.X11-unix/X" + display.substring(1).replaceFirst("\\..*", ""));
        if (Files.exists(socket) || xvfb != null) {
            return;
        }
        Path bin = Path.of("/usr/bin/Xvfb");
        if (!Files.isExecutable(bin)) {
            fail("no X server on " + display + " and no Xvfb to start one: install it (apt-get install -y xvfb; .ci/run does)");
        }
        // -terminate: the server exits when its last client (this JVM) disconnects. Killing it from a
        // shutdown hook instead would cut AWT's connection first, and AWT exits with an X I/O error.
        xvfb = new ProcessBuilder(bin.toString(), display, "-screen", "0", "1600x1000x24", "-nolisten", "tcp", "-terminate").redirectErrorStream(true)
                .redirectOutput(Path.of(System.getProperty("java.io.tmpdir", "target"), "xvfb.log").toFile()).start();
        for (int i = 0; i < 100 && !Files.exists(socket); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(socket), "Xvfb did not open " + socket);
    }

    /** Paints a component (with the menu bar when it is a root pane) into a PNG, on the event thread. */
    static void screenshot(JComponent c, Path png) throws Exception {
        BufferedImage[] img = new BufferedImage[1];
        SwingUtilities.invokeAndWait(() -> {
            img[0] = new BufferedImage(Math.max(1, c.getWidth()), Math.max(1, c.getHeight()), BufferedImage.TYPE_INT_RGB);
            java.awt.Graphics2D g = img[0].createGraphics();
            c.paint(g);
            g.dispose();
        });
        Files.createDirectories(png.getParent());
        ImageIO.write(img[0], "png", png.toFile());
    }

    /** Waits (polling, at most {@code seconds}) for a condition checked on the event thread. */
    static void await(String what, double seconds, java.util.function.BooleanSupplier condition) throws Exception {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        boolean[] ok = new boolean[1];
        while (System.nanoTime() < end) {
            SwingUtilities.invokeAndWait(() -> ok[0] = condition.getAsBoolean());
            if (ok[0]) {
                return;
            }
            Thread.sleep(50);
        }
        fail("timed out after " + seconds + " s waiting for " + what);
    }
}
