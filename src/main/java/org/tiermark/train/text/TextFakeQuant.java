package org.tiermark.train.text;

import ai.djl.ndarray.NDArray;
import ai.onnx.proto.OnnxMl;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tiermark.InvalidInputException;
import org.tiermark.train.FakeQuant;

/**
 * Fake quantization of a {@link BertClassifier} where sptq quantizes its graph, with sptq's formulas
 * ({@link FakeQuant}): the weight of every linear layer int8 symmetric per output channel (the columns
 * of an encoder's {@code [in, out]} matrix), and the input of every encoder linear layer uint8 asymmetric with a range named as the tensor in the graph (query,
 * key and value read one). Ranges are moving averages (momentum {@link #MOMENTUM}, as the CNN qat) of
 * each training batch's min and max; inference uses them as they are. The head stays float, as sptq
 * keeps a graph's output layer ({@link BertClassifier} does not hand it to the quantizer). The straight-through gradient of
 * an activation passes only where the value is inside its range (as PyTorch's fake quantizer does).
 */
final class TextFakeQuant implements BertClassifier.Quantizer {
    /** Weight of the old range in the moving average of activation ranges, as the CNN qat. */
    static final float MOMENTUM = FakeQuant.RANGE_MOMENTUM;

    /** Linear layer key ({@code 3.intermediate}) -> the graph tensor it reads. */
    private final Map<String, String> tensors;
    private final Map<String, float[]> ranges = new LinkedHashMap<>();

    TextFakeQuant(Map<String, String> tensors) {
        this.tensors = Map.copyOf(tensors);
    }

    /**
     * The tensor each encoder linear layer of {@code model} reads (input 0 of its MatMul), by the layer's
     * key; query, key and value read the same tensor.
     */
    static Map<String, String> inputTensors(OnnxMl.ModelProto model, int layers) {
        Map<String, String> byNode = new LinkedHashMap<>();
        for (OnnxMl.NodeProto n : model.getGraph().getNodeList()) {
            if (n.getInputCount() > 0) {
                byNode.put(n.getName(), n.getInput(0));
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int l = 0; l < layers; l++) {
            for (Map.Entry<String, String> e : BertWeights.LINEARS.entrySet()) {
                out.put(l + "." + e.getKey(), need(byNode, "/encoder/layer." + l + "/" + e.getValue() + "/MatMul"));
            }
        }
        return out;
    }

    private static String need(Map<String, String> byNode, String node) {
        String t = byNode.get(node);
        if (t == null) {
            throw new InvalidInputException("the BERT graph has no node '" + node + "' whose input qat would fake-quantize");
        }
        return t;
    }

    /** Learned {@code [min, max]} per quantized tensor, by its name in the graph. */
    Map<String, float[]> ranges() {
        Map<String, float[]> copy = new LinkedHashMap<>();
        ranges.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    @Override
    public NDArray weight(String layer, NDArray weight, NDArray like) {
        // on the batch's manager: computed from a parameter, it would otherwise live on the model's until the run ends
        NDArray w = like.getManager().zeros(weight.getShape(), weight.getDataType(), weight.getDevice()).add(weight);
        // [in, out]: one scale per output column, as sptq quantizes MatMul weights on axis 1
        return FakeQuant.weightPerChannel(w.transpose()).transpose();
    }

    @Override
    public NDArray input(String layer, NDArray x, boolean training) {
        String name = tensors.get(layer);
        if (name == null) {
            throw new IllegalStateException("no graph tensor known for the input of linear layer '" + layer + "'");
        }
        float[] r = FakeQuant.observeRange(ranges, name, x, training);
        // gradient only inside the representable range (clip's gradient is 0 outside): with a plain
        // straight-through estimator a saturated value keeps a gradient the loss cannot feel, and the
        // first real run drifted into a NaN loss after 88 steps; the forward value is the same either way
        float[] p = FakeQuant.uint8Params(r[0], r[1]);
        return FakeQuant.activation(x.clip(-p[1] * p[0], (255 - p[1]) * p[0]), r[0], r[1]);
    }
}
