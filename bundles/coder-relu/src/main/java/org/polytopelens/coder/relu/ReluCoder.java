package org.polytopelens.coder.relu;

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
 * Hard spline codes of ReLU sites: bit {@code k} of a point is 1 iff neuron {@code k}'s
 * pre-activation is &gt; {@code threshold} (strictly; default 0), neurons flattened in C order
 * without the batch axis. 0.0 and -0.0 give 0; NaN gives 0 (NaN &gt; t is false). The soft code is
 * the hard code as 0/1.
 *
 * <p>The threshold is component configuration (ConfigAdmin PID {@code org.polytopelens.coder.relu.ReluCoder}),
 * not an experiment parameter: coders take no per-experiment parameters.
 */
@Component(service = ActivationCoder.class)
@Designate(ocd = ReluCoder.Config.class)
public final class ReluCoder implements ActivationCoder {
    @ObjectClassDefinition(name = "ReLU hard spline codes", description = "Codes ReLU sites: one bit per neuron, 1 iff pre-activation > threshold.")
    public @interface Config {
        @AttributeDefinition(name = "Threshold", description = "A neuron's bit is 1 iff its pre-activation is strictly greater than this (0 for the paper's codes).")
        double threshold() default 0.0;
    }

    private final double threshold;

    @Activate
    public ReluCoder(Config config) {
        this.threshold = config.threshold();
    }

    /** The paper's coder: threshold 0. */
    public ReluCoder() {
        this.threshold = 0.0;
    }

    @Override
    public String id() {
        return "relu";
    }

    @Override
    public String name() {
        return "ReLU hard spline codes";
    }

    @Override
    public String description() {
        return "One bit per neuron of a Relu site: 1 iff the pre-activation is > 0. Exact codes of piecewise-linear ReLU networks.";
    }

    @Override
    public boolean supports(ActivationSite site) {
        return "Relu".equals(site.op()) && site.kind() == GateKind.HARD;
    }

    /** With the paper's threshold 0 the code is the pre-activation's sign: a backend may compute it. */
    @Override
    public boolean signCode(ActivationSite site) {
        return threshold == 0.0 && supports(site) && !site.attributes().containsKey("sequence_axis");
    }

    @Override
    public SplineCodes hard(ActivationSite site, Tensor pre) {
        return Packing.above(site, pre, threshold);
    }
}
