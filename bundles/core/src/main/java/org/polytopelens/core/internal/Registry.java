package org.polytopelens.core.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Provider;
import org.polytopelens.core.ExtensionPointInfo;
import org.polytopelens.core.ExtensionRegistry;
import org.polytopelens.core.ProviderInfo;

/**
 * The registry's logic without OSGi: providers are added and removed by whoever tracks them (the
 * DS component in a framework, a test directly), and schemas come from a {@code schemas}
 * function (Metatype in a framework). Thread-safe.
 */
public class Registry implements ExtensionRegistry {
    /** Where a provider comes from: its bundle and its configuration PID ({@code component.name}). */
    public record Origin(String bundle, String bundleVersion, String pid, Object handle) {}

    private record Entry(Provider provider, Origin origin) {}

    private final Map<Class<?>, List<Entry>> entries = new ConcurrentHashMap<>();
    private final Function<Origin, Schema> schemas;

    /** @param schemas reads the schema of a provider's origin; returns {@link Schema#NONE} if it has none */
    public Registry(Function<Origin, Schema> schemas) {
        this.schemas = schemas;
        for (ExtensionPoints.Point p : ExtensionPoints.ALL) {
            entries.put(p.type(), new CopyOnWriteArrayList<>());
        }
    }

    public void add(Class<? extends Provider> type, Provider provider, Origin origin) {
        list(type).add(new Entry(provider, origin));
    }

    public void remove(Class<? extends Provider> type, Provider provider) {
        list(type).removeIf(e -> e.provider == provider);
    }

    private List<Entry> list(Class<?> type) {
        ExtensionPoints.of(type);
        return entries.get(type);
    }

    private List<Entry> sorted(Class<?> type) {
        List<Entry> l = new ArrayList<>(list(type));
        l.sort(Comparator.comparing((Entry e) -> safeId(e.provider)));
        return l;
    }

    private static String safeId(Provider p) {
        try {
            return p.id();
        } catch (RuntimeException | LinkageError e) { // a provider whose bundle is going away
            return "?";
        }
    }

    @Override
    public List<ExtensionPointInfo> extensionPoints() {
        List<ExtensionPointInfo> out = new ArrayList<>();
        for (ExtensionPoints.Point p : ExtensionPoints.ALL) {
            out.add(new ExtensionPointInfo(p.name(), p.type().getName(), p.description(),
                    sorted(p.type()).stream().map(e -> info(e)).toList()));
        }
        return out;
    }

    @Override
    public <T extends Provider> T provider(Class<T> type, String id) {
        for (Entry e : sorted(type)) {
            if (safeId(e.provider).equals(id)) {
                return type.cast(e.provider);
            }
        }
        throw new IllegalArgumentException("no " + ExtensionPoints.of(type).name() + " '" + id + "'; valid " + ExtensionPoints.of(type).name()
                + " ids: " + ids(type));
    }

    /** The ids registered for {@code type}, sorted. */
    public List<String> ids(Class<? extends Provider> type) {
        return sorted(type).stream().map(e -> safeId(e.provider)).toList();
    }

    @Override
    public <T extends Provider> List<T> providers(Class<T> type) {
        return sorted(type).stream().map(e -> type.cast(e.provider)).toList();
    }

    @Override
    public ProviderInfo describe(Provider provider) {
        return info(entry(provider));
    }

    private ProviderInfo info(Entry e) {
        Schema s = schema(e);
        return new ProviderInfo(safeId(e.provider), e.provider.name(), e.provider.description(), e.origin.bundle(),
                e.origin.bundleVersion(), e.origin.pid(), s.parameters());
    }

    @Override
    public Parameters validate(Provider provider, Map<String, ?> raw) {
        Entry e = entry(provider);
        String who = ExtensionPoints.ALL.stream().filter(p -> p.type().isInstance(provider)).map(ExtensionPoints.Point::name).findFirst()
                .orElse("provider") + " '" + safeId(provider) + "'";
        return Parameters.of(ParameterValidator.validate(who, schema(e), raw));
    }

    /** The schema of a registered provider. */
    public Schema schema(Provider provider) {
        return schema(entry(provider));
    }

    private Schema schema(Entry e) {
        Schema s = schemas.apply(e.origin);
        return s == null ? Schema.NONE : s;
    }

    private Entry entry(Provider provider) {
        for (List<Entry> l : entries.values()) {
            for (Entry e : l) {
                if (e.provider == provider) {
                    return e;
                }
            }
        }
        throw new IllegalArgumentException("provider '" + safeId(provider) + "' (" + provider.getClass().getName() + ") is not registered");
    }
}
