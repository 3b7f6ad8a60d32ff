package org.tiermark.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.nio.file.Path;
import org.tiermark.InvalidInputException;

/**
 * The one place where ONNX Runtime session options are made: every session of the project, measured
 * or not, gets explicit thread counts, sequential execution and spinning off, never engine defaults.
 */
public final class Sessions {
    private Sessions() {}

    /**
     * Thread counts and graph optimization level of a session.
     *
     * @param intraOpThreads threads inside one operator
     * @param interOpThreads threads across operators (sequential execution uses 1)
     * @param level          graph optimizations; ALL_OPT is what the benchmarks run (without it a QDQ
     *                       model is slower than float), BASIC_OPT keeps every graph output (probing)
     */
    public record Settings(int intraOpThreads, int interOpThreads, OptLevel level) {
        public Settings {
            if (intraOpThreads < 1 || interOpThreads < 1) {
                throw new IllegalArgumentException("thread counts must be >= 1 (got intra-op " + intraOpThreads
                        + ", inter-op " + interOpThreads + ")");
            }
        }

        /** One intra-op thread, all optimizations: how variants are checked and the model-latency targets are measured. */
        public static Settings oneThread() {
            return new Settings(1, 1, OptLevel.ALL_OPT);
        }

        public static Settings threads(int intraOpThreads, int interOpThreads) {
            return new Settings(intraOpThreads, interOpThreads, OptLevel.ALL_OPT);
        }

        public Settings withLevel(OptLevel l) {
            return new Settings(intraOpThreads, interOpThreads, l);
        }
    }

    /** The process's ONNX Runtime environment, started on first use (see {@link Environment}). */
    public static OrtEnvironment environment() {
        return Environment.INSTANCE;
    }

    /**
     * ONNX Runtime 1.29's native start-up recurses in proportion to the process's command line: with a
     * {@code -cp} of about 4,500 characters or more (a JVM started with every jar of the build on its class
     * path, as the tests' child processes are) it overflows a default 1 MB thread stack and the JVM dies of
     * SIGSEGV without an error file (measured here; an equally long class path in the CLASSPATH variable is
     * harmless). So the environment starts once on a thread with a large stack; later calls on any thread
     * get the same one.
     */
    private static final class Environment {
        static final OrtEnvironment INSTANCE = startEnvironment();
    }

    // outside Environment: a lambda of Environment's own would wait for its class initialization, which waits for it
    private static OrtEnvironment startEnvironment() {
        OrtEnvironment[] env = new OrtEnvironment[1];
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                env[0] = OrtEnvironment.getEnvironment();
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "onnxruntime-start", 64L << 20);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while ONNX Runtime started", e);
        }
        if (failure[0] != null) {
            throw new IllegalStateException("ONNX Runtime did not start: " + failure[0], failure[0]);
        }
        return env[0];
    }

    /** Options for {@code s}; spinning is off because spinning threads starve each other on a shared 2-core machine. */
    public static SessionOptions options(Settings s) throws OrtException {
        SessionOptions o = new SessionOptions();
        try {
            o.setIntraOpNumThreads(s.intraOpThreads());
            o.setInterOpNumThreads(s.interOpThreads());
            o.setExecutionMode(SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(s.level());
            o.addConfigEntry("session.intra_op.allow_spinning", "0");
            o.addConfigEntry("session.inter_op.allow_spinning", "0");
            return o;
        } catch (OrtException | RuntimeException e) {
            o.close();
            throw e;
        }
    }

    /** A session for {@code model} with settings {@code s}; a non-ONNX file or one ONNX Runtime rejects fails with its path. */
    public static OrtSession open(OrtEnvironment env, Path model, Settings s) throws OrtException {
        OnnxModels.checkFile(model, "model");
        try (SessionOptions o = options(s)) {
            return env.createSession(model.toString(), o);
        } catch (OrtException e) {
            throw new InvalidInputException(model + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
        }
    }
}
