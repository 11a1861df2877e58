package org.polytopelens.viz.jfreechart;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;

/** Draws a chart as PNG (Java2D raster) or SVG (JFreeSVG; text stays text). */
final class ChartFiles {
    /** 256 MB of RGB pixels: e.g. 4000 x 2500 at scale 4. */
    static final long MAX_PIXELS = 64L << 20;

    private ChartFiles() {}

    /** {@code width x height} chart units, {@code scale} device pixels per unit. */
    static void png(JFreeChart chart, int width, int height, double scale, OutputStream out) throws IOException {
        int pw = (int) Math.round(width * scale);
        int ph = (int) Math.round(height * scale);
        if ((long) pw * ph > MAX_PIXELS || pw < 1 || ph < 1) {
            throw new IllegalArgumentException("a PNG of " + pw + " x " + ph + " pixels (" + width + " x " + height + " at scale " + scale
                    + ") is outside 1.." + MAX_PIXELS + " pixels; lower width, height or scale");
        }
        BufferedImage image = new BufferedImage(pw, ph, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g.scale(scale, scale);
            chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
        } finally {
            g.dispose();
        }
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        if (!writers.hasNext()) {
            throw new IOException("this JVM has no PNG image writer");
        }
        ImageWriter writer = writers.next();
        // In memory: ImageIO's default stream would cache in a temporary file.
        try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(image, null, null), null);
        } finally {
            writer.dispose();
        }
    }

    static void svg(JFreeChart chart, int width, int height, OutputStream out) throws IOException {
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
        out.write(g.getSVGDocument().getBytes(StandardCharsets.UTF_8));
    }
}
