package org.polytopelens.viz.jfreechart.live;

import org.jfree.chart.JFreeChart;
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

    /** The chart of a result; heat maps at most {@code maxWidth} x {@code maxHeight} pixels of cells. */
    public static JFreeChart chart(Result result, int maxWidth, int maxHeight) {
        return ChartVisualizer.chartOf(result, maxWidth, maxHeight);
    }

    /** The chart of a heat map, for callers that know the type. */
    public static JFreeChart heatMap(HeatMap map, int maxWidth, int maxHeight) {
        return ChartVisualizer.chartOf(map, maxWidth, maxHeight);
    }
}
