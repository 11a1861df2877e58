package org.polytopelens.core;

import java.util.List;

/** A registered provider: who it is, which bundle serves it, and its parameter schema. */
public record ProviderInfo(String id, String name, String description, String bundle, String bundleVersion, String pid,
        List<ParameterInfo> parameters) {
    public ProviderInfo {
        parameters = List.copyOf(parameters);
    }
}
