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
 * Hard codes of three-piece gates: {@code Clip} (ReLU6 is {@code Clip(x, 0, 6)}) with breakpoints
 * at the site's {@code min} and {@code max} attributes, and {@code HardSigmoid}/{@code HardSwish}
 * ({@code clip(alpha x + beta, 0, 1)}, breakpoints where that is 0 and 1: -3 and 3 for
 * HardSwish). Two bits per neuron, neuron-major: bit {@code 2k} is x &gt; lower breakpoint, bit
 * {@code 2k+1} is x &gt; upper breakpoint, so the Hamming distance between two points counts the
 * breakpoints crossed. An infinite bound (a Clip without {@code min} or {@code max}) gives a
 * constant bit. NaN gives 00. HardSwish is quadratic between its breakpoints: its code names the
 * piece, but that piece is not affine.
 *
 * <p>A Clip site whose bound is computed at run time (no {@code min}/{@code max} attribute) is
 * not supported.
 */
@Component(service = ActivationCoder.class)
@Designate(ocd = ClipCoder.Config.class)
public final class ClipCoder implements ActivationCoder {
    static final Set<String> KNOWN = Set.of("Clip", "HardSigmoid", "HardSwish");

    @ObjectClassDefinition(name = "Clip/ReLU6 hard spline codes",
            description = "Codes three-piece gates (Clip, ReLU6, HardSigmoid, HardSwish): two bits per neuron, x > lower and x > upper breakpoint.")
    public @interface Config {
        @AttributeDefinition(name = "Ops", description = "The ops this coder claims, among Clip, HardSigmoid and HardSwish.")
        String[] ops() default {"Clip", "HardSigmoid", "HardSwish"};
    }

    private final Set<String> ops;

    @Activate
    public ClipCoder(Config config) {
        this.ops = Packing.ops("clip", config.ops(), KNOWN);
    }

    /** Claims every three-piece op. */
    public ClipCoder() {
        this.ops = KNOWN;
    }

    @Override
    public String id() {
        return "clip";
    }

    @Override
    public String name() {
        return "Clip/ReLU6 hard spline codes";
    }

    @Override
    public String description() {
        return "Two bits per neuron of a Clip (ReLU6), HardSigmoid or HardSwish site: pre-activation > lower and > upper breakpoint.";
    }

    @Override
    public boolean supports(ActivationSite site) {
        return site.kind() == GateKind.HARD && ops.contains(site.op()) && breakpoints(site) != null;
    }

    @Override
    public int bitsPerNeuron(ActivationSite site) {
        return 2;
    }

    @Override
    public SplineCodes hard(ActivationSite site, Tensor pre) {
        double[] b = breakpoints(site);
        if (b == null) {
            throw new IllegalArgumentException("site '" + site.name() + "' (op " + site.op() + ") has no constant breakpoints: its attributes "
                    + site.attributes().keySet() + " need numeric min and max (Clip) or alpha and beta (HardSigmoid)");
        }
        return Packing.twoThresholds(site, pre, b[0], b[1]);
    }

    /** The lower and upper breakpoint, or null if the site does not give them. */
    static double[] breakpoints(ActivationSite site) {
        switch (site.op()) {
            case "Clip" -> {
                if (site.attributes().get("min") instanceof Number lo && site.attributes().get("max") instanceof Number hi) {
                    return new double[] {lo.doubleValue(), hi.doubleValue()};
                }
                return null;
            }
            case "HardSwish" -> {
                return new double[] {-3, 3}; // ONNX fixes alpha = 1/6, beta = 0.5; exact, unlike -0.5 / (1.0 / 6)
            }
            case "HardSigmoid" -> {
                double alpha = site.attribute("alpha", 0.2);
                double beta = site.attribute("beta", 0.5);
                if (alpha == 0) { // constant gate: no breakpoint
                    return new double[] {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
                }
                double at0 = -beta / alpha;
                double at1 = (1 - beta) / alpha;
                return new double[] {Math.min(at0, at1), Math.max(at0, at1)};
            }
            default -> {
                return null;
            }
        }
    }
}
