package org.polytopelens.backend.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import org.polytopelens.onnx.graph.NodeOrder;
import org.polytopelens.onnx.proto.Onnx.AttributeProto;
import org.polytopelens.onnx.proto.Onnx.GraphProto;
import org.polytopelens.onnx.proto.Onnx.NodeProto;
import org.polytopelens.onnx.proto.Onnx.TensorProto;
import org.polytopelens.onnx.proto.Onnx.TensorShapeProto;
import org.polytopelens.onnx.proto.Onnx.TypeProto;
import org.polytopelens.onnx.proto.Onnx.ValueInfoProto;

/**
 * Read-only index of a model's main graph: nodes in topological order with unique names
 * (an unnamed node is called {@code <op>_<position in the file>}, e.g. {@code Relu_3}), which node
 * produces and which nodes read each tensor, the real inputs (graph inputs that are not
 * initializers), the declared types of inputs, outputs and {@code value_info}, and small constants.
 */
final class GraphIndex {
    final GraphProto graph;
    /** Nodes in topological order (file order where the file already is topological). */
    final List<NodeProto> nodes;
    /** Unique node names, parallel to {@link #nodes}. */
    final List<String> names;
    /** Tensor name -> index in {@link #nodes} of the node that writes it. */
    final Map<String, Integer> producer;
    /** Tensor name -> indices of the nodes that read it, in topological order. */
    final Map<String, List<Integer>> consumers;
    final Map<String, TensorProto> initializers;
    /** Graph inputs that are not initializers, in declaration order. */
    final List<ValueInfoProto> inputs;
    /** Declared value infos (outputs, value_info, then inputs, which win) by tensor name. */
    final Map<String, ValueInfoProto> declared;
    /** Every feedable/fetchable tensor: real inputs, then node outputs in topological order. */
    final List<String> tensors;

    GraphIndex(GraphProto graph) {
        this.graph = graph;
        initializers = new HashMap<>();
        graph.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        inputs = graph.getInputList().stream().filter(v -> !initializers.containsKey(v.getName())).toList();
        declared = new HashMap<>();
        graph.getOutputList().forEach(v -> declared.put(v.getName(), v));
        graph.getValueInfoList().forEach(v -> declared.put(v.getName(), v));
        inputs.forEach(v -> declared.put(v.getName(), v));

        List<Integer> order = NodeOrder.topological(graph);
        nodes = order.stream().map(graph::getNode).toList();
        names = NodeOrder.uniqueNames(graph, order);
        producer = new HashMap<>();
        consumers = new HashMap<>();
        LinkedHashSet<String> all = new LinkedHashSet<>();
        inputs.forEach(v -> all.add(v.getName()));
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto n = nodes.get(i);
            for (String in : n.getInputList()) {
                if (!in.isEmpty()) {
                    List<Integer> readers = consumers.computeIfAbsent(in, k -> new ArrayList<>());
                    if (readers.isEmpty() || readers.get(readers.size() - 1) != i) {
                        readers.add(i);
                    }
                }
            }
            for (String out : n.getOutputList()) {
                if (!out.isEmpty()) {
                    producer.put(out, i);
                    all.add(out);
                }
            }
        }
        tensors = List.copyOf(all);
    }



    /** The node writing {@code tensor}, or null for inputs, initializers and unknown names. */
    NodeProto producerOf(String tensor) {
        Integer i = producer.get(tensor);
        return i == null ? null : nodes.get(i);
    }

    List<NodeProto> consumersOf(String tensor) {
        return consumers.getOrDefault(tensor, List.of()).stream().map(nodes::get).toList();
    }

    boolean isInput(String tensor) {
        return inputs.stream().anyMatch(v -> v.getName().equals(tensor));
    }

    /** ONNX element type name ({@code "float"}, {@code "int64"}, ...) of a declared tensor, or null. */
    String dtype(String tensor) {
        ValueInfoProto v = declared.get(tensor);
        if (v == null || !v.getType().hasTensorType()) {
            return null;
        }
        return dtypeName(v.getType().getTensorType().getElemType());
    }

    static String dtypeName(int elemType) {
        TensorProto.DataType t = TensorProto.DataType.forNumber(elemType);
        return t == null || t == TensorProto.DataType.UNDEFINED ? "undefined" : t.name().toLowerCase(Locale.ROOT);
    }

    /** Declared shape with -1 for symbolic or missing dimensions; null if the rank is unknown. */
    long[] declaredShape(String tensor) {
        ValueInfoProto v = declared.get(tensor);
        if (v == null || !v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) {
            return null;
        }
        TensorShapeProto s = v.getType().getTensorType().getShape();
        long[] shape = new long[s.getDimCount()];
        for (int i = 0; i < shape.length; i++) {
            TensorShapeProto.Dimension d = s.getDim(i);
            shape[i] = d.hasDimValue() && d.getDimValue() > 0 ? d.getDimValue() : -1;
        }
        return shape;
    }

    /** A value info for {@code tensor}: the declared one, else one with only the element type. */
    ValueInfoProto valueInfoOr(String tensor, int elemType) {
        ValueInfoProto v = declared.get(tensor);
        if (v != null && v.getType().hasTensorType()) {
            return v;
        }
        return ValueInfoProto.newBuilder()
                .setName(tensor)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType)))
                .build();
    }

    /**
     * The value of {@code tensor} if it is a one-element float/double constant (an initializer or
     * a {@code Constant} node), else null. Used to recognise patterns such as {@code x / sqrt(2)}.
     */
    Double scalar(String tensor) {
        TensorProto t = initializers.get(tensor);
        if (t == null) {
            NodeProto p = producerOf(tensor);
            if (p == null || !p.getOpType().equals("Constant")) {
                return null;
            }
            for (AttributeProto a : p.getAttributeList()) {
                if (a.getName().equals("value") && a.hasT()) {
                    t = a.getT();
                } else if (a.getName().equals("value_float")) {
                    return (double) a.getF();
                }
            }
            if (t == null) {
                return null;
            }
        }
        long n = 1;
        for (long d : t.getDimsList()) {
            n *= d;
        }
        if (n != 1) {
            return null;
        }
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE) {
            return t.getFloatDataCount() == 1 ? (double) t.getFloatData(0) : raw.remaining() == 4 ? (double) raw.getFloat() : null;
        }
        if (t.getDataType() == TensorProto.DataType.DOUBLE_VALUE) {
            return t.getDoubleDataCount() == 1 ? t.getDoubleData(0) : raw.remaining() == 8 ? raw.getDouble() : null;
        }
        return null;
    }

    /** Every tensor name read by nodes inside subgraphs (If/Loop/Scan bodies) of {@code node}. */
    static Set<String> subgraphReads(NodeProto node) {
        Set<String> reads = new LinkedHashSet<>();
        Deque<GraphProto> todo = new ArrayDeque<>();
        for (AttributeProto a : node.getAttributeList()) {
            if (a.hasG()) {
                todo.add(a.getG());
            }
            todo.addAll(a.getGraphsList());
        }
        while (!todo.isEmpty()) {
            GraphProto g = todo.poll();
            for (NodeProto n : g.getNodeList()) {
                reads.addAll(n.getInputList());
                for (AttributeProto a : n.getAttributeList()) {
                    if (a.hasG()) {
                        todo.add(a.getG());
                    }
                    todo.addAll(a.getGraphsList());
                }
            }
        }
        reads.remove("");
        return reads;
    }
}
