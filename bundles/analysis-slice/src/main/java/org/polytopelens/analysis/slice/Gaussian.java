package org.polytopelens.analysis.slice;

/**
 * Separable Gaussian smoothing of an image, kernel radius {@code ceil(3 sigma)}, normalised to
 * sum 1. At the borders the truncated kernel is renormalised (a constant image stays constant),
 * so the image's sum is preserved exactly for mass farther than the radius from the border.
 */
final class Gaussian {
    private Gaussian() {}

    static float[] kernel(double sigma) {
        int r = (int) Math.ceil(3 * sigma);
        float[] k = new float[2 * r + 1];
        double s = 0;
        for (int i = -r; i <= r; i++) {
            s += Math.exp(-0.5 * i * i / (sigma * sigma));
        }
        for (int i = -r; i <= r; i++) {
            k[i + r] = (float) (Math.exp(-0.5 * i * i / (sigma * sigma)) / s);
        }
        return k;
    }

    /** A smoothed copy of the row-major {@code w x h} image; sigma 0 returns a copy. */
    static float[] smooth(float[] img, int w, int h, double sigma) {
        if (sigma == 0) {
            return img.clone();
        }
        float[] k = kernel(sigma);
        int r = k.length / 2;
        float[] tmp = new float[img.length], out = new float[img.length];
        // Rows, then columns; double accumulators keep large images' sums exact enough.
        for (int y = 0; y < h; y++) {
            int row = y * w;
            for (int x = 0; x < w; x++) {
                double s = 0, ks = 0;
                for (int i = Math.max(-r, -x); i <= Math.min(r, w - 1 - x); i++) {
                    s += k[i + r] * img[row + x + i];
                    ks += k[i + r];
                }
                tmp[row + x] = (float) (s / ks);
            }
        }
        double[] acc = new double[w], ks = new double[h];
        for (int y = 0; y < h; y++) {
            double kk = 0;
            for (int i = Math.max(-r, -y); i <= Math.min(r, h - 1 - y); i++) {
                kk += k[i + r];
            }
            ks[y] = kk;
        }
        for (int y = 0; y < h; y++) {
            java.util.Arrays.fill(acc, 0);
            for (int i = Math.max(-r, -y); i <= Math.min(r, h - 1 - y); i++) {
                float ki = k[i + r];
                int row = (y + i) * w;
                for (int x = 0; x < w; x++) {
                    acc[x] += ki * tmp[row + x];
                }
            }
            for (int x = 0; x < w; x++) {
                out[y * w + x] = (float) (acc[x] / ks[y]);
            }
        }
        return out;
    }
}
