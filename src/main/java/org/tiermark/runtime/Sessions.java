package org.tiermark.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import java.nio.file.Path;
import org.tiermark.InvalidInputException;
import org.tiermark.model.Catalog;
import org.tiermark.tier.TierProfile;

/** Creates ONNX Runtime sessions with a tier's settings, never with engine defaults. */
public final class Sessions {
    private Sessions() {}

    public static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }

    /**
     * Explicit threads, sequential execution, all graph optimizations (without them a QDQ model is
     * slower than float), and spinning off: spinning threads starve each other on a shared 2-core machine.
     */
    public static SessionOptions options(TierProfile tier) throws OrtException {
        SessionOptions o = new SessionOptions();
        try {
            o.setIntraOpNumThreads(tier.intraOpThreads());
            o.setInterOpNumThreads(tier.interOpThreads());
            o.setExecutionMode(SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
            o.addConfigEntry("session.intra_op.allow_spinning", "0");
            o.addConfigEntry("session.inter_op.allow_spinning", "0");
            return o;
        } catch (OrtException | RuntimeException e) {
            o.close();
            throw e;
        }
    }

    /** A session for {@code model} with {@code tier}'s settings; a non-ONNX file fails with its path. */
    public static OrtSession open(OrtEnvironment env, Path model, TierProfile tier) throws OrtException {
        Catalog.checkOnnx(model, "stage model");
        try (SessionOptions o = options(tier)) {
            return env.createSession(model.toString(), o);
        } catch (OrtException e) {
            throw new InvalidInputException(model + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
        }
    }
}
