package org.polytopelens.backend.nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.polytopelens.api.Model;
import org.polytopelens.api.ModelBackend;
import org.polytopelens.api.Parameters;

/**
 * Opens the piecewise-linear part of ONNX models (MLPs and CNNs: Gemm, MatMul, Add, Conv, MaxPool,
 * AveragePool, BatchNormalization folded, Flatten, Reshape, Transpose, Relu, LeakyRelu, PRelu,
 * Clip, Identity, Constant; {@link Graph#SUPPORTED}) with ND4J and knows their geometry exactly:
 * affine maps, Jacobian-vector products and the boundaries crossed on a segment, MaxPool switches
 * included ({@link org.polytopelens.api.PiecewiseLinear}). Its priority
 * is below ONNX Runtime's, so experiments name it ({@code backend: nd4j}) when they want it.
 * ND4J (about 1.6 s cold) starts on the first {@code open}, never at activation.
 */
@Component(service = ModelBackend.class)
@Designate(ocd = Nd4jBackend.Config.class)
public final class Nd4jBackend implements ModelBackend {
    /** Below ONNX Runtime's 100: that backend stays the default for .onnx files. */
    static final int PRIORITY = 10;

    @ObjectClassDefinition(
            name = "ND4J model backend (exact piecewise-linear)",
            description = "Evaluates piecewise-linear networks (MLPs and CNNs: Gemm, MatMul, Add, Conv, MaxPool, AveragePool, "
                    + "BatchNormalization, Flatten, Reshape, Transpose, Relu, LeakyRelu, PRelu, Clip) with ND4J and computes their "
                    + "exact affine maps and segment crossings in double precision.")
    public @interface Config {
        @AttributeDefinition(
                name = "Walk tolerance",
                description = "Boundaries met on a walked segment within this distance in t (the segment's parameter, "
                        + "0 to 1) of each other are stepped past together; each is still reported at its own t.",
                min = "0")
        double walk_tolerance() default 1e-10;

        @AttributeDefinition(
                name = "Maximum crossings",
                description = "A walk that finds more boundary crossings than this fails instead of running on.",
                min = "1")
        int max_crossings() default 1_000_000;
    }

    private static final Set<String> CONFIG_KEYS = Set.of("walk.tolerance", "max.crossings");

    private final Set<Model> open = ConcurrentHashMap.newKeySet();
    private volatile Map<String, Object> defaults;

    @Activate
    public Nd4jBackend(Map<String, Object> properties) {
        modified(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        Map<String, Object> d = new HashMap<>();
        properties.forEach((k, v) -> {
            if (CONFIG_KEYS.contains(k)) {
                d.put(k, v);
            }
        });
        defaults = Map.copyOf(d);
    }

    @Deactivate
    void deactivate() {
        List.copyOf(open).forEach(Model::close);
    }

    @Override
    public String id() {
        return "nd4j";
    }

    @Override
    public String name() {
        return "ND4J (exact piecewise-linear)";
    }

    @Override
    public String description() {
        return "Evaluates piecewise-linear ONNX models (MLPs and CNNs: Gemm, MatMul, Add, Conv, MaxPool, AveragePool, "
                + "BatchNormalization, Flatten, Reshape, Transpose, Relu, LeakyRelu, PRelu, Clip) with ND4J and computes their exact "
                + "geometry: the affine map of a polytope, Jacobian-vector products, and every boundary crossed on a segment "
                + "(MaxPool switches included).";
    }

    @Override
    public int priority(Path model) {
        Path name = model.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".onnx") ? PRIORITY : -1;
    }

    @Override
    public Model open(Path model, Parameters params) throws IOException {
        Map<String, Object> merged = new HashMap<>(defaults);
        merged.putAll(params.asMap());
        Config c = Parameters.of(merged).as(Config.class);
        if (!(c.walk_tolerance() >= 0) || c.max_crossings() < 1) {
            throw new IllegalArgumentException("walk_tolerance must be >= 0 and max_crossings >= 1, got walk_tolerance="
                    + c.walk_tolerance() + ", max_crossings=" + c.max_crossings());
        }
        Graph graph = Graph.read(model);
        try {
            Nd4jModel[] self = new Nd4jModel[1];
            self[0] = new Nd4jModel(graph, new Nd4jModel.Options(c.walk_tolerance(), c.max_crossings()), () -> open.remove(self[0]));
            open.add(self[0]);
            return self[0];
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (LinkageError e) {
            // ND4J's native libraries or its backend failed to load; ND4J stays unusable until the bundle is refreshed.
            throw new IOException("ND4J failed to start while opening " + model + ": " + e, e);
        } catch (Exception e) {
            throw new IOException("ND4J cannot load " + model + ": " + e.getMessage(), e);
        }
    }
}
