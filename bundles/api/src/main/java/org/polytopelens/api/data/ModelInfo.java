package org.polytopelens.api.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
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
        List<String> names = sites.stream().map(ActivationSite::name).toList();
        throw new IllegalArgumentException("no activation site '" + name + "' in " + source + didYouMean(name, names) + "; valid sites: " + names);
    }

    /**
     * Names in {@code candidates} close to {@code name}: the nearest by edit distance if a typo
     * away (at most {@code max(1, length / 4)} edits), otherwise those containing it or contained
     * in it; at most three, sorted.
     */
    public static List<String> closeMatches(String name, Collection<String> candidates) {
        int limit = Math.max(1, name.length() / 4);
        int best = Integer.MAX_VALUE;
        List<String> typos = new ArrayList<>();
        List<String> contained = new ArrayList<>();
        for (String c : candidates) {
            if (c.equals(name)) {
                continue;
            }
            int d = editDistance(name, c);
            if (d <= limit && d <= best) {
                if (d < best) {
                    typos.clear();
                    best = d;
                }
                typos.add(c);
            } else if (name.length() >= 3 && (c.contains(name) || name.contains(c))) {
                contained.add(c);
            }
        }
        List<String> close = typos.isEmpty() ? contained : typos;
        // A longer name that holds the typed one first (a user types the tail of a long ONNX name).
        close.sort(Comparator.comparingInt((String c) -> c.contains(name) ? 0 : 1)
                .thenComparingInt(c -> Math.abs(c.length() - name.length())).thenComparing(Comparator.naturalOrder()));
        return close.size() > 3 ? List.copyOf(close.subList(0, 3)) : close;
    }

    /** {@code "; did you mean 'x'?"} for the close matches of {@code name}, or the empty string. */
    public static String didYouMean(String name, Collection<String> candidates) {
        List<String> close = closeMatches(name, candidates);
        return close.isEmpty() ? "" : "; did you mean " + String.join(" or ", close.stream().map(c -> "'" + c + "'").toList()) + "?";
    }

    /** Edit distance with adjacent transpositions (optimal string alignment): "inptu" is one edit from "input". */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1));
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
