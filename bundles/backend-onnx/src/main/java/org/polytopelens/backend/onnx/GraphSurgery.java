package org.polytopelens.backend.onnx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.polytopelens.onnx.proto.Onnx.GraphProto;
import org.polytopelens.onnx.proto.Onnx.ModelProto;
import org.polytopelens.onnx.proto.Onnx.NodeProto;
import org.polytopelens.onnx.proto.Onnx.TensorProto;
import org.polytopelens.onnx.proto.Onnx.TensorShapeProto;
import org.polytopelens.onnx.proto.Onnx.TypeProto;
import org.polytopelens.onnx.proto.Onnx.ValueInfoProto;

/**
 * Rewrites a copy of a model so that it computes exactly {@code fetches} from {@code feeds}:
 * fetched tensors become graph outputs; a fed intermediate tensor T becomes a graph input, which
 * cuts the graph there (T's producer and everything that only served to compute T are dropped);
 * inputs, initializers and value infos nobody needs any more are pruned. The original model is
 * never changed (protobuf messages are immutable).
 */
final class GraphSurgery {
    /** The rewritten model and the feeds it actually reads, in graph-input order. */
    record Cut(ModelProto model, List<String> inputs) {}

    private GraphSurgery() {}

    /**
     * @param known element type and shape of tensors that are not declared in the graph (from a
     *     probe run), used to type a fed intermediate tensor; may be empty
     */
    static Cut cut(ModelProto model, GraphIndex g, Set<String> feeds, Collection<String> fetches,
            Map<String, org.polytopelens.api.data.TensorInfo> known) {
        Set<Integer> keep = new TreeSet<>();
        Set<String> usedFeeds = new LinkedHashSet<>();
        Set<String> usedInitializers = new LinkedHashSet<>();
        Set<String> missingInputs = new TreeSet<>();
        Deque<String> todo = new ArrayDeque<>(fetches);
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            String t = todo.pop();
            if (!seen.add(t)) {
                continue;
            }
            if (feeds.contains(t)) {
                usedFeeds.add(t);
            } else if (g.producer.containsKey(t)) {
                int i = g.producer.get(t);
                if (keep.add(i)) {
                    NodeProto n = g.nodes.get(i);
                    n.getInputList().stream().filter(s -> !s.isEmpty()).forEach(todo::push);
                    // Subgraph bodies may read outer-scope tensors without listing them as inputs.
                    GraphIndex.subgraphReads(n).stream()
                            .filter(s -> g.producer.containsKey(s) || g.initializers.containsKey(s) || g.isInput(s))
                            .forEach(todo::push);
                }
            } else if (g.initializers.containsKey(t)) {
                usedInitializers.add(t);
            } else if (g.isInput(t)) {
                missingInputs.add(t);
            }
        }
        if (!missingInputs.isEmpty()) {
            throw new IllegalArgumentException("cannot compute " + fetches + " from the feeds " + new TreeSet<>(feeds)
                    + ": it also needs the model input(s) " + missingInputs
                    + "; feed them too, or feed a tensor downstream of them");
        }

        GraphProto.Builder out = g.graph.toBuilder()
                .clearNode()
                .clearInput()
                .clearOutput()
                .clearInitializer()
                .clearValueInfo();
        Set<String> produced = new HashSet<>();
        for (int i : keep) {
            NodeProto n = g.nodes.get(i);
            for (String o : n.getOutputList()) {
                if (feeds.contains(o)) {
                    throw new IllegalArgumentException("cannot feed '" + o + "': node '" + g.names.get(i)
                            + "' that writes it also writes tensors needed for " + fetches);
                }
                produced.add(o);
            }
            out.addNode(n);
        }
        List<String> inputs = new ArrayList<>();
        for (ValueInfoProto v : g.inputs) { // original inputs first, in their order
            if (usedFeeds.contains(v.getName())) {
                out.addInput(v);
                inputs.add(v.getName());
            }
        }
        for (String t : usedFeeds) {
            if (!inputs.contains(t)) {
                out.addInput(inputValueInfo(g, t, known.get(t)));
                inputs.add(t);
            }
        }
        for (String f : fetches) {
            // A name-only output is valid: ONNX Runtime infers the type of an intermediate tensor.
            ValueInfoProto declared = g.declared.get(f);
            out.addOutput(declared != null && declared.getType().hasTensorType()
                    ? declared
                    : ValueInfoProto.newBuilder().setName(f).build());
        }
        for (TensorProto t : g.graph.getInitializerList()) {
            if (usedInitializers.contains(t.getName())) {
                out.addInitializer(t);
            }
        }
        for (ValueInfoProto v : g.graph.getValueInfoList()) {
            if (produced.contains(v.getName()) && !fetches.contains(v.getName())) {
                out.addValueInfo(v);
            }
        }
        return new Cut(model.toBuilder().setGraph(out).build(), List.copyOf(inputs));
    }

    /**
     * Replaces the outputs of a cut model by {@code keep} plus one boolean output per sign fetch:
     * {@code name = prefix + preactivation} computed as {@code Greater(source(preactivation), 0)}.
     */
    static ModelProto withSigns(ModelProto model, List<String> keep, List<String> signs, int prefix,
            java.util.function.Function<String, String> source) {
        GraphProto g = model.getGraph();
        String zero = g.getName() + "/__polytopelens_zero__";
        GraphProto.Builder out = g.toBuilder().clearOutput();
        for (ValueInfoProto v : g.getOutputList()) {
            if (keep.contains(v.getName())) {
                out.addOutput(v);
            }
        }
        out.addInitializer(TensorProto.newBuilder().setName(zero).setDataType(TensorProto.DataType.FLOAT_VALUE).addFloatData(0f));
        for (String s : signs) {
            out.addNode(NodeProto.newBuilder().setOpType("Greater").setName(s).addInput(source.apply(s.substring(prefix))).addInput(zero).addOutput(s));
            ValueInfoProto.Builder v = ValueInfoProto.newBuilder().setName(s);
            v.getTypeBuilder().getTensorTypeBuilder().setElemType(TensorProto.DataType.BOOL_VALUE);
            out.addOutput(v);
        }
        return model.toBuilder().setGraph(out).build();
    }

    /** A fed intermediate tensor's type: declared, else probed (batch axis dynamic), else float. */
    private static ValueInfoProto inputValueInfo(GraphIndex g, String t, org.polytopelens.api.data.TensorInfo probed) {
        ValueInfoProto declared = g.declared.get(t);
        if (declared != null && declared.getType().hasTensorType()) {
            return declared;
        }
        if (probed == null) {
            return g.valueInfoOr(t, TensorProto.DataType.FLOAT_VALUE);
        }
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        long[] dims = probed.shape();
        for (int i = 0; i < dims.length; i++) {
            shape.addDim(i == 0 || dims[i] < 0
                    ? TensorShapeProto.Dimension.newBuilder().setDimParam(i == 0 ? "batch" : "d" + i)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(dims[i]));
        }
        int elem = TensorProto.DataType.valueOf(probed.dtype().toUpperCase(java.util.Locale.ROOT)).getNumber();
        return ValueInfoProto.newBuilder()
                .setName(t)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elem).setShape(shape)))
                .build();
    }
}
