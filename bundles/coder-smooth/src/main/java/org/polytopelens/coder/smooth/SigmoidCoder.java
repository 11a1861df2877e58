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

/** Soft codes of Sigmoid sites: p = sigmoid(x), the gate itself; computed without overflow. */
@Component(service = ActivationCoder.class)
@Designate(ocd = SigmoidCoder.Config.class)
public final class SigmoidCoder extends SmoothCoder {
    static final Set<String> KNOWN = Set.of("Sigmoid");

    @ObjectClassDefinition(name = "Sigmoid soft spline codes", description = "Codes Sigmoid sites: p = sigmoid(x) per neuron; hardened at 0.5.")
    public @interface Config {
        @AttributeDefinition(name = "Ops", description = "The ops this coder claims: Sigmoid.")
        String[] ops() default {"Sigmoid"};
    }

    @Activate
    public SigmoidCoder(Config config) {
        super("sigmoid", config.ops(), KNOWN);
    }

    /** Claims every op it knows. */
    public SigmoidCoder() {
        super("sigmoid", KNOWN.toArray(String[]::new), KNOWN);
    }

    @Override
    public String id() {
        return "sigmoid";
    }

    @Override
    public String name() {
        return "Sigmoid soft spline codes";
    }

    @Override
    public String description() {
        return "Soft codes of Sigmoid sites: p = sigmoid(x); hard codes x > 0.";
    }

    @Override
    DoubleUnaryOperator gate(ActivationSite site) {
        return Gates::sigmoid;
    }
}
