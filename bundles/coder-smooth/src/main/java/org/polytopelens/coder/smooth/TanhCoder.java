package org.polytopelens.coder.smooth;

import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.polytopelens.api.ActivationCoder;
import org.polytopelens.api.data.ActivationSite;

/** Soft codes of Tanh sites: p = (1 + tanh x) / 2, computed as sigmoid(2x). */
@Component(service = ActivationCoder.class)
@Designate(ocd = TanhCoder.Config.class)
public final class TanhCoder extends SmoothCoder {
    static final Set<String> KNOWN = Set.of("Tanh");

    @ObjectClassDefinition(name = "Tanh soft spline codes", description = "Codes Tanh sites: p = (1 + tanh x) / 2 per neuron; hardened at 0.5.")
    public @interface Config {
        @AttributeDefinition(name = "Ops", description = "The ops this coder claims: Tanh.")
        String[] ops() default {"Tanh"};
    }

    @Activate
    public TanhCoder(Config config) {
        super("tanh", config.ops(), KNOWN);
    }

    /** Claims every op it knows. */
    public TanhCoder() {
        super("tanh", KNOWN.toArray(String[]::new), KNOWN);
    }

    @Override
    public String id() {
        return "tanh";
    }

    @Override
    public String name() {
        return "Tanh soft spline codes";
    }

    @Override
    public String description() {
        return "Soft codes of Tanh sites: p = (1 + tanh x) / 2 = sigmoid(2x); hard codes x > 0.";
    }

    @Override
    DoubleUnaryOperator gate(ActivationSite site) {
        return x -> Gates.sigmoid(2 * x);
    }
}
