package org.polytopelens.testkit;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.polytopelens.api.Provider;
import org.polytopelens.core.ParameterInfo;
import org.polytopelens.core.internal.Registry;
import org.polytopelens.core.internal.Schema;

/**
 * Registry helpers for plugin tests that drive the core's real runner without OSGi: the parameter
 * schema bnd derives from a plugin's config annotation, as Metatype would report it
 * ({@code alpha_max()} -> {@code alpha.max}), and registration of providers.
 */
public final class Registries {
    private Registries() {}

    public static Schema schemaOf(Class<?> config) {
        List<Schema.Attribute> attrs = new ArrayList<>();
        for (Method m : config.getDeclaredMethods()) {
            String id = m.getName().replace("__", "\0").replace('_', '.').replace('\0', '_');
            Class<?> t = m.getReturnType();
            Class<?> e = t.isArray() ? t.getComponentType() : t;
            String type = e == boolean.class ? "boolean" : e == int.class ? "integer" : e == long.class ? "long" : e == double.class ? "double"
                    : "string";
            AttributeDefinition ad = m.getAnnotation(AttributeDefinition.class);
            int cardinality = !t.isArray() ? 0 : ad != null && ad.cardinality() != 0 ? ad.cardinality() : Integer.MAX_VALUE;
            Object d = m.getDefaultValue();
            List<String> defaults = new ArrayList<>();
            if (d != null && t.isArray()) {
                for (int i = 0; i < Array.getLength(d); i++) {
                    defaults.add(String.valueOf(Array.get(d, i)));
                }
            } else if (d != null) {
                defaults.add(String.valueOf(d));
            }
            attrs.add(new Schema.Attribute(id, new ParameterInfo(Schema.key(id), m.getName(), "", type, cardinality, d == null, defaults, List.of())));
        }
        return new Schema(config.getName(), attrs);
    }

    /** Registers {@code p} as a provider of {@code type}, its PID being its id (as {@link #schemaOf} schemas are keyed). */
    public static void add(Registry r, Class<? extends Provider> type, Provider p) {
        r.add(type, p, new Registry.Origin("test", "0", p.id(), null));
    }
}
