package org.polytopelens.core.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.polytopelens.core.ParameterInfo;

/**
 * Checks an experiment's parameter map against a {@link Schema} and converts it (pure function).
 *
 * <p>Keys: a parameter may be written with its experiment key ({@code min_size}) or its Metatype
 * attribute id ({@code min.size}); the result holds it under the attribute id, which is what
 * {@link org.polytopelens.api.Parameters#as} and DS read for a config method {@code min_size()}.
 * Values are converted to the declared type (integer types from integral numbers or numeric
 * strings, floating types from any number, booleans from true/false, strings from any scalar);
 * multi-valued attributes become lists (a single value is a list of one); defaults fill absent
 * keys. Every problem is collected into one {@link IllegalArgumentException}.
 */
public final class ParameterValidator {
    private ParameterValidator() {}

    /**
     * @param who names the provider in the message, e.g. {@code analysis 'codes'}
     */
    public static Map<String, Object> validate(String who, Schema schema, Map<String, ?> raw) {
        List<String> problems = new ArrayList<>();
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, String> seen = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : raw.entrySet()) {
            String k = e.getKey();
            Schema.Attribute a = find(schema, k);
            if (a == null) {
                problems.add("unknown parameter '" + k + "'");
                continue;
            }
            String before = seen.put(a.id(), k);
            if (before != null) {
                problems.add("parameter '" + a.info().key() + "' given twice (as '" + before + "' and '" + k + "')");
                continue;
            }
            try {
                Object v = convert(a.info(), e.getValue());
                for (Object one : v instanceof List<?> l ? l : List.of(v)) {
                    String problem = a.check().apply(String.valueOf(one));
                    if (problem != null && !problem.isEmpty()) {
                        throw new IllegalArgumentException(render(one) + " is not allowed: " + problem);
                    }
                }
                out.put(a.id(), v);
            } catch (IllegalArgumentException ex) {
                problems.add("'" + k + "': " + ex.getMessage());
            }
        }
        for (Schema.Attribute a : schema.attributes()) {
            if (out.containsKey(a.id()) || seen.containsKey(a.id())) {
                continue;
            }
            ParameterInfo p = a.info();
            if (!p.defaults().isEmpty()) {
                try {
                    out.put(a.id(), convert(p, p.cardinality() == 0 ? p.defaults().get(0) : p.defaults()));
                } catch (IllegalArgumentException ex) {
                    problems.add("'" + p.key() + "': bad default in the provider's schema: " + ex.getMessage());
                }
            } else if (p.required()) {
                problems.add("missing required parameter '" + p.key() + "' (" + describeType(p) + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid parameters for " + who + ":\n  - " + String.join("\n  - ", problems) + "\n"
                    + validKeys(schema));
        }
        return out;
    }

    /** "valid parameters: soft (boolean, default false), path (string, required)" or "... none". */
    public static String validKeys(Schema schema) {
        if (schema.attributes().isEmpty()) {
            return "valid parameters: none (this provider takes no parameters)";
        }
        return "valid parameters: " + schema.attributes().stream().map(a -> {
            ParameterInfo p = a.info();
            String extra = p.required() ? "required"
                    : p.defaults().isEmpty() ? "optional"
                    : "default " + p.defaults().stream().map(d -> d.isEmpty() ? "\"\"" : d).collect(Collectors.joining(","));
            return p.key() + " (" + describeType(p) + ", " + extra + (p.options().isEmpty() ? "" : ", one of " + p.options()) + ")";
        }).collect(Collectors.joining(", "));
    }

    private static String describeType(ParameterInfo p) {
        return p.cardinality() == 0 ? p.type() : "list of " + p.type();
    }

    private static Schema.Attribute find(Schema schema, String key) {
        for (Schema.Attribute a : schema.attributes()) {
            if (a.id().equals(key) || a.info().key().equals(key)) {
                return a;
            }
        }
        return null;
    }

    static Object convert(ParameterInfo p, Object value) {
        if (value == null) {
            throw new IllegalArgumentException("no value (expected " + describeType(p) + ")");
        }
        if (p.cardinality() == 0) {
            if (value instanceof Collection<?> || value instanceof Map<?, ?>) {
                throw new IllegalArgumentException("expected one " + p.type() + ", got " + render(value));
            }
            return checkOption(p, scalar(p.type(), value));
        }
        List<?> values = value instanceof Collection<?> c ? List.copyOf(c) : List.of(value);
        int max = Math.abs(p.cardinality());
        if (max != Integer.MAX_VALUE && values.size() > max) {
            throw new IllegalArgumentException("at most " + max + " values allowed, got " + values.size());
        }
        List<Object> out = new ArrayList<>();
        for (Object v : values) {
            if (v instanceof Collection<?> || v instanceof Map<?, ?>) {
                throw new IllegalArgumentException("expected a list of " + p.type() + ", got an element " + render(v));
            }
            out.add(checkOption(p, scalar(p.type(), v)));
        }
        return List.copyOf(out);
    }

    private static Object checkOption(ParameterInfo p, Object v) {
        if (!p.options().isEmpty() && !p.options().contains(String.valueOf(v))) {
            throw new IllegalArgumentException(render(v) + " is not one of " + p.options());
        }
        return v;
    }

    private static Object scalar(String type, Object v) {
        String s = String.valueOf(v).trim();
        try {
            return switch (type) {
                case "string", "password" -> String.valueOf(v);
                case "boolean" -> {
                    if (v instanceof Boolean b) {
                        yield b;
                    }
                    if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
                        yield Boolean.parseBoolean(s);
                    }
                    throw new IllegalArgumentException("expected boolean (true or false), got " + render(v));
                }
                case "long" -> integral(v, s, Long.MIN_VALUE, Long.MAX_VALUE).longValue();
                case "integer" -> integral(v, s, Integer.MIN_VALUE, Integer.MAX_VALUE).intValue();
                case "short" -> integral(v, s, Short.MIN_VALUE, Short.MAX_VALUE).shortValue();
                case "byte" -> integral(v, s, Byte.MIN_VALUE, Byte.MAX_VALUE).byteValue();
                case "double" -> v instanceof Number n ? n.doubleValue() : Double.parseDouble(s);
                case "float" -> v instanceof Number n ? n.floatValue() : Float.parseFloat(s);
                case "char" -> {
                    if (s.length() != 1) {
                        throw new IllegalArgumentException("expected one character, got " + render(v));
                    }
                    yield s.charAt(0);
                }
                case "biginteger" -> new BigInteger(s);
                case "bigdecimal" -> new BigDecimal(s);
                default -> String.valueOf(v);
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected " + type + ", got " + render(v));
        }
    }

    private static BigInteger integral(Object v, String s, long min, long max) {
        if (v instanceof Boolean) {
            throw new NumberFormatException();
        }
        BigDecimal d = v instanceof Number n && !(v instanceof BigInteger) && !(v instanceof BigDecimal)
                ? (v instanceof Double || v instanceof Float ? new BigDecimal(n.doubleValue()) : BigDecimal.valueOf(n.longValue()))
                : new BigDecimal(s);
        BigInteger i;
        try {
            i = d.toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("expected a whole number, got " + render(v));
        }
        if (i.compareTo(BigInteger.valueOf(min)) < 0 || i.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new IllegalArgumentException(render(v) + " is out of range [" + min + ", " + max + "]");
        }
        return i;
    }

    private static String render(Object v) {
        return v instanceof String ? "\"" + v + "\"" : String.valueOf(v);
    }
}
