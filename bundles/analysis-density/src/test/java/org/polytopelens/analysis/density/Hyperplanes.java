package org.polytopelens.analysis.density;

import java.util.List;
import org.polytopelens.api.SpaceEncoder;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.CodeLayout;
import org.polytopelens.api.data.GateKind;
import org.polytopelens.api.data.SoftCodes;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;

/**
 * Codes whose bits are the hyperplanes {@code w[k] . x + b[k] > 0} (a one-layer ReLU net to the
 * output); soft codes are sigmoid(w.x + b) unless {@code hardSoft}.
 */
final class Hyperplanes implements SpaceEncoder {
    final float[][] w;
    final float[] b;
    final boolean hardSoft;

    Hyperplanes(float[][] w, float[] b, boolean hardSoft) {
        this.w = w;
        this.b = b;
        this.hardSoft = hardSoft;
    }

    double pre(Tensor t, int r, int k) {
        double s = b[k];
        for (int d = 0; d < w[k].length; d++) {
            s += w[k][d] * t.data()[r * t.rowSize() + d];
        }
        return s;
    }

    @Override
    public String layer() {
        return "";
    }

    @Override
    public List<ActivationSite> sites() {
        return List.of(new ActivationSite("relu", "Relu", GateKind.HARD, "pre", new long[] {w.length}, w.length));
    }

    @Override
    public CodeLayout layout() {
        return new CodeLayout(List.of(new CodeLayout.Segment("relu", 0, w.length)));
    }

    @Override
    public SplineCodes hard(Tensor t) {
        SplineCodes.Builder c = new SplineCodes.Builder(t.rows(), w.length);
        for (int r = 0; r < t.rows(); r++) {
            for (int k = 0; k < w.length; k++) {
                if (pre(t, r, k) > 0) {
                    c.set(r, k);
                }
            }
        }
        return c.build();
    }

    @Override
    public SoftCodes soft(Tensor t) {
        if (hardSoft) {
            return SoftCodes.of(hard(t));
        }
        float[] p = new float[t.rows() * w.length];
        for (int r = 0; r < t.rows(); r++) {
            for (int k = 0; k < w.length; k++) {
                p[r * w.length + k] = (float) (1 / (1 + Math.exp(-pre(t, r, k))));
            }
        }
        return new SoftCodes(t.rows(), w.length, p);
    }
}
