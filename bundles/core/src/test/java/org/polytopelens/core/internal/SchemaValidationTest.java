package org.polytopelens.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.osgi.service.metatype.AttributeDefinition;
import org.polytopelens.api.Parameters;
import org.polytopelens.core.ParameterInfo;
import org.polytopelens.core.internal.TestPlugins.Ad;
import org.polytopelens.core.internal.TestPlugins.Ocd;

class SchemaValidationTest {
    /** As bnd writes it for {@code int min_size() default 5; String metric() default "euclidean"; String path(); ...}. */
    static final Schema SCHEMA = Schema.of("x.Clustering", new Ocd("x", List.of(
            Ad.of("min.size", AttributeDefinition.INTEGER, "5"),
            new Ad("metric", AttributeDefinition.STRING, 0, new String[] {"euclidean"}, new String[] {"euclidean", "cosine"}),
            Ad.of("path", AttributeDefinition.STRING),
            Ad.of("soft", AttributeDefinition.BOOLEAN, "false"),
            Ad.of("alpha", AttributeDefinition.DOUBLE, "0.5")),
            List.of(new Ad("sites", AttributeDefinition.STRING, Integer.MAX_VALUE, null, null), Ad.of("seed", AttributeDefinition.LONG))));

    /** A config interface the way a plugin reads its parameters. */
    interface Config {
        int min_size();

        String metric();

        boolean soft();

        double alpha();

        String[] sites();
    }

    @Test
    void metatypeAttributesBecomeParameterInfos() {
        List<ParameterInfo> p = SCHEMA.parameters();
        assertEquals(List.of("min_size", "metric", "path", "soft", "alpha", "sites", "seed"), p.stream().map(ParameterInfo::key).toList());
        ParameterInfo min = p.get(0);
        assertEquals("integer", min.type());
        assertFalse(min.required(), "a default makes it optional");
        assertEquals(List.of("5"), min.defaults());
        assertTrue(p.get(2).required(), "no default in the required set: required");
        assertEquals(List.of("euclidean", "cosine"), p.get(1).options());
        assertEquals(Integer.MAX_VALUE, p.get(5).cardinality());
        assertFalse(p.get(6).required(), "optional set");
        assertEquals("long", p.get(6).type());
    }

    @Test
    void convertsAndFillsDefaultsUnderAttributeIds() {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("min_size", "7");
        raw.put("path", "/data/x.npy");
        raw.put("alpha", 2);
        raw.put("sites", "relu1");
        Map<String, Object> v = ParameterValidator.validate("clustering 'x'", SCHEMA, raw);
        assertEquals(7, v.get("min.size"));
        assertEquals(2.0, v.get("alpha"));
        assertEquals(List.of("relu1"), v.get("sites"));
        assertEquals("euclidean", v.get("metric"));
        assertEquals(false, v.get("soft"));
        assertFalse(v.containsKey("seed"), "optional without default stays absent");
        Config c = Parameters.of(v).as(Config.class);
        assertEquals(7, c.min_size());
        assertEquals("euclidean", c.metric());
        assertEquals(2.0, c.alpha());
        assertEquals(List.of("relu1"), List.of(c.sites()));

        Map<String, Object> dotted = ParameterValidator.validate("x", SCHEMA, Map.of("min.size", 9, "path", "p", "soft", "true"));
        assertEquals(9, dotted.get("min.size"));
        assertEquals(true, dotted.get("soft"));
    }

    @Test
    void everyProblemInOneMessageWithTheValidKeys() {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("min_sizes", 3);
        raw.put("alpha", "lots");
        raw.put("metric", "manhattan");
        raw.put("soft", 1);
        raw.put("seed", 1.5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParameterValidator.validate("clustering 'x'", SCHEMA, raw));
        String m = e.getMessage();
        assertTrue(m.startsWith("invalid parameters for clustering 'x'"), m);
        assertTrue(m.contains("unknown parameter 'min_sizes'"), m);
        assertTrue(m.contains("'alpha': expected double, got \"lots\""), m);
        assertTrue(m.contains("\"manhattan\" is not one of [euclidean, cosine]"), m);
        assertTrue(m.contains("'soft': expected boolean"), m);
        assertTrue(m.contains("'seed': expected a whole number"), m);
        assertTrue(m.contains("missing required parameter 'path' (string)"), m);
        assertTrue(m.contains("valid parameters: min_size (integer, default 5), metric (string, default euclidean, one of [euclidean, cosine]), "
                + "path (string, required)"), m);
    }

    @Test
    void bothSpellingsAtOnceIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ParameterValidator.validate("x", SCHEMA, Map.of("min_size", 1, "min.size", 2, "path", "p")));
        assertTrue(e.getMessage().contains("given twice"), e.getMessage());
    }

    @Test
    void integerRangeAndWholeness() {
        assertThrows(IllegalArgumentException.class, () -> ParameterValidator.validate("x", SCHEMA, Map.of("min_size", 3_000_000_000L, "path", "p")));
        assertThrows(IllegalArgumentException.class, () -> ParameterValidator.validate("x", SCHEMA, Map.of("min_size", 2.5, "path", "p")));
        assertEquals(3, ParameterValidator.validate("x", SCHEMA, Map.of("min_size", 3.0, "path", "p")).get("min.size"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ParameterValidator.validate("x", SCHEMA, Map.of("min_size", 0, "path", "p")));
        assertTrue(e.getMessage().contains("'min_size': 0 is not allowed: Value 0 is less than the minimum 1"), e.getMessage());
    }

    @Test
    void noSchemaMeansNoParameters() {
        assertTrue(ParameterValidator.validate("coder 'relu'", Schema.NONE, Map.of()).isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ParameterValidator.validate("coder 'relu'", Schema.NONE, Map.of("threshold", 1)));
        assertTrue(e.getMessage().contains("unknown parameter 'threshold'") && e.getMessage().contains("takes no parameters"), e.getMessage());
    }
}
