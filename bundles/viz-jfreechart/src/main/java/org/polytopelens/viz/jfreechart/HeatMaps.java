package org.polytopelens.viz.jfreechart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.AbstractXYAnnotation;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.PlotRenderingInfo;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.svg.SVGGraphics2D;
import org.polytopelens.api.data.HeatMap;

/**
 * Heat maps with a viridis colour scale legend and labelled marks. Cell {@code (x, y)} (column,
 * row; row 0 at the top) is centred on the axis coordinates {@code (x, y)}, so a mark at integer
 * pixel coordinates sits on its cell's centre.
 *
 * <p>Small grids are drawn as one vector rectangle per cell ({@link XYBlockRenderer}): exact cells
 * in the SVG. Larger grids would cost a shape per cell (slow, and SVG files of tens of MB), so
 * they are drawn as one image: the values are box-filtered (mean of the finite cells) down to the
 * plot's device resolution, coloured, and drawn unscaled. Averaging rather than sampling keeps
 * one-pixel structures (e.g. polytope boundaries in a Hamming map) visible when a 2048-wide grid
 * is shown 500 pixels wide. The chart's size shrinks within the configured width and height so
 * that cells are square.
 */
final class HeatMaps {
    /**
     * Up to this many cells, vector blocks; above, one image. Measured here: JFreeSVG writes about
     * 400 bytes per block (64 x 64: 1.6 MB, 128 x 128: 6.5 MB and 0.5 s), the image route 60-300 KB
     * at any grid size.
     */
    static final long BLOCK_CELLS = 64 * 64;

    private static final double CHART_PADDING_BOTTOM = 8; // ChartStyle's chart padding

    private HeatMaps() {}

    /** A chart with the size it is to be drawn at. */
    record Sized(JFreeChart chart, int width, int height) {}

    static Sized heatMap(HeatMap m, int maxWidth, int maxHeight) {
        if (m.width() <= 0 || m.height() <= 0) {
            throw new IllegalArgumentException("heat map '" + m.name() + "' is empty: " + m.width() + " x " + m.height());
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (float v : m.values()) {
            if (Float.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (lo > hi) {
            lo = 0;
            hi = 1;
        } else if (lo == hi) {
            lo -= 0.5;
            hi += 0.5;
        }
        Viridis scale = new Viridis(lo, hi);
        // Layout pass without the cells: where does the data area land at the maximum size?
        ChartRenderingInfo info = new ChartRenderingInfo();
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        try {
            build(m, scale, false, 0).draw(g, new Rectangle2D.Double(0, 0, maxWidth, maxHeight), info);
        } finally {
            g.dispose();
        }
        Rectangle2D area = info.getPlotInfo().getDataArea();
        double aspect = (double) m.width() / m.height();
        int w = maxWidth;
        int h = maxHeight;
        if (area.getWidth() > area.getHeight() * aspect) {
            w = (int) Math.round(maxWidth - (area.getWidth() - area.getHeight() * aspect));
        } else {
            h = (int) Math.round(maxHeight - (area.getHeight() - area.getWidth() / aspect));
        }
        // The colour scale spans the data area's height, not the x axis below it.
        double belowData = maxHeight - area.getMaxY() - CHART_PADDING_BOTTOM;
        return new Sized(build(m, scale, true, belowData), Math.max(w, 120), Math.max(h, 120));
    }

    private static JFreeChart build(HeatMap m, Viridis scale, boolean withCells, double legendBottom) {
        NumberAxis x = ChartStyle.numberAxis("x (pixel)");
        x.setRange(-0.5, m.width() - 0.5);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setLowerMargin(0);
        x.setUpperMargin(0);
        NumberAxis y = ChartStyle.numberAxis("y (pixel)");
        y.setRange(-0.5, m.height() - 0.5);
        y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        y.setInverted(true);
        XYPlot plot = new XYPlot(null, x, y, null);
        long cells = (long) m.width() * m.height();
        if (withCells) {
            if (cells <= BLOCK_CELLS) {
                XYBlockRenderer r = new XYBlockRenderer();
                r.setPaintScale(scale);
                plot.setDataset(blocks(m));
                plot.setRenderer(r);
            } else {
                plot.addAnnotation(new GridImage(m, scale), false);
            }
            for (HeatMap.Mark mark : m.marks()) {
                plot.addAnnotation(new MarkAnnotation(mark), false);
            }
        }
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        plot.setNoDataMessage(null); // large grids are an annotation, not a dataset
        plot.setBackgroundPaint(new Color(Viridis.MISSING));
        JFreeChart chart = new JFreeChart(m.title(), ChartStyle.TITLE, plot, false);

        NumberAxis valueAxis = ChartStyle.numberAxis(m.valueLabel());
        valueAxis.setTickLabelFont(ChartStyle.TICK);
        valueAxis.setLabelFont(ChartStyle.LABEL);
        valueAxis.setRange(scale.getLowerBound(), scale.getUpperBound());
        PaintScaleLegend legend = new PaintScaleLegend(scale, valueAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setAxisLocation(AxisLocation.TOP_OR_RIGHT);
        legend.setStripWidth(14);
        legend.setSubdivisionCount(256);
        legend.setStripOutlineVisible(false);
        legend.setAxisOffset(2);
        legend.setMargin(new RectangleInsets(4, 12, Math.max(0, legendBottom), 0));
        legend.setBackgroundPaint(Color.WHITE);
        chart.addSubtitle(legend);
        ChartStyle.style(chart);
        return chart;
    }

    private static DefaultXYZDataset blocks(HeatMap m) {
        int n = m.width() * m.height();
        double[][] xyz = new double[3][n];
        for (int r = 0, i = 0; r < m.height(); r++) {
            for (int c = 0; c < m.width(); c++, i++) {
                xyz[0][i] = c;
                xyz[1][i] = r;
                xyz[2][i] = m.values()[i];
            }
        }
        DefaultXYZDataset d = new DefaultXYZDataset();
        d.addSeries(m.name(), xyz);
        return d;
    }

    /** The edges on which the plot draws its axes (needed to map values to Java2D). */
    private static RectangleEdge[] edges(XYPlot plot) {
        return new RectangleEdge[] { Plot.resolveDomainAxisLocation(plot.getDomainAxisLocation(), plot.getOrientation()),
                Plot.resolveRangeAxisLocation(plot.getRangeAxisLocation(), plot.getOrientation()) };
    }

    /** The grid as one image, box-filtered to the device resolution at draw time. */
    static final class GridImage extends AbstractXYAnnotation {
        private static final long serialVersionUID = 1L;
        private final transient HeatMap map;
        private final transient Viridis scale;

        GridImage(HeatMap map, Viridis scale) {
            this.map = map;
            this.scale = scale;
        }

        @Override
        public void draw(Graphics2D g2, XYPlot plot, Rectangle2D dataArea, ValueAxis domainAxis, ValueAxis rangeAxis, int rendererIndex,
                PlotRenderingInfo info) {
            RectangleEdge[] e = edges(plot);
            double xa = domainAxis.valueToJava2D(-0.5, dataArea, e[0]);
            double xb = domainAxis.valueToJava2D(map.width() - 0.5, dataArea, e[0]);
            double ya = rangeAxis.valueToJava2D(-0.5, dataArea, e[1]);
            double yb = rangeAxis.valueToJava2D(map.height() - 0.5, dataArea, e[1]);
            Rectangle2D target = new Rectangle2D.Double(Math.min(xa, xb), Math.min(ya, yb), Math.abs(xb - xa), Math.abs(yb - ya));
            // Device pixels the grid covers; an SVG may be zoomed, so it gets twice that.
            AffineTransform t = g2.getTransform();
            double density = g2 instanceof SVGGraphics2D ? 2 : 1;
            int pw = (int) Math.max(1, Math.round(target.getWidth() * Math.hypot(t.getScaleX(), t.getShearY()) * density));
            int ph = (int) Math.max(1, Math.round(target.getHeight() * Math.hypot(t.getShearX(), t.getScaleY()) * density));
            // At device resolution, so drawing it does not resample (an SVG viewer would blur it).
            BufferedImage image = image(map, scale, pw, ph);
            g2.drawImage(image, (int) Math.round(target.getX()), (int) Math.round(target.getY()), (int) Math.round(target.getWidth()),
                    (int) Math.round(target.getHeight()), null);
        }
    }

    /**
     * The grid coloured at exactly {@code pw x ph} pixels. Shrinking, each pixel is the mean of
     * the finite cells it covers (a box filter; the missing colour when there are none); growing,
     * each pixel takes the cell it falls in, so cells stay sharp edged.
     */
    static BufferedImage image(HeatMap m, Viridis scale, int pw, int ph) {
        int w = m.width();
        int h = m.height();
        float[] v = m.values();
        BufferedImage img = new BufferedImage(pw, ph, BufferedImage.TYPE_INT_RGB);
        int[] out = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        if (pw >= w && ph >= h) {
            int[] column = new int[pw]; // grid column of each image column
            for (int px = 0; px < pw; px++) {
                column[px] = (int) ((long) px * w / pw);
            }
            for (int py = 0; py < ph; py++) {
                int base = (int) ((long) py * h / ph) * w;
                for (int px = 0; px < pw; px++) {
                    out[py * pw + px] = scale.argb(v[base + column[px]]);
                }
            }
            return img;
        }
        if (pw > w || ph > h) { // shrinking one way, growing the other (very elongated grids)
            BufferedImage box = image(m, scale, Math.min(pw, w), Math.min(ph, h));
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.drawImage(box, 0, 0, pw, ph, null);
            g.dispose();
            return img;
        }
        // Shrinking: box filter, each grid cell counted in exactly one pixel.
        int[] column = new int[w]; // image column of each grid column
        for (int c = 0; c < w; c++) {
            column[c] = (int) ((long) c * pw / w);
        }
        double[] sum = new double[pw];
        int[] count = new int[pw];
        for (int py = 0; py < ph; py++) {
            java.util.Arrays.fill(sum, 0);
            java.util.Arrays.fill(count, 0);
            // The grid rows r with floor(r * ph / h) == py, as for columns.
            int first = (int) (((long) py * h + ph - 1) / ph);
            int end = (int) (((long) (py + 1) * h + ph - 1) / ph);
            for (int row = first; row < end; row++) {
                int base = row * w;
                for (int c = 0; c < w; c++) {
                    float x = v[base + c];
                    if (Float.isFinite(x)) {
                        sum[column[c]] += x;
                        count[column[c]]++;
                    }
                }
            }
            int o = py * pw;
            for (int px = 0; px < pw; px++) {
                out[o + px] = count[px] == 0 ? Viridis.MISSING : scale.argb(sum[px] / count[px]);
            }
        }
        return img;
    }

    /** A point drawn as a white disc with a dark ring and its label in a light box beside it. */
    static final class MarkAnnotation extends AbstractXYAnnotation {
        private static final long serialVersionUID = 1L;
        private final transient HeatMap.Mark mark;

        MarkAnnotation(HeatMap.Mark mark) {
            this.mark = mark;
        }

        @Override
        public void draw(Graphics2D g2, XYPlot plot, Rectangle2D dataArea, ValueAxis domainAxis, ValueAxis rangeAxis, int rendererIndex,
                PlotRenderingInfo info) {
            RectangleEdge[] e = edges(plot);
            double px = domainAxis.valueToJava2D(mark.x(), dataArea, e[0]);
            double py = rangeAxis.valueToJava2D(mark.y(), dataArea, e[1]);
            if (!dataArea.contains(px, py)) {
                return;
            }
            double r = 5;
            Ellipse2D dot = new Ellipse2D.Double(px - r, py - r, 2 * r, 2 * r);
            g2.setPaint(Color.WHITE);
            g2.fill(dot);
            g2.setPaint(Color.BLACK);
            g2.setStroke(new BasicStroke(1.8f));
            g2.draw(dot);
            String label = mark.label();
            if (label == null || label.isBlank()) {
                return;
            }
            Font font = ChartStyle.MARK;
            g2.setFont(font);
            FontMetrics fm = g2.getFontMetrics(font);
            double tw = fm.stringWidth(label);
            double th = fm.getAscent() + fm.getDescent();
            double pad = 3;
            double bx = px + r + 4;
            if (bx + tw + 2 * pad > dataArea.getMaxX()) {
                bx = px - r - 4 - tw - 2 * pad; // no room on the right: label on the left
            }
            double by = Math.max(dataArea.getMinY(), Math.min(dataArea.getMaxY() - th - 2 * pad, py - th / 2 - pad));
            g2.setPaint(new Color(255, 255, 255, 215));
            g2.fill(new RoundRectangle2D.Double(bx, by, tw + 2 * pad, th + 2 * pad, 6, 6));
            g2.setPaint(ChartStyle.TEXT);
            g2.drawString(label, (float) (bx + pad), (float) (by + pad + fm.getAscent()));
        }
    }
}
