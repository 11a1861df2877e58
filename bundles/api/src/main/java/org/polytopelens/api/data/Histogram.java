package org.polytopelens.api.data;

import java.util.List;

/**
 * Values to bin, optionally coloured by group (e.g. cluster label): {@code groups} is null or
 * parallel to {@code values}, indexing {@code groupNames}.
 */
public record Histogram(String name, String title, String xLabel, double[] values, int[] groups, List<String> groupNames, int bins)
        implements Result {
    public Histogram {
        groupNames = groupNames == null ? List.of() : List.copyOf(groupNames);
        if (groups != null && groups.length != values.length) {
            throw new IllegalArgumentException("histogram '" + name + "': groups and values differ in length");
        }
    }
}
