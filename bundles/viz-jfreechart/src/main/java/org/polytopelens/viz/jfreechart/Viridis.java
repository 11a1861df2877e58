package org.polytopelens.viz.jfreechart;

import java.awt.Color;
import java.awt.Paint;
import org.jfree.chart.renderer.PaintScale;

/**
 * The viridis colour map (perceptually uniform, readable in grey scale and with colour-vision
 * deficiencies) over {@code [lower, upper]}, as a 256-entry table. Non-finite values get {@link
 * #MISSING}. The table comes from the degree-6 polynomial fit of matplotlib's viridis by Matt
 * Zucker (shadertoy WlfXRN; within about 1/255 of the original).
 */
final class Viridis implements PaintScale {
    static final int MISSING = 0xFFE8E8E8;
    private static final int[] LUT = new int[256];
    private static final Color[] COLORS = new Color[256];

    static {
        double[][] c = {
                { 0.2777273272234177, 0.005407344544966578, 0.3340998053353061 },
                { 0.1050930431085774, 1.404613529898575, 1.384590162594685 },
                { -0.3308618287255563, 0.214847559468213, 0.09509516302823659 },
                { -4.634230498983486, -5.799100973351585, -19.33244095627987 },
                { 6.228269936347081, 14.17993336680509, 56.69055260068105 },
                { 4.776384997670288, -13.74514537774601, -65.35303263337234 },
                { -5.435455855934631, 4.645852612178535, 26.3124352495832 } };
        for (int i = 0; i < 256; i++) {
            double t = i / 255.0;
            int argb = 0xFF000000;
            for (int ch = 0; ch < 3; ch++) {
                double v = 0;
                for (int k = 6; k >= 0; k--) {
                    v = v * t + c[k][ch];
                }
                int b = (int) Math.round(Math.max(0, Math.min(1, v)) * 255);
                argb |= b << (16 - 8 * ch);
            }
            LUT[i] = argb;
            COLORS[i] = new Color(argb);
        }
    }

    private final double lower;
    private final double upper;

    Viridis(double lower, double upper) {
        this.lower = lower;
        this.upper = upper;
    }

    /** The table index of {@code v}, or -1 when it is not finite. */
    int index(double v) {
        if (!Double.isFinite(v)) {
            return -1;
        }
        double t = upper > lower ? (v - lower) / (upper - lower) : 0.5;
        return (int) Math.round(Math.max(0, Math.min(1, t)) * 255);
    }

    int argb(double v) {
        int i = index(v);
        return i < 0 ? MISSING : LUT[i];
    }

    @Override
    public double getLowerBound() {
        return lower;
    }

    @Override
    public double getUpperBound() {
        return upper;
    }

    @Override
    public Paint getPaint(double value) {
        int i = index(value);
        return i < 0 ? new Color(MISSING) : COLORS[i];
    }
}
