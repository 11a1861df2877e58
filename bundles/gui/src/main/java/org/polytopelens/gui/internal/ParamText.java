package org.polytopelens.gui.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.polytopelens.core.ParameterInfo;

/**
 * A parameter typed as text in a form: parsed by its Metatype type, checked against its options,
 * with a message a researcher can act on. Lists are comma-separated. Blank means "not set" (the
 * default applies), which is an error only for a required parameter.
 */
public final class ParamText {
    /** A parse: the value for the experiment file (null when not set) or the reason it is invalid. */
    public record Parsed(Object value, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    private ParamText() {}

    public static Parsed parse(ParameterInfo p, String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            return p.required() ? new Parsed(null, p.key() + " is required") : new Parsed(null, null);
        }
        if (p.cardinality() != 0) {
            List<Object> values = new ArrayList<>();
            for (String part : t.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                Parsed one = single(p, part.strip());
                if (!one.ok()) {
                    return one;
                }
                values.add(one.value());
            }
            if (p.cardinality() > 0 && values.size() > p.cardinality()) {
                return new Parsed(null, p.key() + " takes at most " + p.cardinality() + " values, got " + values.size());
            }
            return new Parsed(values, null);
        }
        return single(p, t);
    }

    private static Parsed single(ParameterInfo p, String t) {
        Object v;
        try {
            v = switch (p.type().toLowerCase(Locale.ROOT)) {
                case "integer", "short", "byte" -> Integer.parseInt(t);
                case "long" -> Long.parseLong(t);
                case "double", "float" -> Double.parseDouble(t);
                case "boolean" -> {
                    if (!t.equalsIgnoreCase("true") && !t.equalsIgnoreCase("false")) {
                        throw new NumberFormatException();
                    }
                    yield Boolean.parseBoolean(t);
                }
                default -> t;
            };
        } catch (NumberFormatException e) {
            return new Parsed(null, p.key() + " must be " + article(p.type()) + ", got '" + t + "'");
        }
        if (!p.options().isEmpty() && !p.options().contains(t)) {
            return new Parsed(null, p.key() + " must be one of " + p.options() + ", got '" + t + "'");
        }
        return new Parsed(v, null);
    }

    private static String article(String type) {
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "integer", "short", "byte", "long" -> "an integer";
            case "double", "float" -> "a number";
            case "boolean" -> "true or false";
            default -> "a " + type;
        };
    }

    /** The text a form shows for the default (a placeholder), lists joined by commas. */
    public static String defaultText(ParameterInfo p) {
        return String.join(", ", p.defaults());
    }
}
