package org.polytopelens.gui.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.polytopelens.api.Model;
import org.polytopelens.api.ModelBackend;
import org.polytopelens.api.data.ModelInfo;

/** A model's description read with the backend that claims its file first, cached by file and modification time. */
final class ModelInfos {
    record Read(ModelInfo info, String backend) {}

    private static final Map<String, Read> CACHE = new ConcurrentHashMap<>();

    private ModelInfos() {}

    static Read read(Services services, Path file) throws Exception {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no model file " + file);
        }
        String key = file.toAbsolutePath().normalize() + "@" + Files.getLastModifiedTime(file).toMillis();
        Read cached = CACHE.get(key);
        if (cached != null) {
            return cached;
        }
        List<ModelBackend> backends = services.registry().providers(ModelBackend.class);
        ModelBackend b = backends.stream().filter(x -> x.priority(file) > 0).max(Comparator.comparingInt(x -> x.priority(file)))
                .orElseThrow(() -> new IllegalArgumentException("no model backend opens " + file.getFileName() + "; backends: "
                        + backends.stream().map(ModelBackend::id).toList()));
        try (Model m = b.open(file, services.registry().validate(b, Map.of()))) {
            Read r = new Read(m.info(), b.id());
            CACHE.put(key, r);
            return r;
        }
    }
}
