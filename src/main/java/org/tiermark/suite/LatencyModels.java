package org.tiermark.suite;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.tiermark.data.InputPool;
import org.tiermark.data.Preprocessor;
import org.tiermark.Preprocessors;
import org.tiermark.data.TextPreprocessor;
import org.tiermark.model.Catalog;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.SyntheticModels;
import org.tiermark.operator.Operator;
import org.tiermark.operator.InputSamples;
import org.tiermark.operator.Variant;
import org.tiermark.operator.VariantBuilder;

/**
 * What pure model latency measures, apart from the catalog's deployments: the ONNX file of a
 * one-stage variant and input tensors prepared once. Beside the catalog's models it knows the
 * generated ResNet-18 ({@value #RESNET18_SYNTHETIC}: random weights at 224x224, built into
 * {@code target/} on first use, its variants too), and {@value #PUBLISHED_INT8}, the dynamic-int8
 * model published beside a base model ({@code <folder>-q/<file>-q.onnx}, unpacked by the build).
 */
public final class LatencyModels {
    /** The generated ResNet-18: not a catalog model (it has no data or task), so it is in no deployment matrix. */
    public static final String RESNET18_SYNTHETIC = "resnet18-synthetic";
    /** The operator name meaning "the int8 model published beside the base model". */
    public static final String PUBLISHED_INT8 = "published-int8";
    /** Models the benchmarks generate themselves instead of reading them from the catalog. */
    public static final Set<String> GENERATED = Set.of(RESNET18_SYNTHETIC);

    private LatencyModels() {}

    /**
     * The ONNX file of {@code model}'s {@code operator} variant, built if missing; {@code param} is the
     * benchmark parameter that named it, for the error message.
     */
    public static Path onnx(Suite suite, OrtEnvironment env, String model, String operator, String param)
            throws IOException, OrtException {
        if (model.equals(RESNET18_SYNTHETIC)) {
            if (operator.equals(PUBLISHED_INT8)) {
                throw new InvalidInputException(param + "=" + PUBLISHED_INT8 + ": nothing is published for " + model
                        + "; valid: identity, sptq");
            }
            Path dir = suite.home().resolve("target").resolve("tiermark-synthetic");
            Path onnx = dir.resolve(RESNET18_SYNTHETIC + ".onnx");
            if (!Files.isRegularFile(onnx)) {
                OnnxModels.save(SyntheticModels.resnet18(1), onnx);
            }
            VariantBuilder.Source src = new VariantBuilder.Source(model, onnx,
                    InputSamples.randomImages(SyntheticModels.INPUT, 224, 100, 7),
                    InputSamples.randomImages(SyntheticModels.INPUT, 224, 16, 100_000), Map.of());
            Variant v = VariantBuilder.ensure(env, src, Operator.parse(operator), Map.of(),
                    dir.resolve("variants").resolve(model).resolve(operator), false);
            return single(v, param, operator);
        }
        if (operator.equals(PUBLISHED_INT8)) {
            Path p = publishedInt8(suite.catalog().model(model).onnx());
            if (!Files.isRegularFile(p)) {
                throw new InvalidInputException(param + "=" + PUBLISHED_INT8 + ": no published int8 model for " + model
                        + " (looked for " + p + "); valid: identity, sptq");
            }
            return p;
        }
        return single(suite.variants().ensure(model, operator), param, operator);
    }

    /** Where the build unpacks the int8 model published beside a base model: folder and file name with {@code -q}. */
    public static Path publishedInt8(Path onnx) {
        String folder = onnx.getParent().getFileName().toString();
        String file = onnx.getFileName().toString().replaceFirst("\\.onnx$", "");
        return onnx.getParent().resolveSibling(folder + "-q").resolve(file + "-q.onnx");
    }

    /**
     * {@code count} input tensor sets of {@code model}, in direct buffers the caller owns and closes:
     * random images for the generated model, else the model's pool through its preprocessor
     * ({@code tokens} > 0: text padded to that many tokens; 0: the model's own input size).
     */
    public static List<Map<String, OnnxTensor>> inputs(Suite suite, OrtEnvironment env, String model, int tokens, int count)
            throws OrtException {
        checkLength(suite, model, tokens);
        List<Map<String, OnnxTensor>> out = new ArrayList<>();
        if (model.equals(RESNET18_SYNTHETIC)) {
            InputSamples s = InputSamples.randomImages(SyntheticModels.INPUT, 224, count, 4242);
            for (int i = 0; i < count; i++) {
                out.add(s.get(env, i));
            }
            return out;
        }
        Catalog.Model m = suite.catalog().model(model);
        InputPool pool = Preprocessors.pool(m, count);
        boolean complete = false;
        try (Preprocessor pre = tokens > 0 ? new TextPreprocessor(env, m.tokenizer(), tokens) : Preprocessors.create(m, env)) {
            for (int i = 0; i < count; i++) {
                Map<String, OnnxTensor> prepared = pre.prepare(pool.get(i % pool.size()));
                try {
                    out.add(own(env, prepared));
                } finally {
                    prepared.values().forEach(OnnxTensor::close);
                }
            }
            complete = true;
        } finally {
            if (!complete) {
                out.forEach(tensors -> tensors.values().forEach(OnnxTensor::close));
            }
        }
        return out;
    }

    /** Text models take a token count, image models 0: anything else names the parameter. */
    private static void checkLength(Suite suite, String model, int tokens) {
        boolean text = !GENERATED.contains(model) && "text".equals(suite.catalog().model(model).descriptor().input().kind());
        if (text && tokens < 1) {
            throw new InvalidInputException("sequenceLength " + tokens + ": text model '" + model + "' needs a token count (e.g. 32, 128)");
        }
        if (!text && tokens != 0) {
            throw new InvalidInputException("sequenceLength " + tokens + ": image model '" + model + "' takes sequenceLength=0");
        }
    }

    private static Path single(Variant v, String param, String operator) {
        if (v.stageCount() != 1) {
            throw new InvalidInputException(param + "=" + operator + " has " + v.stageCount()
                    + " stages: model latency measures one-stage variants (identity, sptq, early-exit, ...)");
        }
        return v.stages().get(0);
    }

    /** Copies prepared tensors into direct buffers the caller owns (preprocessors reuse theirs). */
    private static Map<String, OnnxTensor> own(OrtEnvironment env, Map<String, OnnxTensor> prepared) throws OrtException {
        Map<String, OnnxTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxTensor> e : prepared.entrySet()) {
            OnnxTensor t = e.getValue();
            long[] shape = t.getInfo().getShape();
            ByteBuffer src = t.getByteBuffer().order(ByteOrder.nativeOrder());
            ByteBuffer copy = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.nativeOrder());
            copy.put(src).flip();
            OnnxJavaType type = t.getInfo().type;
            out.put(e.getKey(), switch (type) {
                case FLOAT -> OnnxTensor.createTensor(env, copy.asFloatBuffer(), shape);
                case INT64 -> OnnxTensor.createTensor(env, copy.asLongBuffer(), shape);
                case INT32 -> OnnxTensor.createTensor(env, copy.asIntBuffer(), shape);
                default -> throw new IllegalStateException("input '" + e.getKey() + "' of type " + type + " not supported");
            });
        }
        return out;
    }
}
