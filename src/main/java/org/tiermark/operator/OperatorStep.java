package org.tiermark.operator;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One operator as a step of a variant pipeline: it takes the previous step's model (the source
 * model for the first step) and returns the transformed model, or two stages when it partitions.
 * A new operator is one class implementing this plus one line in {@link OperatorSteps}.
 */
public interface OperatorStep {
    /** The operator's word on the command line and in folder names, e.g. {@code sptq}. */
    String word();

    /**
     * Bumped when the step changes what it produces: only the variants whose chain contains it are
     * rebuilt (the version is part of the recipe hash).
     */
    int version();

    /** The parameter keys this step reads (all starting with {@code word() + "."}) and their defaults. */
    Map<String, String> parameters();

    /**
     * Checks the values of this step's parameters before anything is built or any cached variant is
     * touched; throws {@link org.tiermark.InvalidInputException} naming the key and what is valid.
     */
    void validate(Map<String, String> params);

    /**
     * Whether the step trains (a white-box operator): it reads the catalog model's training data and
     * teacher, so it comes first in a chain, unless it {@linkplain #trainsGivenModel trains the model it
     * is given} and follows another training step.
     */
    default boolean trains() {
        return false;
    }

    /**
     * Whether the step, when it trains, fine-tunes the network it is given (its layout and weights, e.g.
     * qat) rather than building its own from the catalog model (a student, a pruned copy): only such a
     * step may follow another training step, starting from that step's model.
     */
    default boolean trainsGivenModel() {
        return false;
    }

    /**
     * Whether the step's result lies in weights held at zero by masks that only its own training keeps
     * (unstructured pruning): a later training step would train them back to non-zero values, so none
     * may follow it.
     */
    default boolean masksWeights() {
        return false;
    }

    /**
     * Whether the step's output is quantized (sptq, qat): a chain quantizes at most once, and nothing
     * trains after a quantizing step.
     */
    default boolean quantizes() {
        return false;
    }

    /** Whether the step makes more than one stage: such a step must be the last of a chain. */
    default boolean producesStages() {
        return false;
    }

    /**
     * Whether the step renames tensors that later steps may need (quantization puts a tensor behind
     * a QuantizeLinear): the pipeline then asks the later steps which tensors they need, see
     * {@link #tensorsNeeded}, and tells this step through {@link StepContext#neededLater()}.
     */
    default boolean renamesTensors() {
        return false;
    }

    /**
     * Tensors of {@code source} that this step will read when its turn comes (a partition's cut).
     * Asked only when an earlier step renames tensors; the answer is pinned: the step then finds them
     * in {@link StepContext#pinned()}, under the names they carry by then.
     */
    default List<String> tensorsNeeded(OnnxMl.ModelProto source, StepContext ctx) throws OrtException {
        return List.of();
    }

    /**
     * Why the step cannot apply to the model of {@code ctx}, judged before any work (e.g. a training
     * step for a model without training data); empty when it may. Reasons found only in the graph
     * (no residual block to skip) are thrown by {@link #apply} as an InvalidInputException.
     */
    default Optional<String> notApplicable(StepContext ctx) {
        return Optional.empty();
    }

    /** Transforms {@code source}, the previous step's output. */
    StepResult apply(OnnxMl.ModelProto source, StepContext ctx) throws OrtException;
}
