package org.tiermark.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tiermark.InvalidInputException;
import org.tiermark.tier.TierProfile;

/**
 * One stage of a deployed variant, running on one tier: named tensors in, named tensors out.
 * {@link LocalStage} is an ONNX Runtime session in this process; a stage served by a tier agent
 * (Open Inference Protocol) or by a remote inference server implements the same contract, and the
 * {@link DeploymentRunner} does not change.
 *
 * <p>Contract:
 * <ul>
 *   <li><b>Tensors.</b> {@link #run} gets the inputs it names in {@link #inputNames()}, owned by the
 *       caller and valid for the call only. It returns its outputs by name; they belong to the stage
 *       and stay valid until its {@link #release}, next {@code run} or {@code close}: the caller reads
 *       them and never closes them. A stage that receives bytes (a remote one) serializes the inputs
 *       itself and wraps what comes back in tensors it owns.</li>
 *   <li><b>Links and costs are not the stage's business.</b> The runner serializes whatever changes
 *       tier ({@link TensorCodec}), charges it to the links and stretches compute; a stage only
 *       computes. With a real network between tiers (a future link cost {@code emulated} or
 *       {@code remote}) the bytes a remote stage sends are the link: its call's wall time holds the
 *       transfer, and the runner waits nothing more. Preprocessing of the raw input runs in the
 *       runner on the first stage's tier, unless the first stage {@link #takesRawInput()}: then the
 *       raw bytes go to its {@link #runRaw} (a remote stage whose server preprocesses them).</li>
 *   <li><b>Threading.</b> One caller at a time; a stage need not be thread-safe.</li>
 *   <li><b>Closing.</b> Whoever opened a stage closes it ({@link DeploymentRunner} closes the stages
 *       it opened, also when opening a later one fails); {@code close} releases every native handle
 *       and connection the stage holds and may be called once.</li>
 *   <li><b>Errors.</b> Bad configuration found when opening (an unreadable file, an unreachable
 *       server) is an {@link InvalidInputException} naming the file or address; a failure
 *       while running is an {@link OrtException} (or an unchecked exception) and ends the request.</li>
 * </ul>
 */
public interface Stage extends AutoCloseable {
    /** The inputs this stage reads, in its declared order. */
    List<String> inputNames();

    /** Runs the stage once; the outputs are the stage's, valid until its release, next run or close. */
    Map<String, OnnxTensor> run(Map<String, OnnxTensor> inputs) throws OrtException;

    /**
     * Whether the stage takes the raw input (encoded image, UTF-8 text) and preprocesses it itself, where it
     * runs: a remote first stage served with its preprocessing. The runner then sends it the raw bytes.
     */
    default boolean takesRawInput() {
        return false;
    }

    /** Runs a stage that {@link #takesRawInput()} on one raw input; outputs as for {@link #run}. */
    default Map<String, OnnxTensor> runRaw(byte[] raw) throws OrtException {
        throw new UnsupportedOperationException("this stage takes tensors, not the raw input");
    }

    /**
     * The data of one of this stage's outputs in native order without a copy, when the stage owns a
     * buffer holding it (so the runner encodes it for a link as a raw loop would); null otherwise.
     */
    default ByteBuffer ownBytes(OnnxTensor output) {
        return null;
    }

    /**
     * True when the stage was run by the previous stage's server, which relayed to this stage's tier and answered
     * with this stage's outputs (store and forward between two tiers off the origin): the runner does not call it,
     * and charges the hop between the two the bytes the previous stage {@link #relayedBytes() relayed}.
     */
    default boolean relayed() {
        return false;
    }

    /** The bytes this stage's server sent on to the next stage in the last run, or -1 when it does not relay. */
    default long relayedBytes() {
        return -1;
    }

    /**
     * True when the stage computes in this process, so its time is this machine's compute (and stretched
     * to its tier's speed); false for a stage on a real tier (an agent or a server), whose call holds the
     * link both ways and the tier's own compute, which nothing here stretches.
     */
    default boolean local() {
        return true;
    }

    /**
     * Releases the outputs of the last run. The runner calls it when a request is over, outside the
     * compute it times, so that freeing results is not charged (or stretched) as a tier's compute.
     */
    default void release() {}

    /** What the stage costs in memory, as far as it could be measured (-1 where not). */
    Memory memory();

    @Override
    void close();

    /**
     * Opens stage {@code index} of a variant, from its file, for a tier: how a runner gets its
     * stages, so another kind of stage is another opener.
     */
    @FunctionalInterface
    interface Opener {
        Stage open(int index, Path file, TierProfile tier) throws OrtException;
    }

    /**
     * Memory of a stage, -1 where it could not be measured.
     *
     * @param fileBytes        size of the stage's ONNX file
     * @param creationRssBytes resident-memory growth while the stage was created
     * @param firstRunRssBytes resident-memory growth during its first run (ONNX Runtime grows its arenas then)
     */
    record Memory(long fileBytes, long creationRssBytes, long firstRunRssBytes) {}
}
