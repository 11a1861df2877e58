package org.polytopelens.api.data;

/**
 * A typed result an analysis publishes for visualizers and the report: {@link Table}, {@link
 * LinePlot}, {@link BarPlot}, {@link Histogram}, {@link HeatMap}. {@code name} is a file-name-safe
 * key unique within a run; {@code title} is what a reader sees.
 */
public interface Result {
    String name();

    String title();
}
