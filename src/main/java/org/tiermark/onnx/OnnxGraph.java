package org.tiermark.onnx;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import org.tiermark.InvalidInputException;

/**
 * A read-only index over an ONNX model's graph: nodes in topological order, each tensor's producer
 * and consumers, initializers, inputs and outputs; plus the edits the operators need (extracting the
 * subgraph between tensors, adding outputs). Errors name the node or tensor.
 */
public final class OnnxGraph {
    private final OnnxMl.ModelProto model;
    private final List<OnnxMl.NodeProto> nodes;
    private final Map<String, Integer> producer = new HashMap<>();
    private final Map<String, List<Integer>> consumers = new HashMap<>();
    private final Map<String, OnnxMl.TensorProto> initializers = new LinkedHashMap<>();
    private final Map<String, OnnxMl.ValueInfoProto> inputs = new LinkedHashMap<>();
    private final Map<String, OnnxMl.ValueInfoProto> outputs = new LinkedHashMap<>();
    private final Map<String, OnnxMl.ValueInfoProto> valueInfo = new HashMap<>();

    public OnnxGraph(OnnxMl.ModelProto model) {
        this.model = model;
        OnnxMl.GraphProto g = model.getGraph();
        for (OnnxMl.TensorProto t : g.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        for (OnnxMl.ValueInfoProto v : g.getInputList()) {
            if (!initializers.containsKey(v.getName())) {
                inputs.put(v.getName(), v);
            }
            valueInfo.put(v.getName(), v);
        }
        for (OnnxMl.ValueInfoProto v : g.getOutputList()) {
            outputs.put(v.getName(), v);
            valueInfo.put(v.getName(), v);
        }
        for (OnnxMl.ValueInfoProto v : g.getValueInfoList()) {
            valueInfo.putIfAbsent(v.getName(), v);
        }
        this.nodes = topologicalOrder(g.getNodeList(), initializers.keySet(), inputs.keySet());
        for (int i = 0; i < nodes.size(); i++) {
            OnnxMl.NodeProto n = nodes.get(i);
            for (String o : n.getOutputList()) {
                if (!o.isEmpty()) {
                    producer.put(o, i);
                }
            }
            for (String in : n.getInputList()) {
                if (!in.isEmpty()) {
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
                }
            }
        }
        for (String o : outputs.keySet()) {
            if (!producer.containsKey(o) && !inputs.containsKey(o) && !initializers.containsKey(o)) {
                throw new InvalidInputException("graph output '" + o + "' is produced by no node");
            }
        }
    }

    /** Kahn's order, stable with the file's order; a missing tensor or a cycle is an error naming the node. */
    public static List<OnnxMl.NodeProto> topologicalOrder(List<OnnxMl.NodeProto> nodes, Set<String> initializers,
                                                   Set<String> inputs) {
        Map<String, Integer> producedBy = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String o : nodes.get(i).getOutputList()) {
                if (!o.isEmpty() && producedBy.put(o, i) != null) {
                    throw new InvalidInputException("tensor '" + o + "' is produced by two nodes (second: '"
                            + nodes.get(i).getName() + "')");
                }
            }
        }
        int[] missing = new int[nodes.size()];
        Map<Integer, List<Integer>> next = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Set<String> seen = new HashSet<>();
            for (String in : nodes.get(i).getInputList()) {
                if (in.isEmpty() || !seen.add(in)) {
                    continue;
                }
                Integer p = producedBy.get(in);
                if (p == null) {
                    if (!initializers.contains(in) && !inputs.contains(in)) {
                        throw new InvalidInputException("node '" + nodes.get(i).getName() + "' (" + nodes.get(i).getOpType()
                                + ") reads tensor '" + in + "' which no node, input or initializer provides");
                    }
                    continue;
                }
                missing[i]++;
                next.computeIfAbsent(p, k -> new ArrayList<>()).add(i);
            }
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (missing[i] == 0) {
                ready.add(i);
            }
        }
        List<OnnxMl.NodeProto> out = new ArrayList<>(nodes.size());
        while (!ready.isEmpty()) {
            int i = ready.poll();
            out.add(nodes.get(i));
            for (int j : next.getOrDefault(i, List.of())) {
                if (--missing[j] == 0) {
                    ready.add(j);
                }
            }
        }
        if (out.size() != nodes.size()) {
            for (int i = 0; i < nodes.size(); i++) {
                if (missing[i] > 0) {
                    throw new InvalidInputException("the graph has a cycle through node '" + nodes.get(i).getName() + "'");
                }
            }
        }
        return out;
    }

    public OnnxMl.ModelProto model() {
        return model;
    }

    /** Nodes in topological order. */
    public List<OnnxMl.NodeProto> nodes() {
        return nodes;
    }

    public OnnxMl.NodeProto node(int index) {
        return nodes.get(index);
    }

    public Map<String, OnnxMl.TensorProto> initializers() {
        return initializers;
    }

    public boolean isInitializer(String tensor) {
        return initializers.containsKey(tensor);
    }

    /** Graph inputs that are not initializers. */
    public Map<String, OnnxMl.ValueInfoProto> inputs() {
        return inputs;
    }

    public Map<String, OnnxMl.ValueInfoProto> outputs() {
        return outputs;
    }

    /** The declared value info of a tensor (input, output or value_info), or null. */
    public OnnxMl.ValueInfoProto valueInfo(String tensor) {
        return valueInfo.get(tensor);
    }

    /** Index of the node producing {@code tensor} (in {@link #nodes()}), or -1 for inputs and initializers. */
    public int producer(String tensor) {
        return producer.getOrDefault(tensor, -1);
    }

    public List<Integer> consumers(String tensor) {
        return consumers.getOrDefault(tensor, List.of());
    }

    public boolean hasTensor(String tensor) {
        return producer.containsKey(tensor) || inputs.containsKey(tensor) || initializers.containsKey(tensor);
    }

    /** Every tensor a node produces, in topological order. */
    public List<String> producedTensors() {
        List<String> out = new ArrayList<>();
        for (OnnxMl.NodeProto n : nodes) {
            for (String o : n.getOutputList()) {
                if (!o.isEmpty()) {
                    out.add(o);
                }
            }
        }
        return out;
    }

    /** The node indices {@code tensors} depend on (transitively), as a bit set over {@link #nodes()}. */
    public BitSet ancestors(Iterable<String> tensors) {
        BitSet seen = new BitSet(nodes.size());
        Deque<String> todo = new ArrayDeque<>();
        tensors.forEach(todo::add);
        while (!todo.isEmpty()) {
            int p = producer(todo.pop());
            if (p >= 0 && !seen.get(p)) {
                seen.set(p);
                for (String in : nodes.get(p).getInputList()) {
                    if (!in.isEmpty()) {
                        todo.push(in);
                    }
                }
            }
        }
        return seen;
    }

    /**
     * The model computing {@code outputTensors} from {@code inputTensors}: the nodes between them,
     * the initializers they read, the given inputs with their declared (or the original) types.
     * Fails naming the tensor when the outputs need something that is neither given nor computable.
     */
    public OnnxMl.ModelProto extract(List<String> inputTensors, List<String> outputTensors,
                                     Map<String, OnnxMl.ValueInfoProto> declared) {
        Set<String> given = new HashSet<>(inputTensors);
        for (String t : inputTensors) {
            if (!hasTensor(t)) {
                throw new InvalidInputException("unknown tensor '" + t + "'");
            }
        }
        BitSet keep = new BitSet(nodes.size());
        Deque<String> todo = new ArrayDeque<>(outputTensors);
        Set<String> visited = new HashSet<>();
        Set<String> usedInitializers = new LinkedHashSet<>();
        while (!todo.isEmpty()) {
            String t = todo.pop();
            if (!visited.add(t) || given.contains(t)) {
                continue;
            }
            if (initializers.containsKey(t)) {
                usedInitializers.add(t);
                continue;
            }
            int p = producer(t);
            if (p < 0) {
                throw new InvalidInputException("tensor '" + t + "' is needed for " + outputTensors
                        + " but is not among the given inputs " + inputTensors);
            }
            keep.set(p);
            for (String in : nodes.get(p).getInputList()) {
                if (!in.isEmpty()) {
                    todo.push(in);
                }
            }
        }
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName(model.getGraph().getName());
        for (String t : inputTensors) {
            g.addInput(declared.getOrDefault(t, valueInfoOrName(t)));
        }
        for (String t : outputTensors) {
            g.addOutput(declared.getOrDefault(t, valueInfoOrName(t)));
        }
        for (String t : usedInitializers) {
            g.addInitializer(initializers.get(t));
        }
        for (int i = keep.nextSetBit(0); i >= 0; i = keep.nextSetBit(i + 1)) {
            g.addNode(nodes.get(i));
        }
        return model.toBuilder().setGraph(g).build();
    }

    private OnnxMl.ValueInfoProto valueInfoOrName(String t) {
        OnnxMl.ValueInfoProto v = valueInfo.get(t);
        return v != null ? v : OnnxMl.ValueInfoProto.newBuilder().setName(t).build();
    }

    /** The same model with extra graph outputs (name only: ONNX Runtime infers their type). */
    public static OnnxMl.ModelProto withOutputs(OnnxMl.ModelProto model, List<String> tensors) {
        Set<String> have = new HashSet<>();
        model.getGraph().getOutputList().forEach(o -> have.add(o.getName()));
        OnnxMl.GraphProto.Builder g = model.getGraph().toBuilder();
        for (String t : tensors) {
            if (have.add(t)) {
                g.addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(t));
            }
        }
        return model.toBuilder().setGraph(g).build();
    }

    /** The same model with {@code node} inserted (nodes are re-sorted topologically when indexed). */
    public static OnnxMl.ModelProto withNode(OnnxMl.ModelProto model, OnnxMl.NodeProto node) {
        return model.toBuilder().setGraph(model.getGraph().toBuilder().addNode(node)).build();
    }

    /** The number of nodes of each op type ("domain:op" outside the default domain). */
    public static Map<String, Integer> opCounts(OnnxMl.ModelProto model) {
        Map<String, Integer> counts = new TreeMap<>();
        for (OnnxMl.NodeProto n : model.getGraph().getNodeList()) {
            String key = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx") ? n.getOpType()
                    : n.getDomain() + ":" + n.getOpType();
            counts.merge(key, 1, Integer::sum);
        }
        return counts;
    }

    /** Int attribute of a node, or {@code fallback}. */
    public static long intAttr(OnnxMl.NodeProto n, String name, long fallback) {
        for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return fallback;
    }

    public static float floatAttr(OnnxMl.NodeProto n, String name, float fallback) {
        for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getF();
            }
        }
        return fallback;
    }
}
