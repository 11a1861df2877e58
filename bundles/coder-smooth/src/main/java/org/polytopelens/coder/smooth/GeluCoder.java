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
 * Soft codes of GELU sites, {@code x Phi(x)}: p = Phi(x), the standard normal CDF, accurate to
 * double precision before rounding to float (Cody's erfc). A site with attribute
 * {@code approximate = "tanh"} (ONNX Gelu-20) gets its own gate,
 * {@code (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2}.
 */
@Component(service = ActivationCoder.class)
@Designate(ocd = GeluCoder.Config.class)
public final class GeluCoder extends SmoothCoder {
    static final Set<String> KNOWN = Set.of("Gelu");

    @ObjectClassDefinition(name = "GELU soft spline codes", description = "Codes Gelu sites: p = Phi(x) per neuron; hardened at 0.5.")
    public @interface Config {
        @AttributeDefinition(name = "Ops", description = "The ops this coder claims: Gelu.")
        String[] ops() default {"Gelu"};
    }

    @Activate
    public GeluCoder(Config config) {
        super("gelu", config.ops(), KNOWN);
    }

    /** Claims every op it knows. */
    public GeluCoder() {
        super("gelu", KNOWN.toArray(String[]::new), KNOWN);
    }

    @Override
    public String id() {
        return "gelu";
    }

    @Override
    public String name() {
        return "GELU soft spline codes";
    }

    @Override
    public String description() {
        return "Soft codes of Gelu sites: p = Phi(x), the standard normal CDF (the tanh form for approximate = tanh); hard codes x > 0.";
    }

    @Override
    DoubleUnaryOperator gate(ActivationSite site) {
        return "tanh".equals(site.attributes().get("approximate")) ? Gates::geluTanh : Gates::phi;
    }
}
