package org.polytopelens.coder.relu;

import java.util.Set;
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
 * Hard codes of LeakyRelu and PRelu sites: two linear pieces meeting at 0 whatever the slope
 * ({@code alpha} or the PRelu slope tensor), so one bit per neuron, 1 iff the pre-activation is
 * &gt; 0. Same conventions as {@link ReluCoder}: 0.0 and -0.0 give 0, NaN gives 0.
 */
@Component(service = ActivationCoder.class)
@Designate(ocd = LeakyReluCoder.Config.class)
public final class LeakyReluCoder implements ActivationCoder {
    static final Set<String> KNOWN = Set.of("LeakyRelu", "PRelu");

    @ObjectClassDefinition(name = "LeakyReLU/PReLU hard spline codes",
            description = "Codes LeakyRelu and PRelu sites: one bit per neuron, 1 iff pre-activation > 0.")
    public @interface Config {
        @AttributeDefinition(name = "Ops", description = "The ops this coder claims, among LeakyRelu and PRelu.")
        String[] ops() default {"LeakyRelu", "PRelu"};
    }

    private final Set<String> ops;

    @Activate
    public LeakyReluCoder(Config config) {
        this.ops = Packing.ops("leakyrelu", config.ops(), KNOWN);
    }

    /** Claims both ops. */
    public LeakyReluCoder() {
        this.ops = KNOWN;
    }

    @Override
    public String id() {
        return "leakyrelu";
    }

    @Override
    public String name() {
        return "LeakyReLU/PReLU hard spline codes";
    }

    @Override
    public String description() {
        return "One bit per neuron of a LeakyRelu or PRelu site: 1 iff the pre-activation is > 0 (the kink of the two linear pieces).";
    }

    @Override
    public boolean supports(ActivationSite site) {
        return site.kind() == GateKind.HARD && ops.contains(site.op());
    }

    @Override
    public SplineCodes hard(ActivationSite site, Tensor pre) {
        return Packing.above(site, pre, 0.0);
    }
}
