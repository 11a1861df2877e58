package org.polytopelens.analysis.density;

/** An independent two-sided p-value of Student's t, by numerical integration (no beta or gamma functions). */
final class StudentT {
    private StudentT() {}

    /**
     * With {@code x = sqrt(df) tan(theta)} the density {@code (1 + x^2/df)^(-(df+1)/2) dx} becomes
     * {@code sqrt(df) cos(theta)^(df-1) dtheta}, so {@code P(|T| >= |t|)} is the integral of
     * {@code cos^(df-1)} over {@code [atan(|t|/sqrt df), pi/2]} divided by that over {@code [0, pi/2]}.
     * Composite Simpson with 2e5 intervals: smooth integrand for df >= 1.
     */
    static double integratedTwoSidedP(double t, double df) {
        double from = Math.atan(Math.abs(t) / Math.sqrt(df));
        return simpson(from, Math.PI / 2, df) / simpson(0, Math.PI / 2, df);
    }

    private static double simpson(double a, double b, double df) {
        int n = 200_000;
        double h = (b - a) / n, s = f(a, df) + f(b, df);
        for (int i = 1; i < n; i++) {
            s += (i % 2 == 0 ? 2 : 4) * f(a + i * h, df);
        }
        return s * h / 3;
    }

    private static double f(double theta, double df) {
        return Math.pow(Math.max(0, Math.cos(theta)), df - 1);
    }
}
