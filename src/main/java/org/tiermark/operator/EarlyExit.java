package org.tiermark.operator;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tiermark.InvalidInputException;
import org.tiermark.onnx.OnnxGraph;
import org.tiermark.onnx.Shapes;

/**
 * Early exit as the studies did it: skip the last blocks and wire the earlier block's output into
 * the model's head (classifier or pooling), as one smaller model. Blocks are found from the graph:
 * the final block output {@code X} is the last valid cut (or output) with the shape of an earlier
 * residual-block input (a valid cut read by an Add); the exits are the earlier block outputs with
 * X's shape, one per block (grouped by names like {@code layer.3}, {@code layer3.1},
 * {@code stage4.block0}). {@code depth} blocks are skipped: a transformer's last encoder layers, a
 * CNN's later blocks of its last stage.
 */
public final class EarlyExit {
    private static final Pattern BLOCK = Pattern.compile("(?:layers?|stage|block|blocks)[._]?\\d+(?:[._](?:block)?\\d+)?");

    /** The block output the exit replaces, the exit used, and every possible exit (nearest first). */
    public record Exit(String finalBlock, String exit, List<String> exits) {}

    private EarlyExit() {}

    public static Exit find(OnnxGraph g, Map<String, Shapes.Info> shapes, int depth) {
        if (depth < 1) {
            throw new InvalidInputException("early-exit.depth: must be >= 1 (got " + depth + ")");
        }
        List<String> candidates = new ArrayList<>();
        for (Partition.Cut c : Partition.cuts(g, shapes)) {
            candidates.add(c.tensor());
        }
        candidates.addAll(g.outputs().keySet());
        List<String> residualInputs = candidates.stream().filter(t -> readByAdd(g, t)).toList();
        // X is the last feature map before the model's head (pooling, classifier): the last candidate
        // that still has extent beyond its channels, e.g. [1, 512, 7, 7] or [1, s, 384], not [1, 512, 1, 1]
        // Among those, a block's own output wins over a later one made outside the blocks: a pooling head's
        // masked product ([1, s, 384] too) is not a block output, and wiring an exit into it would pool the
        // padding tokens and count the last layer as a block to skip.
        String x = null;
        String xInBlock = null;
        for (String c : candidates) {
            Shapes.Info info = shapes.get(c);
            if (info != null && info.rank() >= 3 && info.elements() / Math.max(1, info.shape()[1]) > 1) {
                x = c;
                if (BLOCK.matcher(blockKey(g, c)).matches()) {
                    xInBlock = c;
                }
            }
        }
        if (xInBlock != null) {
            x = xInBlock;
        }
        if (x == null) {
            throw new InvalidInputException("early-exit: the model has no feature map (rank >= 3) between its blocks and its head");
        }
        final String last = x;
        if (residualInputs.stream().noneMatch(r -> !r.equals(last) && before(g, r, last)
                && shapes.get(r).sameShape(shapes.get(last)))) {
            throw new InvalidInputException("early-exit: no earlier block output has the shape "
                    + Arrays.toString(shapes.get(x).shape()) + " of the last one ('" + x + "'): the last stage has "
                    + "a single block, so no block can be skipped without changing what the head reads");
        }
        String xKey = blockKey(g, x);
        Map<String, String> lastPerBlock = new LinkedHashMap<>();
        for (String r : residualInputs) {
            if (before(g, r, x) && shapes.get(r).sameShape(shapes.get(x))) {
                String key = blockKey(g, r);
                // where the blocks are named, only a block's output is an exit: an exit inside the embeddings
                // would keep no layer (a 3-layer distilled student at the descriptor's depth 3)
                if (!key.equals(xKey) && (xInBlock == null || BLOCK.matcher(key).matches())) {
                    lastPerBlock.remove(key);
                    lastPerBlock.put(key, r);
                }
            }
        }
        List<String> exits = new ArrayList<>(lastPerBlock.values());
        Collections.reverse(exits);
        if (depth > exits.size()) {
            throw new InvalidInputException("early-exit.depth " + depth + ": only " + exits.size() + " block(s) before '" + x
                    + "' have its shape " + Arrays.toString(shapes.get(x).shape()) + "; valid: 1.." + exits.size());
        }
        return new Exit(x, exits.get(depth - 1), exits);
    }

    /** The model with everything between {@code exit} and the final block output removed. */
    public static OnnxMl.ModelProto apply(OnnxGraph g, Exit e) {
        List<String> inputs = new ArrayList<>(g.inputs().keySet());
        OnnxMl.ModelProto head = g.extract(inputs, List.of(e.exit()), Map.of());
        List<String> restInputs = new ArrayList<>(inputs);
        restInputs.add(e.finalBlock());
        OnnxMl.ModelProto rest = g.extract(restInputs, List.copyOf(g.outputs().keySet()), Map.of());
        OnnxMl.GraphProto.Builder out = g.model().getGraph().toBuilder().clearNode().clearInitializer().clearInput()
                .clearValueInfo();
        Set<String> produced = new HashSet<>();
        Set<String> inits = new HashSet<>();
        Set<String> used = new HashSet<>();
        for (OnnxMl.ModelProto part : List.of(head, rest)) {
            for (OnnxMl.NodeProto n : part.getGraph().getNodeList()) {
                if (produced.addAll(n.getOutputList())) {
                    out.addNode(n);
                    used.addAll(n.getInputList());
                }
            }
            for (OnnxMl.TensorProto t : part.getGraph().getInitializerList()) {
                if (inits.add(t.getName())) {
                    out.addInitializer(t);
                }
            }
        }
        out.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Identity").setName("early_exit/" + e.exit())
                .addInput(e.exit()).addOutput(e.finalBlock()));
        // the head's nodes come after the Identity that now feeds them: the spec wants topological order
        List<OnnxMl.NodeProto> ordered = OnnxGraph.topologicalOrder(out.getNodeList(), inits, g.inputs().keySet());
        out.clearNode().addAllNode(ordered);
        used.add(e.exit());
        for (OnnxMl.ValueInfoProto v : g.model().getGraph().getInputList()) {
            if (g.inputs().containsKey(v.getName()) && used.contains(v.getName())) {
                out.addInput(v);
            }
        }
        return g.model().toBuilder().setGraph(out).build();
    }

    private static boolean readByAdd(OnnxGraph g, String t) {
        return g.consumers(t).stream().anyMatch(i -> g.node(i).getOpType().equals("Add"));
    }

    private static boolean before(OnnxGraph g, String a, String b) {
        return g.producer(a) < g.producer(b);
    }

    static String blockKey(OnnxGraph g, String tensor) {
        int p = g.producer(tensor);
        for (String name : new String[] {p >= 0 ? g.node(p).getName() : "", tensor}) {
            Matcher m = BLOCK.matcher(name);
            if (m.find()) {
                return m.group();
            }
        }
        return tensor;
    }
}
