package org.tiermark.suite;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.tiermark.data.InputPool;
import org.tiermark.data.Preprocessor;
import org.tiermark.Preprocessors;
import org.tiermark.data.TextPreprocessor;
import org.tiermark.model.Catalog;
import org.tiermark.operator.Variant;

/**
 * What pure model latency measures, apart from the catalog's deployments: the ONNX file of a
 * one-stage variant of a catalog model (a reference model's too) or of a variant its makers published
 * ({@code published} in the descriptor, e.g. {@code published-int8}), and input tensors prepared once
 * from the model's pool, text padded to the token count the benchmark asks for.
 */
public final class LatencyModels {
    private LatencyModels() {}

    /**
     * The ONNX file of {@code model}'s {@code operator} variant (built if missing) or of its published
     * variant of that name; {@code param} is the benchmark parameter that named it, for the error message.
     */
    public static Path onnx(Suite suite, String model, String operator, String param) {
        Catalog.Model m = suite.catalog().model(model);
        if (m.descriptor().published().containsKey(operator)) {
            return m.published(operator);
        }
        return single(suite.variants().ensure(model, operator), param, operator);
    }

    /** True when {@code name} is a variant {@code model}'s makers published rather than an operator. */
    public static boolean isPublished(Suite suite, String model, String name) {
        return suite.catalog().models().containsKey(model)
                && suite.catalog().models().get(model).descriptor().published().containsKey(name);
    }

    /**
     * {@code count} input tensor sets of {@code model}, in direct buffers the caller owns and closes:
     * the model's pool through its preprocessor ({@code tokens} > 0: text padded to that many tokens;
     * 0: the model's own input size).
     */
    public static List<Map<String, OnnxTensor>> inputs(Suite suite, OrtEnvironment env, String model, int tokens, int count)
            throws OrtException {
        checkLength(suite, model, tokens);
        List<Map<String, OnnxTensor>> out = new ArrayList<>();
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
        boolean text = "text".equals(suite.catalog().model(model).descriptor().input().kind());
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
