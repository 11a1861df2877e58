package org.polytopelens.core.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.polytopelens.core.ParameterInfo;

/**
 * A provider's parameter schema: its Metatype attributes, each with the attribute id (what DS and
 * {@link org.polytopelens.api.Parameters#as} read, e.g. {@code min.size}) and the {@link
 * ParameterInfo} shown to users (key {@code min_size}, the spelling experiment files use).
 * {@link #NONE} is the schema of a provider without a designated object class definition: no
 * parameters at all.
 */
public record Schema(String pid, List<Attribute> attributes) {
    public static final Schema NONE = new Schema(null, List.of());

    public Schema {
        attributes = List.copyOf(attributes);
    }

    /**
     * One attribute: its Metatype id, its description, and the Metatype check of one value in its
     * string form (min/max, options; returns null or "" when valid, else the problem).
     */
    public record Attribute(String id, ParameterInfo info, Function<String, String> check) {
        public Attribute(String id, ParameterInfo info) {
            this(id, info, v -> null);
        }
    }

    public List<ParameterInfo> parameters() {
        return attributes.stream().map(Attribute::info).toList();
    }

    /** The experiment-file key for a Metatype attribute id: dots become underscores. */
    public static String key(String id) {
        return id.replace('.', '_');
    }

    /** Reads an object class definition (pure: no OSGi services involved). */
    public static Schema of(String pid, ObjectClassDefinition ocd) {
        List<Attribute> out = new ArrayList<>();
        add(out, ocd.getAttributeDefinitions(ObjectClassDefinition.REQUIRED), true);
        add(out, ocd.getAttributeDefinitions(ObjectClassDefinition.OPTIONAL), false);
        return new Schema(pid, out);
    }

    private static void add(List<Attribute> out, AttributeDefinition[] ads, boolean inRequiredSet) {
        if (ads == null) {
            return;
        }
        for (AttributeDefinition ad : ads) {
            String[] defaults = ad.getDefaultValue();
            List<String> d = defaults == null ? List.of() : Arrays.asList(defaults);
            // bnd marks every attribute "required" by default; one with a default value is not
            // required of the user, the default fills it.
            boolean required = inRequiredSet && defaults == null;
            String[] options = ad.getOptionValues();
            out.add(new Attribute(ad.getID(), new ParameterInfo(key(ad.getID()), ad.getName(), ad.getDescription(), typeName(ad.getType()),
                    ad.getCardinality(), required, d, options == null ? List.of() : Arrays.asList(options)), ad::validate));
        }
    }

    @SuppressWarnings("deprecation")
    static String typeName(int type) {
        return switch (type) {
            case AttributeDefinition.STRING -> "string";
            case AttributeDefinition.LONG -> "long";
            case AttributeDefinition.INTEGER -> "integer";
            case AttributeDefinition.SHORT -> "short";
            case AttributeDefinition.CHARACTER -> "char";
            case AttributeDefinition.BYTE -> "byte";
            case AttributeDefinition.DOUBLE -> "double";
            case AttributeDefinition.FLOAT -> "float";
            case AttributeDefinition.BOOLEAN -> "boolean";
            case AttributeDefinition.PASSWORD -> "password";
            case AttributeDefinition.BIGINTEGER -> "biginteger";
            case AttributeDefinition.BIGDECIMAL -> "bigdecimal";
            default -> "string";
        };
    }
}
