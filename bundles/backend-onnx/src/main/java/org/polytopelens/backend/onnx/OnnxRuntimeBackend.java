package org.polytopelens.backend.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
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
import org.osgi.service.metatype.annotations.Option;
import org.polytopelens.api.Model;
import org.polytopelens.api.ModelBackend;
import org.polytopelens.api.Parameters;
import org.polytopelens.onnx.proto.Onnx.GraphProto;
import org.polytopelens.onnx.proto.Onnx.ModelProto;
import org.polytopelens.onnx.proto.Onnx.StringStringEntryProto;
import org.polytopelens.onnx.proto.Onnx.TensorProto;

/**
 * Opens {@code .onnx} files with ONNX Runtime (CPU). Settings come from the component's
 * configuration, overridden per model by the parameters an experiment gives {@link #open}.
 * ONNX Runtime's native libraries are loaded on the first {@code open}, not at activation, so
 * the workbench starts without paying for them.
 */
@Component(service = ModelBackend.class)
@Designate(ocd = OnnxRuntimeBackend.Config.class)
public final class OnnxRuntimeBackend implements ModelBackend {

    @ObjectClassDefinition(
            name = "ONNX Runtime model backend",
            description = "Runs ONNX models on the CPU with ONNX Runtime; any tensor can be fetched or fed.")
    public @interface Config {
        @AttributeDefinition(
                name = "Intra-op threads",
                description = "Threads ONNX Runtime uses inside one operator. 1 (default): the workbench's engine "
                        + "already runs batches in parallel, one per core (a 1,024^2 slice of the sample CNN took 2.0-2.3 s "
                        + "with 1, 2.8 s with 0). 0 lets ONNX Runtime choose (one per core; idle threads sleep, they do not "
                        + "spin): better for transformers, whose token batches run one at a time (the MiniLM experiment: "
                        + "34 s with 0, 36 s with 1).",
                min = "0")
        int threads() default 1;

        @AttributeDefinition(
                name = "Graph optimisation",
                description = "ONNX Runtime's graph optimisation level; fetched tensors are kept at every level.",
                options = {
                    @Option(label = "None", value = "none"),
                    @Option(label = "Basic", value = "basic"),
                    @Option(label = "Extended", value = "extended"),
                    @Option(label = "All", value = "all")
                })
        String optimization() default "all";

        @AttributeDefinition(
                name = "Cached sessions",
                description = "Sessions kept per model, one per distinct (feeds, fetches) pair; each holds a copy of "
                        + "the weights.",
                min = "1")
        int sessions() default 8;
    }

    private static final Set<String> CONFIG_KEYS = Set.of("threads", "optimization", "sessions");

    private final Set<Model> open = ConcurrentHashMap.newKeySet();
    private volatile Map<String, Object> defaults;

    @Activate
    public OnnxRuntimeBackend(Map<String, Object> properties) {
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

    /** Models still open when the bundle stops are closed, releasing their native memory. */
    @Deactivate
    void deactivate() {
        List.copyOf(open).forEach(Model::close);
    }

    @Override
    public String id() {
        return "onnxruntime";
    }

    @Override
    public String name() {
        return "ONNX Runtime";
    }

    @Override
    public String description() {
        return "Runs ONNX models on the CPU with Microsoft ONNX Runtime, exposing every intermediate tensor and "
                + "running the network from any tensor to its outputs.";
    }

    @Override
    public int priority(Path model) {
        Path name = model.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".onnx") ? 100 : -1;
    }

    @Override
    public Model open(Path model, Parameters params) throws IOException {
        Map<String, Object> merged = new HashMap<>(defaults);
        merged.putAll(params.asMap());
        Config c = Parameters.of(merged).as(Config.class);
        if (c.threads() < 0 || c.sessions() < 1) {
            throw new IllegalArgumentException("threads must be >= 0 and sessions >= 1, got threads=" + c.threads()
                    + ", sessions=" + c.sessions());
        }
        OnnxModel.Options options = new OnnxModel.Options(c.threads(), optLevel(c.optimization()), c.sessions());
        ModelProto proto = read(model);
        try {
            OnnxModel m = new OnnxModel(model.toString(), proto, OrtEnvironment.getEnvironment(), options, open::remove);
            open.add(m);
            return m;
        } catch (OrtException e) {
            throw new IOException("ONNX Runtime cannot load " + model + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot open " + model + ": " + e.getMessage(), e);
        }
    }

    private static OptLevel optLevel(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "none" -> OptLevel.NO_OPT;
            case "basic" -> OptLevel.BASIC_OPT;
            case "extended" -> OptLevel.EXTENDED_OPT;
            case "all" -> OptLevel.ALL_OPT;
            default -> throw new IllegalArgumentException(
                    "unknown optimization '" + name + "'; valid: none, basic, extended, all");
        };
    }

    /** Parses the file; weights stored as external data are read into the in-memory copy. */
    static ModelProto read(Path file) throws IOException {
        ModelProto proto;
        try (InputStream in = Files.newInputStream(file)) {
            proto = ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("not an ONNX model: " + file + " (" + e.getMessage() + ")", e);
        }
        if (!proto.hasGraph() || proto.getGraph().getNodeCount() == 0) {
            throw new IOException("not an ONNX model: " + file + " has no graph nodes");
        }
        if (proto.getGraph().getInitializerList().stream().noneMatch(t -> t.getDataLocation() == TensorProto.DataLocation.EXTERNAL)) {
            return proto;
        }
        // The rewritten copies are loaded from bytes, where relative external-data paths mean nothing.
        GraphProto.Builder g = proto.getGraph().toBuilder();
        Path dir = file.toAbsolutePath().getParent();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                g.setInitializer(i, inline(t, dir, file));
            }
        }
        return proto.toBuilder().setGraph(g).build();
    }

    private static TensorProto inline(TensorProto t, Path dir, Path model) throws IOException {
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = Long.parseLong(e.getValue());
                case "length" -> length = Long.parseLong(e.getValue());
                default -> { }
            }
        }
        if (location == null) {
            throw new IOException(model + ": initializer '" + t.getName() + "' has external data without a location");
        }
        Path data = dir.resolve(location).normalize();
        if (!data.startsWith(dir)) {
            throw new IOException(model + ": external data of '" + t.getName() + "' points outside the model's folder: " + location);
        }
        byte[] bytes;
        try (var ch = Files.newByteChannel(data)) {
            long n = length >= 0 ? length : ch.size() - offset;
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(Math.toIntExact(n));
            ch.position(offset);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // read fully
            }
            if (buf.hasRemaining()) {
                throw new IOException(model + ": external data file " + data + " is shorter than declared for '"
                        + t.getName() + "'");
            }
            bytes = buf.array();
        }
        return t.toBuilder()
                .clearExternalData()
                .setDataLocation(TensorProto.DataLocation.DEFAULT)
                .setRawData(ByteString.copyFrom(bytes))
                .build();
    }
}
