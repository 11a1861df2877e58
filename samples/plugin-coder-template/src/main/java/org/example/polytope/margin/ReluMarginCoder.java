package org.example.polytope.margin;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.polytopelens.api.ActivationCoder;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.GateKind;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;

/**
 * A coder plugin: a finer hard code for ReLU sites that also says which neurons are close to
 * their boundary. Two bits per neuron, neuron-major: bit {@code 2k} is x &gt; -m, bit {@code 2k+1}
 * is x &gt; +m, so a neuron is off (00), within the margin band |x| &lt;= m (10) or on (11). The
 * Hamming distance between two points then also counts neurons entering or leaving the band: a
 * code for robustness studies (how many gates a perturbation of size ~m can flip). Use it with
 * {@code coders: [relu-margin]} in an experiment.
 */
@Component(service = ActivationCoder.class)
@Designate(ocd = ReluMarginCoder.Config.class)
public final class ReluMarginCoder implements ActivationCoder {
    @ObjectClassDefinition(name = "ReLU with a margin band", description = "Two bits per ReLU neuron: x > -margin and x > +margin.")
    public @interface Config {
        @AttributeDefinition(name = "Margin", description = "Half-width m of the band around the ReLU's boundary (>= 0).", min = "0")
        double margin() default 0.1;
    }

    private final double margin;

    @Activate
    public ReluMarginCoder(Config config) {
        if (!(config.margin() >= 0)) {
            throw new IllegalArgumentException("relu-margin: margin must be >= 0, got " + config.margin());
        }
        this.margin = config.margin();
    }

    @Override
    public String id() {
        return "relu-margin";
    }

    @Override
    public String name() {
        return "ReLU with a margin band (example plugin)";
    }

    @Override
    public String description() {
        return "Two bits per ReLU neuron: pre-activation > -margin and > +margin (off / within the band / on).";
    }

    @Override
    public boolean supports(ActivationSite site) {
        return "Relu".equals(site.op()) && site.kind() == GateKind.HARD;
    }

    @Override
    public int bitsPerNeuron(ActivationSite site) {
        return 2;
    }

    @Override
    public SplineCodes hard(ActivationSite site, Tensor pre) {
        int n = pre.rows();
        int k = pre.rowSize();
        SplineCodes.Builder b = new SplineCodes.Builder(n, 2 * k);
        float[] x = pre.data();
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < k; j++) {
                float v = x[r * k + j];
                if (v > -margin) { // NaN is neither: 00
                    b.set(r, 2 * j);
                }
                if (v > margin) {
                    b.set(r, 2 * j + 1);
                }
            }
        }
        return b.build();
    }
}
