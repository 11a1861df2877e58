package org.polytopelens.api.data;

import java.util.List;

/** Lines over a common x axis, each with an optional band (CI or SEM). */
public record LinePlot(String name, String title, String xLabel, String yLabel, List<Line> lines) implements Result {
    public LinePlot {
        lines = List.copyOf(lines);
    }

    /** One line; {@code lower}/{@code upper} are null when it has no band. */
    public record Line(String label, double[] x, double[] y, double[] lower, double[] upper) {
        public Line {
            if (x.length != y.length || (lower != null && lower.length != x.length) || (upper != null && upper.length != x.length)) {
                throw new IllegalArgumentException("line '" + label + "': x, y and band lengths differ");
            }
        }
    }
}
