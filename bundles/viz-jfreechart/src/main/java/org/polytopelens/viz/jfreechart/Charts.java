package org.polytopelens.viz.jfreechart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Paint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.AbstractRenderer;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.StackedXYBarRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.CategoryTableXYDataset;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.polytopelens.api.data.BarPlot;
import org.polytopelens.api.data.Histogram;
import org.polytopelens.api.data.LinePlot;

/**
 * Builds the JFreeChart of a line plot, bar plot or histogram, titled and labelled from the
 * result. Input that cannot be drawn faithfully (mismatched shapes, group indices outside the
 * names) is refused with an {@link IllegalArgumentException} naming the result.
 */
final class Charts {
    /** Histogram groups beyond this many (largest first) are drawn together as "other". */
    static final int MAX_GROUPS = 12;
    private static final BasicStroke LINE = new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);

    private Charts() {}

    static JFreeChart line(LinePlot p) {
        if (p.lines().isEmpty()) {
            throw new IllegalArgumentException("line plot '" + p.name() + "' has no lines");
        }
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        Set<String> keys = new HashSet<>();
        boolean anyBand = false;
        for (LinePlot.Line line : p.lines()) {
            YIntervalSeries s = new YIntervalSeries(unique(keys, line.label(), "line"), false, true);
            for (int i = 0; i < line.x().length; i++) {
                double y = line.y()[i];
                double lo = line.lower() == null || !Double.isFinite(line.lower()[i]) ? y : line.lower()[i];
                double hi = line.upper() == null || !Double.isFinite(line.upper()[i]) ? y : line.upper()[i];
                s.add(line.x()[i], y, lo, hi);
            }
            anyBand |= line.lower() != null || line.upper() != null;
            data.addSeries(s);
        }
        // Draws each line over its band (a line without a band has a band of zero width).
        DeviationRenderer r = new DeviationRenderer(true, false);
        keepSeriesLook(r);
        r.setAlpha(anyBand ? 0.2f : 0f);
        for (int i = 0; i < p.lines().size(); i++) {
            r.setSeriesPaint(i, ChartStyle.color(i));
            r.setSeriesFillPaint(i, ChartStyle.color(i));
            r.setSeriesStroke(i, LINE);
        }
        NumberAxis x = ChartStyle.numberAxis(p.xLabel());
        x.setAutoRangeIncludesZero(false);
        x.setLowerMargin(0); // lines span the data: no empty strip at either end
        x.setUpperMargin(0);
        NumberAxis y = ChartStyle.numberAxis(p.yLabel());
        y.setAutoRangeIncludesZero(false);
        XYPlot plot = new XYPlot(data, x, y, r);
        JFreeChart chart = new JFreeChart(p.title(), ChartStyle.TITLE, plot, p.lines().size() > 1);
        return ChartStyle.style(chart);
    }

    static JFreeChart bar(BarPlot p) {
        int nc = p.categories().size();
        checkShape(p, "values", p.values(), nc);
        if ((p.lower() == null) != (p.upper() == null)) {
            throw new IllegalArgumentException("bar plot '" + p.name() + "': error bars need both lower and upper (or neither); got only "
                    + (p.lower() == null ? "upper" : "lower"));
        }
        if (p.lower() != null) {
            checkShape(p, "lower", p.lower(), nc);
            checkShape(p, "upper", p.upper(), nc);
        }
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        Set<String> seriesKeys = new HashSet<>();
        Set<String> categoryKeys = new HashSet<>();
        List<String> categories = new ArrayList<>();
        for (String c : p.categories()) {
            categories.add(unique(categoryKeys, c, "category"));
        }
        for (int s = 0; s < p.series().size(); s++) {
            String key = unique(seriesKeys, p.series().get(s), "series");
            for (int c = 0; c < nc; c++) {
                double v = p.values()[s][c];
                data.addValue(Double.isFinite(v) ? Double.valueOf(v) : null, key, categories.get(c));
            }
        }
        ErrorBarRenderer r = new ErrorBarRenderer(p.lower(), p.upper());
        keepSeriesLook(r);
        r.setShadowVisible(false);
        r.setDrawBarOutline(false);
        r.setItemMargin(0.04);
        r.setMaximumBarWidth(0.12);
        for (int s = 0; s < p.series().size(); s++) {
            r.setSeriesPaint(s, ChartStyle.color(s));
        }
        CategoryAxis x = new CategoryAxis(null);
        x.setCategoryMargin(0.2);
        x.setMaximumCategoryLabelLines(2);
        int longest = p.categories().stream().mapToInt(String::length).max().orElse(0);
        if (nc > 8 && longest > 6 || longest * nc > 90) {
            x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        }
        NumberAxis y = ChartStyle.numberAxis(p.yLabel());
        CategoryPlot plot = new CategoryPlot(data, x, y, r);
        plot.setDomainGridlinesVisible(false);
        JFreeChart chart = new JFreeChart(p.title(), ChartStyle.TITLE, plot, p.series().size() > 1);
        if (p.lower() != null) {
            chart.addSubtitle(subtitle("error bars: lower to upper bound given with the result"));
        }
        return ChartStyle.style(chart);
    }

    private static void checkShape(BarPlot p, String what, double[][] a, int categories) {
        if (a.length != p.series().size()) {
            throw new IllegalArgumentException("bar plot '" + p.name() + "': " + what + " has " + a.length + " rows for " + p.series().size()
                    + " series " + p.series() + "; expected [series][category] = [" + p.series().size() + "][" + categories + "]");
        }
        for (int s = 0; s < a.length; s++) {
            if (a[s] == null || a[s].length != categories) {
                throw new IllegalArgumentException("bar plot '" + p.name() + "': " + what + " row " + s + " (series '" + p.series().get(s)
                        + "') has " + (a[s] == null ? "no" : a[s].length) + " values for " + categories + " categories " + p.categories());
            }
        }
    }

    static JFreeChart histogram(Histogram h) {
        int n = h.values().length;
        int[] groups = h.groups();
        List<String> names = h.groupNames();
        boolean noise = false;
        if (groups != null) {
            for (int i = 0; i < n; i++) {
                int g = groups[i];
                if (g == -1) {
                    noise = true;
                } else if (g < 0 || g >= names.size()) {
                    throw new IllegalArgumentException("histogram '" + h.name() + "': value " + i + " has group " + g + ", but there are " + names.size()
                            + " group names (valid: 0.." + (names.size() - 1) + ", or -1 for noise)");
                }
            }
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        int finite = 0;
        for (double v : h.values()) {
            if (Double.isFinite(v)) {
                finite++;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (finite == 0) {
            min = 0;
            max = 1;
        } else if (min == max) {
            min -= 0.5;
            max += 0.5;
        }
        int bins = h.bins() > 0 ? h.bins() : autoBins(h.values(), finite, min, max);
        double width = (max - min) / bins;

        // Group slots: 0..names-1, then noise; counts[slot][bin].
        int slots = groups == null ? 1 : names.size() + 1;
        long[][] counts = new long[slots][bins];
        long[] totals = new long[slots];
        for (int i = 0; i < n; i++) {
            double v = h.values()[i];
            if (!Double.isFinite(v)) {
                continue;
            }
            int b = Math.min(bins - 1, (int) ((v - min) / width));
            int slot = groups == null ? 0 : groups[i] == -1 ? names.size() : groups[i];
            counts[slot][b]++;
            totals[slot]++;
        }

        CategoryTableXYDataset data = new CategoryTableXYDataset();
        List<Paint> paints = new ArrayList<>();
        if (groups == null) {
            add(data, "count", counts[0], min, width);
            paints.add(ChartStyle.color(0));
        } else {
            // Largest groups first (bottom of the stack, top of the legend); colours follow the
            // group index so a group keeps its colour across charts of the same clustering.
            List<Integer> order = new ArrayList<>();
            for (int g = 0; g < names.size(); g++) {
                if (totals[g] > 0) {
                    order.add(g);
                }
            }
            order.sort(Comparator.comparingLong((Integer g) -> -totals[g]).thenComparing(g -> g));
            int keep = order.size() > MAX_GROUPS ? MAX_GROUPS - 1 : order.size();
            Set<String> keys = new HashSet<>();
            for (int k = 0; k < keep; k++) {
                int g = order.get(k);
                add(data, unique(keys, names.get(g), "group"), counts[g], min, width);
                paints.add(ChartStyle.color(g));
            }
            if (keep < order.size()) {
                long[] other = new long[bins];
                for (int k = keep; k < order.size(); k++) {
                    for (int b = 0; b < bins; b++) {
                        other[b] += counts[order.get(k)][b];
                    }
                }
                add(data, unique(keys, "other (" + (order.size() - keep) + " groups)", "other"), other, min, width);
                paints.add(ChartStyle.OTHER);
            }
            if (noise && totals[names.size()] > 0) {
                add(data, unique(keys, "noise", "noise"), counts[names.size()], min, width);
                paints.add(new Color(0x888888));
            }
        }
        data.setIntervalWidth(width);

        StackedXYBarRenderer r = new StackedXYBarRenderer(0.0);
        keepSeriesLook(r);
        r.setShadowVisible(false);
        r.setDrawBarOutline(bins <= 60);
        r.setDefaultOutlinePaint(Color.WHITE);
        r.setDefaultOutlineStroke(new BasicStroke(0.5f));
        for (int s = 0; s < paints.size(); s++) {
            r.setSeriesPaint(s, paints.get(s));
            r.setSeriesOutlinePaint(s, Color.WHITE);
        }
        NumberAxis x = ChartStyle.numberAxis(h.xLabel());
        x.setAutoRangeIncludesZero(false);
        x.setRange(min - width * 0.5, max + width * 0.5);
        NumberAxis y = ChartStyle.numberAxis("count");
        y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setDomainGridlinesVisible(false);
        JFreeChart chart = new JFreeChart(h.title(), ChartStyle.TITLE, plot, groups != null);
        String note = String.format(Locale.ROOT, "n = %,d, %d bins of width %s", finite, bins, compact(width));
        if (finite < n) {
            note += String.format(Locale.ROOT, " (%,d non-finite values left out)", n - finite);
        }
        chart.addSubtitle(subtitle(note));
        return ChartStyle.style(chart);
    }

    /** The theme would otherwise replace our series colours and strokes with its own sequence. */
    private static void keepSeriesLook(AbstractRenderer r) {
        r.setAutoPopulateSeriesPaint(false);
        r.setAutoPopulateSeriesFillPaint(false);
        r.setAutoPopulateSeriesStroke(false);
    }

    private static void add(CategoryTableXYDataset data, String key, long[] counts, double min, double width) {
        for (int b = 0; b < counts.length; b++) {
            data.add(min + (b + 0.5) * width, counts[b], key, false);
        }
    }

    /** Freedman–Diaconis, kept between 10 and 200 bins (Sturges when the IQR is 0). */
    static int autoBins(double[] values, int finite, double min, double max) {
        if (finite < 2) {
            return 10;
        }
        double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        double iqr = v[(int) (0.75 * (v.length - 1))] - v[(int) (0.25 * (v.length - 1))];
        double bins = iqr > 0 ? (max - min) / (2 * iqr / Math.cbrt(v.length)) : Math.log(v.length) / Math.log(2) + 1;
        return (int) Math.max(10, Math.min(200, Math.ceil(bins)));
    }

    static TextTitle subtitle(String text) {
        TextTitle t = new TextTitle(text, ChartStyle.SUBTITLE);
        t.setPaint(ChartStyle.AXIS);
        return t;
    }

    /** A number in few characters: 0.05, 1.2e-06, 3. */
    static String compact(double v) {
        String s = String.format(Locale.ROOT, "%.3g", v);
        if (s.contains("e")) {
            return s.replaceFirst("\\.?0+e", "e");
        }
        return s.contains(".") ? s.replaceFirst("\\.?0+$", "") : s;
    }

    /** JFreeChart datasets key series by name: repeated or missing names get a suffix. */
    static String unique(Set<String> used, String name, String fallback) {
        String base = name == null || name.isBlank() ? fallback : name;
        String key = base;
        for (int i = 2; !used.add(key); i++) {
            key = base + " (" + i + ")";
        }
        return key;
    }
}
