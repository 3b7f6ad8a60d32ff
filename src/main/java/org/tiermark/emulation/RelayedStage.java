package org.tiermark.emulation;

import ai.onnxruntime.OnnxTensor;
import java.util.List;
import java.util.Map;
import org.tiermark.runtime.Stage;

/**
 * A stage on a real tier that the previous stage's server runs by relaying to it (store and forward between two
 * tiers off the origin, {@code tiermark agent --next}): the runner never calls it; the previous stage's answer
 * holds its outputs.
 */
final class RelayedStage implements Stage {
    private final String where;

    /** @param where the stage's tier and server, for messages */
    RelayedStage(String where) {
        this.where = where;
    }

    @Override
    public List<String> inputNames() {
        return List.of();
    }

    @Override
    public Map<String, OnnxTensor> run(Map<String, OnnxTensor> inputs) {
        throw new IllegalStateException(where + " is run by the previous stage's server, which relays to it; it takes no call");
    }

    @Override
    public boolean relayed() {
        return true;
    }

    @Override
    public boolean local() {
        return false;
    }

    @Override
    public Memory memory() {
        return new Memory(-1, -1, -1);
    }

    @Override
    public String toString() {
        return where;
    }

    @Override
    public void close() {}
}
