package org.polytopelens.api.data;

import java.util.List;

/** A {@code width x height} grid of values (row-major, row 0 at the top) with marked points. */
public record HeatMap(String name, String title, int width, int height, float[] values, String valueLabel, List<Mark> marks)
        implements Result {
    public HeatMap {
        marks = List.copyOf(marks);
        if ((long) width * height != values.length) {
            throw new IllegalArgumentException("heat map '" + name + "': " + width + " x " + height + " needs " + (long) width * height + " values");
        }
    }

    /** A labelled point in pixel coordinates. */
    public record Mark(String label, double x, double y) {}
}
