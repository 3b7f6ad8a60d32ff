package org.tiermark.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tiermark.AtomicFiles;
import org.tiermark.InvalidInputException;

/**
 * Appends a sentence-classification head to a BERT-style encoder graph: masked mean pooling of
 * {@code last_hidden_state} over the attention mask, then {@code Gemm} to class logits. The result
 * has the encoder's inputs and one output, {@code logits [batch, classes]}: a small answer for the
 * phone, as a deployed classifier would send.
 */
public final class ClassifierHead {
    public static final String ENCODER_OUTPUT = "last_hidden_state";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String POOLED = "pooled";
    public static final String LOGITS = "logits";

    private ClassifierHead() {}

    /**
     * A trained head as committed in {@code models/heads/<model>.json}: what it was trained on, and
     * its weights (already folded with the feature standardization, so the graph needs no extra op).
     *
     * @param model       the catalog model this head makes (e.g. {@code minilm-spam})
     * @param encoder     the encoder ONNX, relative to {@code models/}
     * @param output      where the build writes the composed ONNX, relative to {@code models/}
     * @param classes     class names in logit order
     * @param weight      [classes][hidden] weights
     * @param bias        [classes] biases
     * @param recipe      the command that re-derives these weights
     * @param training    what the training saw and how it did (informational)
     */
    public record Weights(
            @JsonProperty(required = true) String model,
            @JsonProperty(required = true) String encoder,
            @JsonProperty(required = true) String output,
            @JsonProperty(required = true) List<String> classes,
            @JsonProperty(required = true) float[][] weight,
            @JsonProperty(required = true) float[] bias,
            String recipe,
            Map<String, Object> training) {
        public Weights {
            if (classes == null || classes.size() < 2) {
                throw new IllegalArgumentException("field 'classes': a classifier needs at least 2 classes");
            }
            if (weight == null || weight.length != classes.size() || bias == null || bias.length != classes.size()) {
                throw new IllegalArgumentException("fields 'weight'/'bias': need one row per class (" + classes.size() + ")");
            }
            for (float[] row : weight) {
                if (row.length != weight[0].length) {
                    throw new IllegalArgumentException("field 'weight': rows of different lengths");
                }
            }
            training = training == null ? Map.of() : training;
        }

        public int hidden() {
            return weight[0].length;
        }
    }

    /** The encoder plus pooling only (output {@code pooled [batch, hidden]}): what the head is trained on. */
    public static ModelProto pooling(ModelProto encoder) {
        GraphProto.Builder g = encoder.getGraph().toBuilder();
        int hidden = hiddenSize(encoder);
        replaceOutputs(g);
        addPooling(g);
        g.addOutput(floatOutput(POOLED, hidden));
        return encoder.toBuilder().setGraph(g).build();
    }

    /** The encoder, pooling and the linear layer (output {@code logits [batch, classes]}). */
    public static ModelProto compose(ModelProto encoder, Weights head) {
        int hidden = hiddenSize(encoder);
        if (hidden != head.hidden()) {
            throw new InvalidInputException("head of " + head.model() + " has " + head.hidden()
                    + " inputs but the encoder's hidden size is " + hidden);
        }
        GraphProto.Builder g = encoder.getGraph().toBuilder();
        replaceOutputs(g);
        addPooling(g);
        int classes = head.classes().size();
        float[] w = new float[classes * hidden];
        for (int c = 0; c < classes; c++) {
            System.arraycopy(head.weight()[c], 0, w, c * hidden, hidden);
        }
        g.addInitializer(floats("head.weight", new long[] {classes, hidden}, w));
        g.addInitializer(floats("head.bias", new long[] {classes}, head.bias()));
        g.addNode(GraphBuilder.nodeProto("Gemm", "head/Gemm", List.of(POOLED, "head.weight", "head.bias"), List.of(LOGITS),
                AttributeProto.newBuilder().setName("transB").setType(AttributeProto.AttributeType.INT).setI(1).build()));
        g.addOutput(floatOutput(LOGITS, classes));
        return encoder.toBuilder().setGraph(g).build();
    }

    /** Reads the encoder, composes the head and writes the result atomically. */
    public static void composeFile(Path encoderOnnx, Weights head, Path out) throws IOException {
        ModelProto encoder = read(encoderOnnx);
        AtomicFiles.write(out, compose(encoder, head).toByteArray());
    }

    public static ModelProto read(Path onnx) throws IOException {
        if (!Files.isRegularFile(onnx)) {
            throw new InvalidInputException(onnx + ": encoder ONNX not found (unpacked by the build from Maven Central: run `mvn generate-resources`)");
        }
        try (InputStream in = Files.newInputStream(onnx)) {
            return ModelProto.parseFrom(in);
        }
    }

    private static int hiddenSize(ModelProto m) {
        for (ValueInfoProto o : m.getGraph().getOutputList()) {
            if (o.getName().equals(ENCODER_OUTPUT)) {
                List<TensorShapeProto.Dimension> dims = o.getType().getTensorType().getShape().getDimList();
                if (dims.size() == 3 && dims.get(2).hasDimValue()) {
                    return (int) dims.get(2).getDimValue();
                }
            }
        }
        throw new InvalidInputException("encoder has no output '" + ENCODER_OUTPUT + "' of shape [batch, sequence, hidden]");
    }

    private static void replaceOutputs(GraphProto.Builder g) {
        boolean hasMask = g.getInputList().stream().anyMatch(i -> i.getName().equals(ATTENTION_MASK));
        if (!hasMask) {
            throw new InvalidInputException("encoder has no input '" + ATTENTION_MASK + "': mean pooling needs it");
        }
        g.clearOutput();
    }

    /**
     * pooled = sum_s(h[b,s,:] * m[b,s]) / max(sum_s m[b,s], 1e-9), as sentence-transformers' mean pooling.
     * Opset 11 ops (axes as attributes), matching the encoders on Maven Central.
     */
    private static void addPooling(GraphProto.Builder g) {
        g.addNode(GraphBuilder.nodeProto("Cast", "head/Cast", List.of(ATTENTION_MASK), List.of("head/mask"),
                AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT)
                        .setI(TensorProto.DataType.FLOAT_VALUE).build()));
        g.addNode(GraphBuilder.nodeProto("Unsqueeze", "head/Unsqueeze", List.of("head/mask"), List.of("head/mask3"), ints("axes", 2)));
        g.addNode(GraphBuilder.nodeProto("Mul", "head/Mul", List.of(ENCODER_OUTPUT, "head/mask3"), List.of("head/masked")));
        g.addNode(GraphBuilder.nodeProto("ReduceSum", "head/SumTokens", List.of("head/masked"), List.of("head/sum"),
                ints("axes", 1), ints1("keepdims", 0)));
        g.addNode(GraphBuilder.nodeProto("ReduceSum", "head/CountTokens", List.of("head/mask3"), List.of("head/count"),
                ints("axes", 1), ints1("keepdims", 0)));
        g.addInitializer(floats("head/eps", new long[] {}, new float[] {1e-9f}));
        g.addNode(GraphBuilder.nodeProto("Max", "head/Clamp", List.of("head/count", "head/eps"), List.of("head/countClamped")));
        g.addNode(GraphBuilder.nodeProto("Div", "head/Mean", List.of("head/sum", "head/countClamped"), List.of(POOLED)));
    }


    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            b.addInts(v);
        }
        return b.build();
    }

    private static AttributeProto ints1(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static TensorProto floats(String name, long[] dims, float[] values) {
        return Tensors.floats(name, values, dims);
    }

    private static ValueInfoProto floatOutput(String name, int lastDim) {
        TensorShapeProto shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch_size"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(lastDim)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(OnnxMl.TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }
}
