package org.polytopelens.viz.jfreechart.live;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.labels.StandardCategoryToolTipGenerator;
import org.jfree.chart.labels.StandardXYToolTipGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;
import org.polytopelens.api.data.HeatMap;
import org.polytopelens.api.data.Result;
import org.polytopelens.viz.jfreechart.ChartVisualizer;

/**
 * The charts of the {@code jfreechart} visualizer as live JFreeChart objects, for a window that
 * shows them in a {@code ChartPanel} (zoom, tooltips, export) instead of as files: the same data,
 * titles, axes and style as the PNG/SVG files of a run.
 */
public final class LiveCharts {
    private LiveCharts() {}

    /** Whether {@link #chart} draws this result (line, bar, histogram, heat map). */
    public static boolean supports(Result result) {
        return ChartVisualizer.isChart(result);
    }

    /**
     * The chart of a result, with tooltips (the value under the mouse) on lines, bars and
     * histograms; heat maps at most {@code maxWidth} x {@code maxHeight} pixels of cells.
     */
    public static JFreeChart chart(Result result, int maxWidth, int maxHeight) {
        return withTooltips(ChartVisualizer.chartOf(result, maxWidth, maxHeight));
    }

    /** The chart of a heat map, for callers that know the type. */
    public static JFreeChart heatMap(HeatMap map, int maxWidth, int maxHeight) {
        return chart(map, maxWidth, maxHeight);
    }

    private static JFreeChart withTooltips(JFreeChart chart) {
        if (chart.getPlot() instanceof XYPlot xy) {
            for (int i = 0; i < xy.getRendererCount(); i++) {
                if (xy.getRenderer(i) != null) {
                    xy.getRenderer(i).setDefaultToolTipGenerator(new StandardXYToolTipGenerator());
                }
            }
        } else if (chart.getPlot() instanceof CategoryPlot cp) {
            for (int i = 0; i < cp.getRendererCount(); i++) {
                if (cp.getRenderer(i) != null) {
                    cp.getRenderer(i).setDefaultToolTipGenerator(new StandardCategoryToolTipGenerator());
                }
            }
        }
        return chart;
    }
}
