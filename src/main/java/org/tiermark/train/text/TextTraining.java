package org.tiermark.train.text;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import org.tiermark.InvalidInputException;

/** The one place the text trainers set PyTorch's thread pools: never left to their defaults. */
public final class TextTraining {
    private TextTraining() {}

    /**
     * Uses {@code threads} intra-op threads and one inter-op thread. The properties count when the engine
     * starts here; the intra-op count is also set on a running engine (its inter-op pool cannot change).
     */
    public static synchronized void threads(int threads) {
        if (threads < 1) {
            throw new InvalidInputException("threads: must be >= 1 (got " + threads + ")");
        }
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
    }
}
