package org.tiermark.train.text;

import ai.djl.ndarray.NDManager;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tiermark.AtomicFiles;
import org.tiermark.InvalidInputException;
import org.tiermark.operator.VariantBuilder;
import org.tiermark.train.DistillationLoss;

/**
 * {@code distill} for the text classifiers: a student with fewer encoder layers, initialised from the
 * teacher's layers {@code distill.layers} (default every other one of MiniLM's six: 0, 2, 4), trained
 * on the teacher's softened logits mixed with the labels ({@link DistillationLoss}); the word,
 * position and token-type embedding tables and the head stay frozen. The teacher's logits are
 * computed once by ONNX Runtime (and kept in the work folder for a rerun). Defaults (2 epochs, Adam
 * from 3e-4): on MiniLM they gave F1 0.9468 on eval-1000 against identity's 0.9572 (1e-4 gave 0.8687:
 * the frozen head first amplifies the student's differences into logits of +-100).
 */
public final class TextDistill extends TextTrainer {
    public TextDistill() {
        super("distill", 2, 3e-4, Map.of("distill.layers", "0,2,4", "distill.temperature", "4", "distill.alpha", "0.7"));
    }

    @Override
    void validateOwn(Map<String, String> params, VariantBuilder.Source source) {
        DistillationLoss.validate(doubleParam(params, "temperature"), doubleParam(params, "alpha"));
        int[] layers = Students.parseLayers(param(params, "layers"), key("layers"));
        int depth = BertWeights.layers(load(source.onnx()));
        if (depth == 0) {
            throw new InvalidInputException(source.model() + ": no encoder layers (/encoder/layer.N/) to distill");
        }
        Students.checkLayers(layers, depth, key("layers"));
    }

    @Override
    Plan plan(BertWeights source, OnnxMl.ModelProto sourceModel, NDManager manager, Map<String, String> params,
              TokenizedTexts data, OrtEnvironment env, Path work) throws OrtException {
        int[] layers = Students.parseLayers(param(params, "layers"), key("layers"));
        BertClassifier student = Students.fromLayers(source, layers, manager);
        student.freezeEmbeddingTables();
        student.freezeHead();
        float temperature = (float) doubleParam(params, "temperature");
        float alpha = (float) doubleParam(params, "alpha");
        float[] teacher = teacherLogits(env, sourceModel, data, intParam(params, "text-threads"), work);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("teacherLayers", Arrays.stream(layers).boxed().toList());
        details.put("frozen", "word, position and token-type embeddings; classification head");
        details.put("temperature", temperature);
        details.put("alpha", alpha);
        details.put("teacherTrainF1", OrtLogits.f1(teacher, data.labels()));
        int s = data.sequence();
        details.put("layerMultiplyAddsRatio", student.config().layerMultiplyAddsPerToken(s)
                / (double) source.config().layerMultiplyAddsPerToken(s));
        return new Plan(student, new DistillationLoss(temperature, alpha), teacher, null, details, null);
    }

    /** The teacher's logits of every training text, by ONNX Runtime, reused from {@code work} when source and data match. */
    static float[] teacherLogits(OrtEnvironment env, OnnxMl.ModelProto teacher, TokenizedTexts data, int threads, Path work)
            throws OrtException {
        String key = sha256(teacher) + "/" + data.sha256();
        Path file = work.resolve("teacher-logits.bin");
        try {
            if (Files.isRegularFile(file)) {
                try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
                    if (in.readUTF().equals(key)) {
                        float[] out = new float[in.readInt()];
                        for (int i = 0; i < out.length; i++) {
                            out[i] = in.readFloat();
                        }
                        System.out.println("teacher logits reused from " + file);
                        return out;
                    }
                }
            }
            long start = System.nanoTime();
            float[] out = OrtLogits.of(env, teacher, data, data.size(), threads);
            System.out.printf("teacher logits of %d texts by ONNX Runtime in %.0f s%n", data.size(), (System.nanoTime() - start) / 1e9);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream o = new DataOutputStream(bytes)) {
                o.writeUTF(key);
                o.writeInt(out.length);
                for (float v : out) {
                    o.writeFloat(v);
                }
            }
            AtomicFiles.write(file, bytes.toByteArray());
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("teacher logits cache " + file, e);
        }
    }
}
