package org.polytopelens.viz.jfreechart;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.jfree.chart.JFreeChart;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.ResultSink;
import org.polytopelens.api.Visualizer;
import org.polytopelens.api.data.BarPlot;
import org.polytopelens.api.data.HeatMap;
import org.polytopelens.api.data.Histogram;
import org.polytopelens.api.data.LinePlot;
import org.polytopelens.api.data.Result;
import org.polytopelens.api.data.Table;

/**
 * Renders line plots (bands as shaded areas), bar plots (asymmetric error bars), histograms
 * (stacked by group) and heat maps (viridis scale, marks) as {@code <name>.png} and {@code
 * <name>.svg}, and tables as {@code <name>.csv} and {@code <name>.html}. Every chart carries its
 * title and axis labels, so a reader needs no caption.
 *
 * <p>Parameters come from the call ({@link Parameters}, validated against {@link Config}); a call
 * with none uses the component's configuration (ConfigAdmin PID {@code
 * org.polytopelens.viz.jfreechart.ChartVisualizer}). Draws only into off-screen images and SVG
 * documents, never a window, so it runs without a display.
 */
@Component(service = Visualizer.class)
@Designate(ocd = ChartVisualizer.Config.class)
public final class ChartVisualizer implements Visualizer {
    @ObjectClassDefinition(name = "Charts (JFreeChart)", description = "Renders line, bar, histogram and heat map results as PNG and SVG charts, tables as CSV and HTML.")
    public @interface Config {
        @AttributeDefinition(name = "Width", description = "Chart width in points (PNG pixels at scale 1). Heat maps may be narrower: their cells are square.", min = "120", max = "8000")
        int width() default 900;

        @AttributeDefinition(name = "Height", description = "Chart height in points (PNG pixels at scale 1). Heat maps may be lower: their cells are square.", min = "120", max = "8000")
        int height() default 560;

        @AttributeDefinition(name = "Formats", description = "Chart files to write: png, svg (tables are always written as csv and html).", options = {
                @Option(label = "PNG", value = "png"), @Option(label = "SVG", value = "svg") })
        String[] formats() default { "png", "svg" };

        @AttributeDefinition(name = "PNG scale", description = "PNG pixels per point: 2 gives sharp figures on high-density screens and in print.", min = "0.25", max = "8")
        double scale() default 1.0;
    }

    static {
        // Nothing here needs a display. Without a display, AWT must be headless, or the first
        // BufferedImage fails ("Can't connect to X11 window server") when DISPLAY is set but
        // unreachable. An explicit setting (a GUI) is left alone.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private final Config config;

    @Activate
    public ChartVisualizer(Config config) {
        this.config = config;
    }

    /** With the defaults of {@link Config}. */
    public ChartVisualizer() {
        this(Parameters.empty().as(Config.class));
    }

    @Override
    public String id() {
        return "jfreechart";
    }

    @Override
    public String name() {
        return "Charts (JFreeChart)";
    }

    @Override
    public String description() {
        return "Line plots with bands, bar plots with error bars, histograms by group and heat maps with a colour scale as PNG and SVG; tables as CSV and HTML.";
    }

    @Override
    public boolean supports(Result result) {
        return result instanceof Table || result instanceof LinePlot || result instanceof BarPlot || result instanceof Histogram
                || result instanceof HeatMap;
    }

    @Override
    public void render(Result result, ResultSink out, Parameters params) throws Exception {
        Config c = params == null || params.asMap().isEmpty() ? config : params.as(Config.class);
        String name = result.name();
        if (result instanceof Table t) {
            out.write(name + ".csv", o -> TableFiles.csv(t, o));
            out.write(name + ".html", o -> TableFiles.html(t, o));
            return;
        }
        Set<String> formats = formats(c);
        int width = c.width();
        int height = c.height();
        if (width < 120 || height < 120) {
            throw new IllegalArgumentException("chart size " + width + " x " + height + " is too small: width and height must be at least 120");
        }
        JFreeChart chart;
        if (result instanceof HeatMap m) {
            HeatMaps.Sized sized = HeatMaps.heatMap(m, width, height);
            chart = sized.chart();
            width = sized.width();
            height = sized.height();
        } else {
            chart = chart(result);
        }
        int w = width;
        int h = height;
        for (String f : formats) {
            if (f.equals("png")) {
                out.write(name + ".png", o -> ChartFiles.png(chart, w, h, c.scale(), o));
            } else {
                out.write(name + ".svg", o -> ChartFiles.svg(chart, w, h, o));
            }
        }
    }

    /** Whether {@link #chartOf} draws the result. */
    public static boolean isChart(Result r) {
        return r instanceof LinePlot || r instanceof BarPlot || r instanceof Histogram || r instanceof HeatMap;
    }

    /** The chart the files of {@code r} are drawn from; heat maps sized to at most maxWidth x maxHeight. */
    public static JFreeChart chartOf(Result r, int maxWidth, int maxHeight) {
        return r instanceof HeatMap m ? HeatMaps.heatMap(m, maxWidth, maxHeight).chart() : chart(r);
    }

    static JFreeChart chart(Result r) {
        if (r instanceof LinePlot p) {
            return Charts.line(p);
        } else if (r instanceof BarPlot p) {
            return Charts.bar(p);
        } else if (r instanceof Histogram h) {
            return Charts.histogram(h);
        }
        throw new IllegalArgumentException("result '" + r.name() + "' of type " + r.getClass().getSimpleName()
                + " is not a chart; supported: LinePlot, BarPlot, Histogram, HeatMap (and Table as CSV/HTML)");
    }

    private static Set<String> formats(Config c) {
        Set<String> out = new LinkedHashSet<>();
        for (String f : String.join(",", c.formats() == null ? new String[0] : c.formats()).split("[,\\s]+")) {
            String format = f.toLowerCase(Locale.ROOT);
            if (format.isEmpty()) {
                continue;
            }
            if (!format.equals("png") && !format.equals("svg")) {
                throw new IllegalArgumentException("unknown chart format '" + f + "'; valid: png, svg");
            }
            out.add(format);
        }
        return out;
    }
}
