package org.polytopelens.viz.jfreechart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Paint;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.axis.Axis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.TickUnit;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.DefaultDrawingSupplier;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.text.TextUtils;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;

/**
 * How every chart looks: the look of a figure in a paper (white background, light grid, no
 * shadows or gradients, readable sans-serif fonts) with the Okabe–Ito palette, which stays
 * distinguishable under the common colour-vision deficiencies. A theme object per chart: nothing
 * global (JFreeChart's {@code ChartFactory} theme is static) is changed.
 */
final class ChartStyle {
    /**
     * Okabe & Ito (2008), in the order used for series: blue, vermillion, bluish green, orange,
     * sky blue, reddish purple, yellow (faint on white, so late), black.
     */
    static final Color[] OKABE_ITO = {
            new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xE69F00),
            new Color(0x56B4E9), new Color(0xCC79A7), new Color(0xF0E442), new Color(0x000000) };

    static final Color GRID = new Color(0xDDDDDD);
    static final Color TEXT = new Color(0x222222);
    static final Color AXIS = new Color(0x555555);
    /** Bars of a group that was folded into "other". */
    static final Color OTHER = new Color(0xBBBBBB);

    // "SansSerif" is the JDK's logical font: DejaVu Sans on Linux, present in headless JDKs.
    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    static final Font SUBTITLE = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    static final Font LEGEND = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    static final Font MARK = new Font(Font.SANS_SERIF, Font.BOLD, 12);

    static {
        // Vertical axis labels: JFreeChart draws rotated text as glyph outlines by default (a
        // workaround for old JDK bugs), which leaves SVGs without the label as text. Java 17
        // draws rotated strings correctly. The setting is static, but in this bundle's private
        // copy of JFreeChart.
        TextUtils.setUseDrawRotatedStringWorkaround(false);
    }

    private ChartStyle() {}

    /** Series colour {@code i}: Okabe–Ito, then (more than 8 series) evenly spread hues. */
    static Color color(int i) {
        if (i < OKABE_ITO.length) {
            return OKABE_ITO[i];
        }
        // Golden-angle hue steps keep neighbours apart; medium saturation and brightness stay
        // readable on white. Beyond 8 series colour alone cannot carry the distinction anyway.
        float hue = (float) (((i - OKABE_ITO.length) * 0.381966) % 1.0);
        return Color.getHSBColor(hue, 0.65f, 0.80f);
    }

    static StandardChartTheme theme() {
        StandardChartTheme t = new StandardChartTheme("paper", false);
        t.setExtraLargeFont(TITLE);
        t.setLargeFont(LABEL);
        t.setRegularFont(LEGEND);
        t.setSmallFont(TICK);
        t.setTitlePaint(TEXT);
        t.setSubtitlePaint(TEXT);
        t.setChartBackgroundPaint(Color.WHITE);
        t.setPlotBackgroundPaint(Color.WHITE);
        t.setPlotOutlinePaint(AXIS);
        t.setDomainGridlinePaint(GRID);
        t.setRangeGridlinePaint(GRID);
        t.setAxisLabelPaint(TEXT);
        t.setTickLabelPaint(TEXT);
        t.setLegendBackgroundPaint(Color.WHITE);
        t.setLegendItemPaint(TEXT);
        t.setItemLabelPaint(TEXT);
        t.setShadowVisible(false);
        t.setBarPainter(new StandardBarPainter());
        t.setXYBarPainter(new StandardXYBarPainter());
        t.setAxisOffset(RectangleInsets.ZERO_INSETS);
        Paint[] series = new Paint[16];
        for (int i = 0; i < series.length; i++) {
            series[i] = color(i);
        }
        t.setDrawingSupplier(new DefaultDrawingSupplier(series, DefaultDrawingSupplier.DEFAULT_FILL_PAINT_SEQUENCE,
                DefaultDrawingSupplier.DEFAULT_OUTLINE_PAINT_SEQUENCE, DefaultDrawingSupplier.DEFAULT_STROKE_SEQUENCE,
                DefaultDrawingSupplier.DEFAULT_OUTLINE_STROKE_SEQUENCE, DefaultDrawingSupplier.DEFAULT_SHAPE_SEQUENCE));
        return t;
    }

    /** Applies the theme and the details a theme does not cover; call after the plot is complete. */
    static JFreeChart style(JFreeChart chart) {
        theme().apply(chart);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setPadding(new RectangleInsets(8, 8, 8, 12)); // HeatMaps relies on the bottom 8
        chart.setTextAntiAlias(true);
        chart.setAntiAlias(true);
        TextTitle title = chart.getTitle();
        if (title != null) {
            title.setFont(TITLE);
            title.setPadding(new RectangleInsets(2, 4, 6, 4));
        }
        for (Object sub : chart.getSubtitles()) {
            if (sub instanceof TextTitle t) {
                t.setFont(SUBTITLE); // the theme gives subtitles the axis-label size
            }
        }
        LegendTitle legend = chart.getLegend();
        if (legend != null) {
            legend.setFrame(BlockBorder.NONE);
            legend.setItemFont(LEGEND);
            legend.setPosition(RectangleEdge.BOTTOM);
        }
        Plot plot = chart.getPlot();
        plot.setOutlineVisible(false);
        if (plot instanceof XYPlot xy) {
            xy.setDomainGridlineStroke(new BasicStroke(0.8f));
            xy.setRangeGridlineStroke(new BasicStroke(0.8f));
            axes(xy.getDomainAxis(), xy.getRangeAxis());
        } else if (plot instanceof CategoryPlot cat) {
            cat.setRangeGridlineStroke(new BasicStroke(0.8f));
            axes(cat.getDomainAxis(), cat.getRangeAxis());
        }
        return chart;
    }

    /**
     * A number axis that leaves room between tick labels: JFreeChart packs ticks as densely as
     * the labels allow (a tick every 0.05 on a 0..1 axis); a figure reads better with about half.
     */
    static NumberAxis numberAxis(String label) {
        return new SpacedAxis(label);
    }

    private static final class SpacedAxis extends NumberAxis {
        private static final long serialVersionUID = 1L;

        SpacedAxis(String label) {
            super(label);
        }

        @Override
        protected double estimateMaximumTickLabelHeight(Graphics2D g2) {
            return super.estimateMaximumTickLabelHeight(g2) * 2.6;
        }

        @Override
        protected double estimateMaximumTickLabelWidth(Graphics2D g2, TickUnit unit) {
            return super.estimateMaximumTickLabelWidth(g2, unit) * 1.8;
        }
    }

    private static void axes(Axis... axes) {
        for (Axis a : axes) {
            if (a == null) {
                continue;
            }
            a.setLabelFont(LABEL);
            a.setTickLabelFont(TICK);
            a.setAxisLinePaint(AXIS);
            a.setTickMarkPaint(AXIS);
            a.setLabelPaint(TEXT);
            a.setTickLabelPaint(TEXT);
        }
    }
}
