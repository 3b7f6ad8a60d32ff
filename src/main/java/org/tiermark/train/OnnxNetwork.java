package org.tiermark.train;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.PairList;
import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tiermark.InvalidInputException;
import org.tiermark.onnx.Tensors;

/**
 * A CNN that {@link OnnxExporter} wrote (a distilled student, a channel-pruned network), read back into
 * a {@link Network} so that a later training step (qat) fine-tunes it: the architecture comes from the
 * initializers' shapes, the family's fixed traits (input size, stem stride, cardinality) from the catalog
 * model it was trained from. Batch norm is folded in the file, so each convolution gets the folded
 * weight and an identity batch norm (gamma 1, beta the folded bias, running mean 0, running variance
 * {@code 1 - eps}): the network computes the file's model, and the exporter folds it back to the same weights.
 */
final class OnnxNetwork {
    private OnnxNetwork() {}

    /**
     * The architecture of {@code model}, an export of a network of {@code family}'s kind; refused, naming
     * the tensor, when the graph is not one (no {@code stem.conv.weight}, a stage without units, inner
     * widths that are not one ratio of the stage widths, parameters the architecture does not account for).
     */
    static Architecture architecture(OnnxMl.ModelProto model, Architecture family) {
        Map<String, long[]> dims = new HashMap<>();
        long held = 0;
        for (OnnxMl.TensorProto t : model.getGraph().getInitializerList()) {
            dims.put(t.getName(), Tensors.shape(t));
            held += Tensors.elementCount(t);
        }
        int stem = (int) need(dims, "stem.conv.weight")[0];
        List<Integer> widths = new ArrayList<>();
        List<Integer> blocks = new ArrayList<>();
        int[] inner = new int[4];
        String last = family.grouped() ? "conv3" : "conv2";
        for (int s = 0; s < 4; s++) {
            String first = Network.stageName(s) + "_0";
            int units = 0;
            while (dims.containsKey(Network.stageName(s) + "_" + units + ".conv1.weight")) {
                units++;
            }
            if (units == 0) {
                throw new InvalidInputException("not an export of a " + family.name() + " network: no " + first + ".conv1.weight");
            }
            blocks.add(units);
            widths.add((int) need(dims, first + "." + last + ".weight")[0]);
            inner[s] = (int) need(dims, first + ".conv1.weight")[0];
        }
        int classes = (int) need(dims, "fc.weight")[0];
        String name = model.getGraph().getName().isBlank() ? family.name() + "-trained" : model.getGraph().getName();
        Architecture a;
        try {
            a = new Architecture(name, family.inputSize(), stem, family.stemStride(), widths, blocks, family.cardinality(),
                    inner[0] / (double) widths.get(0), classes);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("not an export of a " + family.name() + " network: " + e.getMessage(), e);
        }
        for (int s = 0; s < 4; s++) {
            if (a.innerWidth(s) != inner[s]) {
                throw new InvalidInputException("not an export of a " + family.name() + " network: stage " + (s + 1) + " has "
                        + inner[s] + " channels inside its units, not the " + a.innerWidth(s) + " its width " + widths.get(s)
                        + " gives at the first stage's ratio");
            }
        }
        if (a.cost().parameters() != held) {
            throw new InvalidInputException("not an export of a " + family.name() + " network: it holds " + held
                    + " parameters, the architecture read from its shapes " + a.cost().parameters());
        }
        return a;
    }

    private static long[] need(Map<String, long[]> dims, String name) {
        long[] d = dims.get(name);
        if (d == null || d.length == 0) {
            throw new InvalidInputException("not an export of one of tiermark's CNNs: no initializer '" + name + "'");
        }
        return d;
    }

    /** A DJL model holding {@code a}'s network with {@code model}'s weights (see the class comment); the caller closes it. */
    static Model load(OnnxMl.ModelProto model, Architecture a) {
        Map<String, OnnxMl.TensorProto> byName = new HashMap<>();
        model.getGraph().getInitializerList().forEach(t -> byName.put(t.getName(), t));
        Model m = FashionMnistTrainer.newModel(a);
        try {
            Network net = (Network) m.getBlock();
            net.initialize(m.getNDManager(), DataType.FLOAT32, net.inputShape(1));
            for (Map.Entry<String, ConvBn> e : OnnxExporter.convs(net).entrySet()) {
                ConvBn cb = e.getValue();
                set(cb.conv().getParameters().get("weight"), byName, e.getKey() + ".weight");
                float[] bias = Tensors.toFloats(tensor(byName, e.getKey() + ".bias"));
                PairList<String, Parameter> norm = cb.norm().getParameters();
                float[] ones = new float[bias.length];
                Arrays.fill(ones, 1f);
                float[] variance = new float[bias.length];
                // sqrt(variance + eps) = 1: the folded weight and bias pass through unchanged
                Arrays.fill(variance, 1f - ConvBn.EPSILON);
                put(norm.get("gamma"), ones);
                put(norm.get("beta"), bias);
                put(norm.get("runningMean"), new float[bias.length]);
                put(norm.get("runningVar"), variance);
            }
            set(net.head().getParameters().get("weight"), byName, "fc.weight");
            set(net.head().getParameters().get("bias"), byName, "fc.bias");
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static OnnxMl.TensorProto tensor(Map<String, OnnxMl.TensorProto> byName, String name) {
        OnnxMl.TensorProto t = byName.get(name);
        if (t == null) {
            throw new InvalidInputException("not an export of one of tiermark's CNNs: no initializer '" + name + "'");
        }
        return t;
    }

    private static void set(Parameter p, Map<String, OnnxMl.TensorProto> byName, String name) {
        OnnxMl.TensorProto t = tensor(byName, name);
        long[] want = p.getArray().getShape().getShape();
        if (!Arrays.equals(want, Tensors.shape(t))) {
            throw new InvalidInputException(name + ": shape " + Arrays.toString(Tensors.shape(t)) + " where the network has "
                    + Arrays.toString(want));
        }
        p.getArray().set(Tensors.toFloats(t));
    }

    private static void put(Parameter p, float[] values) {
        if (p.getArray().size() != values.length) {
            throw new IllegalStateException(p.getName() + ": " + p.getArray().size() + " values expected, " + values.length + " given");
        }
        p.getArray().set(values);
    }
}
