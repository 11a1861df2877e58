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

/**
 * Soft codes of SiLU sites, {@code x sigmoid(x)}: p = sigmoid(x), and of Swish sites,
 * {@code x sigmoid(beta x)} with the site attribute {@code beta} (default 1): p = sigmoid(beta x).
 * The hard bit is {@code beta x > 0}.
 */
@Component(service = ActivationCoder.class)
@Designate(ocd = SiluCoder.Config.class)
public final class SiluCoder extends SmoothCoder {
    static final Set<String> KNOWN = Set.of("SiLU", "Swish");

    @ObjectClassDefinition(name = "SiLU/Swish soft spline codes", description = "Codes SiLU (x sigmoid x) and Swish (x sigmoid(beta x)) sites: p = sigmoid(beta x) per neuron; hardened at 0.5.")
    public @interface Config {
        @AttributeDefinition(name = "Ops", description = "The ops this coder claims, among SiLU and Swish.")
        String[] ops() default {"SiLU", "Swish"};
    }

    @Activate
    public SiluCoder(Config config) {
        super("silu", config.ops(), KNOWN);
    }

    /** Claims every op it knows. */
    public SiluCoder() {
        super("silu", KNOWN.toArray(String[]::new), KNOWN);
    }

    @Override
    public String id() {
        return "silu";
    }

    @Override
    public String name() {
        return "SiLU/Swish soft spline codes";
    }

    @Override
    public String description() {
        return "Soft codes of SiLU sites, p = sigmoid(x), and Swish sites, p = sigmoid(beta x); hard codes beta x > 0.";
    }

    @Override
    DoubleUnaryOperator gate(ActivationSite site) {
        double beta = scale(site);
        return beta == 1 ? Gates::sigmoid : x -> Gates.sigmoid(beta * x);
    }

    @Override
    double scale(ActivationSite site) {
        return "Swish".equals(site.op()) ? site.attribute("beta", 1) : 1;
    }
}
