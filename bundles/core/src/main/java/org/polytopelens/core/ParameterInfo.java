package org.polytopelens.core;

import java.util.List;

/**
 * One parameter of a provider's schema, from its Metatype attribute definition.
 *
 * @param key the key in experiment files ({@code min_size})
 * @param type Metatype type name in lower case: string, long, integer, short, char, byte,
 *     double, float, boolean, password
 * @param cardinality 0 for a single value, otherwise the maximum number of values
 * @param defaults default values as strings (empty if none: then the parameter is required)
 * @param options allowed values (empty if any value of the type is allowed)
 */
public record ParameterInfo(String key, String name, String description, String type, int cardinality, boolean required,
        List<String> defaults, List<String> options) {
    public ParameterInfo {
        defaults = List.copyOf(defaults);
        options = List.copyOf(options);
    }
}
