package org.polytopelens.api.data;

import java.util.List;

/**
 * Bars per category and series, with optional error bars: {@code values[s][c]} is series
 * {@code s}, category {@code c}; {@code lower}/{@code upper} are null or of the same shape.
 */
public record BarPlot(String name, String title, String yLabel, List<String> categories, List<String> series, double[][] values,
        double[][] lower, double[][] upper) implements Result {
    public BarPlot {
        categories = List.copyOf(categories);
        series = List.copyOf(series);
        if (values.length != series.size()) {
            throw new IllegalArgumentException("bar plot '" + name + "': " + values.length + " value rows for " + series.size() + " series");
        }
    }
}
