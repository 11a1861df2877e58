package org.polytopelens.api.data;

import java.util.List;

/**
 * What a backend found in a model: its inputs and outputs, its activation sites in topological
 * order, and every tensor name that can be fetched or fed (cut at).
 */
public record ModelInfo(
        String source, List<TensorInfo> inputs, List<TensorInfo> outputs, List<ActivationSite> sites, List<String> tensors) {
    public ModelInfo {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        sites = List.copyOf(sites);
        tensors = List.copyOf(tensors);
    }

    /** The site named {@code name}, or an error listing the valid names. */
    public ActivationSite site(String name) {
        for (ActivationSite s : sites) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no activation site '" + name + "' in " + source + "; valid sites: "
                + sites.stream().map(ActivationSite::name).toList());
    }
}
