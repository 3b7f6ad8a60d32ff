package org.tiermark.emulation;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.tiermark.InvalidInputException;
import org.tiermark.data.Preprocessor;
import org.tiermark.onnx.Sessions;

/**
 * One model a {@link TierAgent} serves: its ONNX Runtime session, its metadata as the protocol
 * declares it, the checks of a request against that metadata, and a run that can be cancelled. With a
 * {@link Preprocessor} the model takes the raw input instead (one BYTES element, {@value #RAW_INPUT}:
 * encoded image or UTF-8 text) and preprocesses it on this tier before the session runs.
 */
final class ServedModel implements AutoCloseable {
    /** The input a model that preprocesses takes: the raw input as one BYTES element. */
    static final String RAW_INPUT = "raw_input";

    private final String name;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final Oip.ModelMetadata metadata;
    private final Set<InFlight> running = ConcurrentHashMap.newKeySet();
    /** Null when the model takes its tensors; else it takes the raw input (see the class comment). */
    private final Preprocessor preprocessor;
    /** Null when the model answers with its own outputs; else it sends them on (see {@link Next}). */
    private final Next next;

    /**
     * Where a relaying model sends its outputs: the next stage, served on tier {@code tier} by {@code client}'s
     * server. The model then answers with that stage's outputs (store and forward: the whole intermediate tensor
     * crosses the link between the two tiers, and the answer comes back through this tier).
     */
    record Next(String tier, ModelClient client) {}

    /** What one run answers: the outputs, and the bytes sent on to the next stage (-1: not relayed). */
    record Ran(List<NamedTensor> outputs, long relayedBytes) {}

    /** The protocol parameter that carries {@link Ran#relayedBytes} in an answer. */
    static final String RELAYED_BYTES = "relayed_bytes";

    /** A run in progress: its options (to cancel it), its deadline, and whether it was cancelled for it. */
    private record InFlight(OrtSession.RunOptions options, long deadlineNanos, AtomicBoolean timedOut) {}

    private ServedModel(String name, OrtEnvironment env, OrtSession session, Oip.ModelMetadata metadata, Preprocessor preprocessor,
                        Next next) {
        this.name = name;
        this.env = env;
        this.session = session;
        this.metadata = metadata;
        this.preprocessor = preprocessor;
        this.next = next;
    }

    /**
     * Opens {@code file} with {@code settings}; a model with non-tensor or unsupported inputs/outputs is refused.
     * With a {@code preprocessor} (null: none) the model takes the raw input; with {@code next} (null: none) it
     * relays its outputs to the next stage and declares that stage's outputs as its own. Both are closed with the model.
     */
    static ServedModel open(OrtEnvironment env, String name, Path file, Sessions.Settings settings, Preprocessor preprocessor,
                            Next next) throws OrtException {
        OrtSession session;
        try {
            session = Sessions.open(env, file, settings);
        } catch (OrtException | RuntimeException e) {
            if (preprocessor != null) {
                preprocessor.close();
            }
            if (next != null) {
                next.client().close();
            }
            throw e;
        }
        try {
            List<Oip.TensorSpec> inputs = preprocessor == null ? specs(name, session.getInputInfo())
                    : List.of(new Oip.TensorSpec(RAW_INPUT, Datatype.BYTES, new long[] {1}));
            List<Oip.TensorSpec> outputs = next == null ? specs(name, session.getOutputInfo()) : next.client().metadata().outputs();
            if (next != null) {
                Set<String> own = session.getOutputNames();
                for (Oip.TensorSpec in : next.client().metadata().inputs()) {
                    if (!own.contains(in.name())) {
                        throw new InvalidInputException("model '" + name + "' cannot relay to " + next.client().model() + "' at "
                                + next.client().endpoint() + " on tier '" + next.tier() + "': it needs input '" + in.name()
                                + "', which is not among this model's outputs " + own);
                    }
                }
            }
            return new ServedModel(name, env, session, new Oip.ModelMetadata(name, "onnxruntime_onnx", inputs, outputs),
                    preprocessor, next);
        } catch (OrtException | RuntimeException e) {
            session.close();
            if (preprocessor != null) {
                preprocessor.close();
            }
            if (next != null) {
                next.client().close();
            }
            throw e;
        }
    }

    String name() {
        return name;
    }

    Oip.ModelMetadata metadata() {
        return metadata;
    }

    void checkInputs(List<NamedTensor> inputs, String where) {
        Set<String> given = new HashSet<>();
        for (NamedTensor t : inputs) {
            Oip.TensorSpec spec = metadata.input(t.name());
            if (spec == null) {
                throw new IllegalArgumentException(where + ": unknown input '" + t.name() + "'; inputs: "
                        + metadata.inputs());
            }
            String problem = spec.mismatch(t);
            if (problem != null) {
                throw new IllegalArgumentException(where + ": " + problem);
            }
            if (!given.add(t.name())) {
                throw new IllegalArgumentException(where + ": input '" + t.name() + "' given twice");
            }
        }
        for (Oip.TensorSpec spec : metadata.inputs()) {
            if (!given.contains(spec.name())) {
                throw new IllegalArgumentException(where + ": input '" + spec.name() + "' is missing; inputs: "
                        + metadata.inputs());
            }
        }
    }

    /** Output name -> binary?, in the order asked for (all outputs when the request names none). */
    Map<String, Boolean> requestedOutputs(JsonNode header, String where) {
        boolean binaryAll = header.path("parameters").path("binary_data_output").asBoolean(false);
        Map<String, Boolean> out = new LinkedHashMap<>();
        JsonNode asked = header.get("outputs");
        if (asked == null || asked.isEmpty()) {
            metadata.outputs().forEach(o -> out.put(o.name(), binaryAll));
            return out;
        }
        for (JsonNode o : asked) {
            String name = o.path("name").asText("");
            if (metadata.output(name) == null) {
                throw new IllegalArgumentException(where + ": unknown output '" + name + "'; outputs: "
                        + metadata.outputs());
            }
            out.put(name, o.path("parameters").path("binary_data").asBoolean(binaryAll));
        }
        return out;
    }

    static final class TimeoutException extends Exception {
        private static final long serialVersionUID = 1L;

        TimeoutException(String message) {
            super(message);
        }
    }

    /**
     * Runs the model (and, relaying, the next stage at its server); past {@code timeout} (see {@link #expire}) ONNX
     * Runtime is told to stop and a {@link TimeoutException} says so, naming {@code where}.
     */
    Ran run(List<NamedTensor> inputs, Set<String> outputs, Duration timeout, String where)
            throws OrtException, TimeoutException {
        if (next == null) {
            return new Ran(runHere(inputs, outputs, timeout, where), -1);
        }
        List<NamedTensor> mine = runHere(inputs, session.getOutputNames(), timeout, where);
        List<NamedTensor> send = new ArrayList<>();
        long bytes = 0;
        for (Oip.TensorSpec in : next.client().metadata().inputs()) {
            for (NamedTensor t : mine) {
                if (t.name().equals(in.name())) {
                    send.add(t);
                    bytes += t.byteSize();
                }
            }
        }
        Map<String, NamedTensor> answer;
        try {
            // one connection to the next tier: requests take turns on it
            synchronized (next) {
                answer = next.client().infer(send);
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException(where + ": relaying to tier '" + next.tier() + "' failed: " + e.getMessage(), e);
        }
        List<NamedTensor> out = new ArrayList<>();
        for (String o : outputs) {
            out.add(answer.get(o));
        }
        return new Ran(out, bytes);
    }

    /** Runs this model's session (after preprocessing, when it takes the raw input) for {@code outputs}. */
    private List<NamedTensor> runHere(List<NamedTensor> inputs, Set<String> outputs, Duration timeout, String where)
            throws OrtException, TimeoutException {
        Map<String, OnnxTensor> feed = new HashMap<>();
        try (OrtSession.RunOptions options = new OrtSession.RunOptions()) {
            InFlight flight = new InFlight(options, System.nanoTime() + timeout.toNanos(), new AtomicBoolean());
            running.add(flight);
            try {
                if (preprocessor != null) {
                    return runRaw(inputs.get(0), outputs, options);
                }
                for (NamedTensor t : inputs) {
                    feed.put(t.name(), t.toOnnx(env));
                }
                try (OrtSession.Result r = session.run(feed, new LinkedHashSet<>(outputs), options)) {
                    return collect(r, outputs);
                }
            } catch (OrtException e) {
                if (flight.timedOut().get()) {
                    throw new TimeoutException(where + ": inference cancelled after the request timeout of "
                            + timeout.toMillis() + " ms");
                }
                throw e;
            } finally {
                running.remove(flight);
                feed.values().forEach(OnnxTensor::close);
            }
        }
    }

    /**
     * Preprocesses the raw input on this tier and runs the session on the result. The preprocessor reuses
     * its buffers, so one request at a time goes through it (and the session run that reads its tensors).
     * An input it cannot read (not an image, ...) is an {@link IllegalArgumentException}: the client's fault.
     */
    private List<NamedTensor> runRaw(NamedTensor raw, Set<String> outputs, OrtSession.RunOptions options) throws OrtException {
        List<byte[]> elements = raw.elements();
        if (elements.size() != 1) {
            throw new IllegalArgumentException("model '" + name + "' takes one raw input per request, got " + elements.size());
        }
        synchronized (preprocessor) {
            Map<String, OnnxTensor> feed = preprocessor.prepare(elements.get(0));
            try (OrtSession.Result r = session.run(feed, new LinkedHashSet<>(outputs), options)) {
                return collect(r, outputs);
            } finally {
                feed.values().forEach(OnnxTensor::close);
            }
        }
    }

    private static List<NamedTensor> collect(OrtSession.Result r, Set<String> outputs) {
        List<NamedTensor> out = new ArrayList<>();
        for (String name : outputs) {
            OnnxValue v = r.get(name).orElseThrow(() -> new IllegalStateException("output '" + name + "' missing"));
            if (!(v instanceof OnnxTensor t)) {
                throw new IllegalStateException("output '" + name + "' is not a tensor");
            }
            out.add(NamedTensor.of(name, t));
        }
        return out;
    }

    /**
     * Tells ONNX Runtime to stop every run past its deadline. The agent calls it from one periodic
     * watchdog: a timer per request would wake the watchdog thread on every request, which cost tenths
     * of a millisecond per request on this loaded 2-core machine.
     */
    void expire(long nowNanos) {
        for (InFlight f : running) {
            if (nowNanos - f.deadlineNanos() > 0 && !f.timedOut().getAndSet(true)) {
                terminate(f.options());
            }
        }
    }

    /** Asks every inference in flight to stop (at close). */
    void cancelRunning() {
        running.forEach(f -> terminate(f.options()));
    }

    private static void terminate(OrtSession.RunOptions options) {
        try {
            options.setTerminate(true);
        } catch (OrtException | IllegalStateException e) {
            // already finished and closed
        }
    }

    private static List<Oip.TensorSpec> specs(String model, Map<String, NodeInfo> infos) {
        List<Oip.TensorSpec> specs = new ArrayList<>();
        for (NodeInfo n : infos.values()) {
            if (!(n.getInfo() instanceof TensorInfo t)) {
                throw new InvalidInputException("model '" + model + "': '" + n.getName()
                        + "' is not a tensor; the agent serves tensor inputs and outputs only");
            }
            try {
                specs.add(new Oip.TensorSpec(n.getName(), Datatype.of(t.type, "model '" + model + "' tensor '" + n.getName() + "'"),
                        t.getShape()));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(e.getMessage());
            }
        }
        return specs;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // closing is best effort: the agent is stopping anyway
        }
        if (preprocessor != null) {
            preprocessor.close();
        }
        if (next != null) {
            next.client().close();
        }
    }
}
