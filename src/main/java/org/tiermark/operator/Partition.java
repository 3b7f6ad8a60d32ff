package org.tiermark.operator;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.tiermark.InvalidInputException;
import org.tiermark.onnx.OnnxGraph;
import org.tiermark.onnx.Shapes;

/**
 * Cuts a model at one tensor into a head stage (inputs -> the tensor) and a tail stage (the tensor,
 * plus any original inputs it also reads, such as {@code attention_mask} -> the outputs). A cut is
 * valid when the tail reads nothing the head computes except that tensor; constants may be in both.
 * The tail's inputs carry exactly the names of the head's output and of the original inputs, which
 * is how the deployment runner wires the stages.
 */
public final class Partition {
    /**
     * One valid cut.
     *
     * @param tensor            the tensor crossing the link
     * @param payloadBytes      its size in the probe run
     * @param passThroughInputs original inputs the tail reads too (they cross the link as well)
     * @param passThroughBytes  their size
     * @param position          the index of the tensor's producer in topological order
     */
    public record Cut(String tensor, long payloadBytes, List<String> passThroughInputs, long passThroughBytes,
                      int position) {
        public Cut {
            passThroughInputs = List.copyOf(passThroughInputs);
        }
    }

    /** The two stages of a partitioned model. */
    public record Stages(OnnxMl.ModelProto head, OnnxMl.ModelProto tail, Cut cut) {}

    private Partition() {}

    /** Every valid single-tensor cut, in topological order. */
    public static List<Cut> cuts(OnnxGraph g, Map<String, Shapes.Info> shapes) {
        List<Cut> out = new ArrayList<>();
        for (String t : g.producedTensors()) {
            Cut c = check(g, t, shapes);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    /** The cut at {@code tensor}, or null when the tail would need more than it from the head. */
    static Cut check(OnnxGraph g, String tensor, Map<String, Shapes.Info> shapes) {
        int producer = g.producer(tensor);
        if (producer < 0 || g.outputs().containsKey(tensor) || g.consumers(tensor).isEmpty()) {
            return null;
        }
        if (g.node(producer).getInputCount() == 0) {
            return null;  // a constant is no place to cut
        }
        BitSet head = g.ancestors(List.of(tensor));
        BitSet tail = new BitSet();
        Set<String> tailInputs = new LinkedHashSet<>();
        boolean readsCut = false;
        Deque<String> todo = new ArrayDeque<>(g.outputs().keySet());
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            String t = todo.pop();
            if (!seen.add(t)) {
                continue;
            }
            if (t.equals(tensor)) {
                readsCut = true;
                continue;
            }
            if (g.inputs().containsKey(t)) {
                tailInputs.add(t);
                continue;
            }
            int p = g.producer(t);
            if (p < 0) {
                continue;
            }
            if (head.get(p) && g.node(p).getInputCount() > 0 && !cheap(g, p, new HashMap<>())) {
                return null;
            }
            tail.set(p);
            for (String in : g.node(p).getInputList()) {
                if (!in.isEmpty()) {
                    todo.push(in);
                }
            }
        }
        if (!readsCut) {
            return null;
        }
        Shapes.Info info = shapes.get(tensor);
        long pass = 0;
        for (String in : tailInputs) {
            Shapes.Info i = shapes.get(in);
            pass += i == null ? 0 : i.bytes();
        }
        List<String> ordered = g.inputs().keySet().stream().filter(tailInputs::contains).toList();
        return new Cut(tensor, info == null ? -1 : info.bytes(), ordered, pass, producer);
    }

    /** Ops cheap enough to compute again in the tail from original inputs (masks, shapes, positions). */
    private static final Set<String> CHEAP = Set.of("Unsqueeze", "Squeeze", "Cast", "Sub", "Mul", "Add", "Div", "Shape",
            "Gather", "Slice", "Concat", "Constant", "ConstantOfShape", "Reshape", "Equal", "Where", "Not", "Expand",
            "Range", "Less", "Greater", "And", "Or", "Neg", "Identity");

    /**
     * Whether node {@code p} only does cheap work on original inputs (e.g. turning attention_mask into
     * the additive mask every encoder layer reads): the tail then computes it again from the input,
     * which crosses the link, instead of making every cut inside the encoder invalid.
     */
    private static boolean cheap(OnnxGraph g, int p, Map<Integer, Boolean> memo) {
        Boolean known = memo.get(p);
        if (known != null) {
            return known;
        }
        OnnxMl.NodeProto n = g.node(p);
        boolean ok = CHEAP.contains(n.getOpType()) && n.getDomain().isEmpty();
        if (ok && n.getOpType().equals("Gather") && g.isInitializer(n.getInput(0))
                && g.initializers().get(n.getInput(0)).getDataType() == OnnxMl.TensorProto.DataType.FLOAT.getNumber()) {
            ok = false;  // an embedding lookup is model work, not bookkeeping
        }
        for (int i = 0; ok && i < n.getInputCount(); i++) {
            int q = g.producer(n.getInput(i));
            if (q >= 0) {
                ok = cheap(g, q, memo);
            }
        }
        memo.put(p, ok);
        return ok;
    }

    /** The named cut, or an error listing the valid cuts nearest to the name. */
    public static Cut require(OnnxGraph g, String tensor, Map<String, Shapes.Info> shapes) {
        Cut c = g.hasTensor(tensor) ? check(g, tensor, shapes) : null;
        if (c != null) {
            return c;
        }
        List<Cut> all = cuts(g, shapes);
        List<String> nearest = all.stream().map(Cut::tensor)
                .sorted(Comparator.comparingInt((String s) -> distance(s, tensor)).thenComparing(s -> s))
                .limit(5).toList();
        String why = g.hasTensor(tensor)
                ? "the stage after it would also need other tensors of the stage before it (e.g. a skip connection)"
                : "the model has no such tensor";
        throw new InvalidInputException("partition.cut '" + tensor + "' is not a valid cut: " + why
                + "; nearest valid cuts: " + String.join(", ", nearest) + " (" + all.size()
                + " in all: `tiermark variants --list-cuts MODEL`)");
    }

    /**
     * The default cut, as the studies placed it: after the third stage of a CNN (tensor {@code stage3}
     * or torchvision's {@code layer3} output), after the embeddings of a BERT-like model; otherwise the
     * valid cut nearest the middle of the graph.
     */
    public static Cut defaultCut(OnnxGraph g, Map<String, Shapes.Info> shapes) {
        List<Cut> all = cuts(g, shapes);
        if (all.isEmpty()) {
            throw new InvalidInputException("the model has no valid single-tensor cut: it cannot be partitioned");
        }
        Pattern stage3 = Pattern.compile("(^|[/._\\s])(stage3|layer3)($|[/.\\s])");
        Cut best = null;
        for (Cut c : all) {
            String name = c.tensor() + " " + g.node(c.position()).getName();
            if (c.tensor().equals("stage3") || c.tensor().equals("layer3")) {
                return c;
            }
            if (stage3.matcher(name).find()) {
                best = c;  // the last one inside the third stage is its output
            }
        }
        if (best != null) {
            return best;
        }
        for (Cut c : all) {
            if ((c.tensor() + " " + g.node(c.position()).getName()).contains("embeddings")) {
                best = c;
            }
        }
        if (best != null) {
            return best;
        }
        int middle = g.nodes().size() / 2;
        return all.stream().min(Comparator.comparingInt(c -> Math.abs(c.position() - middle))).orElseThrow();
    }

    /** Head and tail at {@code cut}. */
    public static Stages split(OnnxGraph g, Cut cut, Map<String, Shapes.Info> shapes) {
        List<String> headInputs = new ArrayList<>();
        BitSet head = g.ancestors(List.of(cut.tensor()));
        Set<String> read = new HashSet<>();
        for (int i = head.nextSetBit(0); i >= 0; i = head.nextSetBit(i + 1)) {
            read.addAll(g.node(i).getInputList());
        }
        for (String in : g.inputs().keySet()) {
            if (read.contains(in)) {
                headInputs.add(in);
            }
        }
        Map<String, OnnxMl.ValueInfoProto> declared = new LinkedHashMap<>();
        // the spec wants a shape on every graph input and output: the probe's sizes, left open where the
        // model's inputs are dynamic (batch, sequence), so that the stages take what the model took
        declared.put(cut.tensor(), Shapes.declared(cut.tensor(), shapes.get(cut.tensor()),
                Shapes.dynamicDims(g, shapes, cut.tensor())));
        OnnxMl.ModelProto h = g.extract(headInputs, List.of(cut.tensor()), declared);
        List<String> tailInputs = new ArrayList<>();
        tailInputs.add(cut.tensor());
        tailInputs.addAll(cut.passThroughInputs());
        OnnxMl.ModelProto t = g.extract(tailInputs, List.copyOf(g.outputs().keySet()), declared);
        return new Stages(h, t, cut);
    }

    /** Levenshtein distance, for "did you mean". */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] tmp = prev;
            prev = cur;
            cur = tmp;
        }
        return prev[b.length()];
    }
}
