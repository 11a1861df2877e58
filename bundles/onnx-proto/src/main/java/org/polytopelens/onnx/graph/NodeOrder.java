package org.polytopelens.onnx.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import org.polytopelens.onnx.proto.Onnx.GraphProto;
import org.polytopelens.onnx.proto.Onnx.NodeProto;

/** The node order and node names every backend uses. */
public final class NodeOrder {
    private NodeOrder() {}

    /**
     * Node indices in topological order: Kahn's algorithm, always taking the ready node that comes
     * first in the file, so a file that is already sorted (ONNX requires it) keeps its order. Nodes
     * on a cycle or reading an undefined tensor (outer scope) are appended in file order rather
     * than dropped.
     */
    public static List<Integer> topological(GraphProto g) {
        int n = g.getNodeCount();
        Map<String, Integer> writer = new HashMap<>();
        for (int i = 0; i < n; i++) {
            for (String out : g.getNode(i).getOutputList()) {
                if (!out.isEmpty()) {
                    writer.put(out, i);
                }
            }
        }
        int[] pending = new int[n];
        List<List<Integer>> next = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            next.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            Set<Integer> deps = new HashSet<>();
            for (String in : g.getNode(i).getInputList()) {
                Integer w = writer.get(in);
                if (w != null && w != i && deps.add(w)) {
                    next.get(w).add(i);
                }
            }
            pending[i] = deps.size();
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < n; i++) {
            if (pending[i] == 0) {
                ready.add(i);
            }
        }
        List<Integer> order = new ArrayList<>(n);
        boolean[] done = new boolean[n];
        while (!ready.isEmpty()) {
            int i = ready.poll();
            order.add(i);
            done[i] = true;
            for (int j : next.get(i)) {
                if (--pending[j] == 0) {
                    ready.add(j);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (!done[i]) {
                order.add(i);
            }
        }
        return Collections.unmodifiableList(order);
    }

    /**
     * Unique node names parallel to {@code order}: a node's own name, or {@code <op>_<position in
     * the file>} (e.g. {@code Relu_3}) for an unnamed node; a generated name never shadows a real
     * one, and duplicate names get a suffix {@code _1}, {@code _2}, ...
     */
    public static List<String> uniqueNames(GraphProto g, List<Integer> order) {
        Set<String> taken = new HashSet<>();
        g.getNodeList().forEach(n -> taken.add(n.getName()));
        Set<String> used = new HashSet<>();
        List<String> names = new ArrayList<>(order.size());
        for (int i : order) {
            NodeProto n = g.getNode(i);
            String base = n.getName().isEmpty() ? n.getOpType() + "_" + i : n.getName();
            String name = base;
            for (int k = 1; !used.add(name) || (n.getName().isEmpty() && taken.contains(name)); k++) {
                name = base + "_" + k;
            }
            names.add(name);
        }
        return Collections.unmodifiableList(names);
    }
}
