package org.polytopelens.viz.jfreechart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.CategoryItemRendererState;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.Range;
import org.jfree.data.category.CategoryDataset;

/**
 * Vertical bars with asymmetric error bars (e.g. bootstrap CIs) from {@code lower[row][column]}
 * and {@code upper[row][column]}. JFreeChart's {@code StatisticalBarRenderer} only draws a
 * symmetric mean ± standard deviation, which would misstate a percentile interval. A non-finite
 * bound draws no whisker on that side.
 */
final class ErrorBarRenderer extends BarRenderer {
    private static final long serialVersionUID = 1L;
    private final double[][] lower;
    private final double[][] upper;

    ErrorBarRenderer(double[][] lower, double[][] upper) {
        this.lower = lower;
        this.upper = upper;
    }

    @Override
    public Range findRangeBounds(CategoryDataset dataset) {
        Range r = super.findRangeBounds(dataset);
        if (lower == null) {
            return r;
        }
        double lo = r == null ? Double.POSITIVE_INFINITY : r.getLowerBound();
        double hi = r == null ? Double.NEGATIVE_INFINITY : r.getUpperBound();
        for (double[][] bounds : new double[][][] { lower, upper }) {
            for (double[] row : bounds) {
                for (double v : row) {
                    if (Double.isFinite(v)) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                }
            }
        }
        return lo <= hi ? new Range(lo, hi) : r;
    }

    @Override
    public void drawItem(Graphics2D g2, CategoryItemRendererState state, Rectangle2D dataArea, CategoryPlot plot, CategoryAxis domainAxis,
            ValueAxis rangeAxis, CategoryDataset dataset, int row, int column, int pass) {
        super.drawItem(g2, state, dataArea, plot, domainAxis, rangeAxis, dataset, row, column, pass);
        if (lower == null || pass != 0 || plot.getOrientation() != PlotOrientation.VERTICAL) {
            return;
        }
        int visibleRow = state.getVisibleSeriesIndex(row);
        if (visibleRow < 0) {
            return;
        }
        double lo = lower[row][column];
        double hi = upper[row][column];
        Number value = dataset.getValue(row, column);
        double mid = value == null ? Double.NaN : value.doubleValue();
        if (!Double.isFinite(lo) && !Double.isFinite(hi)) {
            return;
        }
        double w = state.getBarWidth();
        double x = calculateBarW0(plot, plot.getOrientation(), dataArea, domainAxis, state, visibleRow, column) + w / 2;
        RectangleEdge edge = plot.getRangeAxisEdge();
        double yLo = Double.isFinite(lo) ? rangeAxis.valueToJava2D(lo, dataArea, edge) : rangeAxis.valueToJava2D(mid, dataArea, edge);
        double yHi = Double.isFinite(hi) ? rangeAxis.valueToJava2D(hi, dataArea, edge) : rangeAxis.valueToJava2D(mid, dataArea, edge);
        double cap = Math.min(8, w * 0.3);
        g2.setPaint(Color.BLACK);
        g2.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
        g2.draw(new Line2D.Double(x, yLo, x, yHi));
        if (Double.isFinite(lo)) {
            g2.draw(new Line2D.Double(x - cap, yLo, x + cap, yLo));
        }
        if (Double.isFinite(hi)) {
            g2.draw(new Line2D.Double(x - cap, yHi, x + cap, yHi));
        }
    }
}
