package org.tiermark.train;

import ai.onnx.proto.OnnxMl;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.tiermark.operator.StepContext;
import org.tiermark.operator.VariantBuilder;

/**
 * One white-box operator's training for one family of models (the CNNs, the text encoders): the
 * operator steps {@code distill}, {@code prune}, {@code prune-channels} and {@code qat} find the
 * trainer for their source model in {@link WhiteboxTrainers} and delegate to it, so that a new
 * family is one class and one line there, and the variant cache, the pipeline's hybrids and the
 * manifest stay the step's business.
 */
public interface WhiteboxTrainer {
    /** The operator's word: {@code distill}, {@code prune}, {@code prune-channels}, {@code qat} or {@code finetune}. */
    String operator();

    /**
     * Bumped when the trainer changes what it trains: part of the trained-model cache's key, so that
     * models trained by an older version are retrained rather than reused.
     */
    default int version() {
        return 1;
    }

    /**
     * SHA-256 naming the training data as this trainer reads it for {@code source} (part of the cache
     * key); empty when the data is fixed by the source model's own files.
     */
    default String dataSha256(VariantBuilder.Source source) {
        return "";
    }

    /** Whether this trainer trains models like {@code source} (judged by its task and graph, not by name). */
    boolean trains(VariantBuilder.Source source);

    /**
     * The parameter keys it reads (each starting with {@code operator() + "."}) and their defaults; a
     * model descriptor's {@code operatorDefaults} override them. Trainers of the same operator may
     * read different keys; the step declares the union.
     */
    Map<String, String> parameters();

    /**
     * Why it cannot train {@code source} (no training data: say which package or file provides it; no
     * feed-forward layer to prune), judged before any work; empty when it can.
     */
    Optional<String> notApplicable(VariantBuilder.Source source);

    /**
     * Why it cannot train {@code model}, the model of a training step before it (not the catalog model of
     * {@code source}: a network whose layout this trainer does not read), judged before any training;
     * empty when it can. Asked only of trainers whose step {@linkplain
     * org.tiermark.operator.OperatorStep#trainsGivenModel trains the model it is given}.
     */
    default Optional<String> cannotTrainFrom(OnnxMl.ModelProto model, VariantBuilder.Source source) {
        return Optional.of(getClass().getSimpleName() + " trains only the catalog model");
    }

    /**
     * Checks the parameter values in effect before anything is trained or any cached variant is
     * touched; throws {@link org.tiermark.InvalidInputException} naming the key and the valid range.
     */
    void validate(Map<String, String> params, VariantBuilder.Source source);

    /**
     * Trains from {@code source} (the previous step's model: the catalog model for a first step),
     * printing progress (step, loss, accuracy, time left), checkpointing into {@code work} (a folder
     * of its own that survives an interrupted run) and returning the exported model with its manifest
     * section (hyper-parameters, seed, data and teacher hashes, time taken, per-epoch loss and
     * accuracy, operator details). A non-finite loss or an export that disagrees with the trained
     * network throws, naming the step and the last good checkpoint.
     */
    Trained train(OnnxMl.ModelProto source, StepContext ctx, Path work) throws Exception;

    /** A trained, exported model and what the manifest records about it. */
    record Trained(OnnxMl.ModelProto model, Map<String, Object> section) {
        public Trained {
            section = Map.copyOf(section);
        }
    }
}
