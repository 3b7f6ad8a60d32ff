package org.tiermark.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tiermark.onnx.Sessions;
import org.tiermark.tier.LinkDelay;
import org.tiermark.InvalidInputException;
import org.tiermark.data.Preprocessor;
import org.tiermark.operator.Variant;
import org.tiermark.tier.DeploymentProfile;
import org.tiermark.tier.Profiles;
import org.tiermark.tier.Profiles.Hop;
import org.tiermark.tier.TierProfile;

/**
 * Executes one variant on one deployment: each stage is an ONNX Runtime session with its tier's
 * settings, and every tensor that changes tier is serialized, charged to the links it crosses and
 * deserialized on the other side. One {@link #run} is one request: captured on the origin, answered
 * back to it.
 *
 * <p>How time enters a call, in {@link LinkDelayModel#SIMULATED} mode: each compute step (preprocessing,
 * a session run, encoding or decoding a payload) is timed on this machine and then stretched by its
 * tier's {@code 1 / relativeSpeed} with a precise wait; each hop waits the link model's time for the
 * payload's measured size. Both waits happen inside the call, so the wall time of the call is the
 * end-to-end latency. {@link Breakdown} keeps the raw compute, the stretch and the transfer apart.
 *
 * <p>Not thread-safe: a runner reuses its buffers across calls, and the {@link Answer} of one call
 * is valid until the next.
 */
public final class DeploymentRunner implements AutoCloseable {
    private final OrtEnvironment env;
    private final Variant variant;
    private final DeploymentProfile deployment;
    private final LinkDelayModel linkDelay;
    private final Preprocessor preprocessor;
    private final TierProfile origin;
    private final List<Stage> stages = new ArrayList<>();
    private final List<Hop> hops;
    private final ByteBuffer[] payloads;
    private final LinkDelay.Jitter jitter = new LinkDelay.Jitter();
    private final Breakdown last;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Map<OnnxTensor, ByteBuffer> pinnedBuffers = new java.util.IdentityHashMap<>();

    private DeploymentRunner(OrtEnvironment env, Variant variant, DeploymentProfile deployment, Profiles profiles,
                             LinkDelayModel linkDelay, Preprocessor preprocessor) {
        this.env = env;
        this.variant = variant;
        this.deployment = deployment;
        this.linkDelay = linkDelay;
        this.preprocessor = preprocessor;
        this.origin = effective(profiles.tier(DeploymentProfile.ORIGIN), linkDelay);
        this.hops = profiles.hops(deployment);
        this.payloads = new ByteBuffer[hops.size()];
        this.last = new Breakdown(hops.size(), deployment.stageCount());
    }

    /**
     * Opens a session per stage and checks that the variant fits the deployment. The preprocessor is
     * owned by the runner from then on and closed with it.
     */
    public static DeploymentRunner open(OrtEnvironment env, Variant variant, DeploymentProfile deployment,
                                        Profiles profiles, LinkDelayModel linkDelay, Preprocessor preprocessor)
            throws OrtException {
        if (variant.stageCount() != deployment.stageCount()) {
            preprocessor.close();
            throw new InvalidInputException("deployment '" + deployment.name() + "' places " + deployment.stageCount()
                    + " stage(s) but variant " + variant.model() + "/" + variant.operator() + " has "
                    + variant.stageCount() + (deployment.stageCount() > variant.stageCount()
                    ? "; split deployments need the partition operator (e.g. operator 'partition')" : ""));
        }
        DeploymentRunner r = new DeploymentRunner(env, variant, deployment, profiles, linkDelay, preprocessor);
        try {
            for (int i = 0; i < deployment.stageCount(); i++) {
                TierProfile tier = profiles.tier(deployment.stages().get(i));
                if (linkDelay == LinkDelayModel.SIMULATED && tier.relativeSpeed() > 1.0) {
                    throw new InvalidInputException("tier '" + tier.name() + "' has relativeSpeed " + tier.relativeSpeed()
                            + " > 1.0: a tier faster than the measuring machine cannot be simulated by waiting. "
                            + "Run the suite on such a machine and compose the runs (report compose), or use linkDelay=off");
                }
                Path file = variant.stages().get(i);
                long rssBefore = Rss.bytes();
                OrtSession session = Sessions.open(env, file, tier.sessionSettings());
                r.open.add(session);
                r.stages.add(new Stage(i, effective(tier, linkDelay), session, List.copyOf(session.getInputNames()),
                        Files.size(file), rssBefore < 0 ? -1 : Rss.bytes() - rssBefore));
            }
            return r;
        } catch (IOException e) {
            r.close();
            throw new InvalidInputException("cannot read a stage of " + variant.model() + "/" + variant.operator()
                    + ": " + e.getMessage(), e);
        } catch (OrtException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private static TierProfile effective(TierProfile tier, LinkDelayModel m) {
        return m == LinkDelayModel.SIMULATED ? tier : tier.atMachineSpeed();
    }

    /** One request end to end. The answer's buffers are reused by the next call. */
    public Answer run(byte[] raw) throws OrtException {
        return run(raw, false);
    }

    /**
     * The first call, which also measures each stage's resident-memory growth during its first run
     * (ONNX Runtime allocates its arenas then), to tell whether the variant fits each tier.
     */
    public Answer warmUp(byte[] raw) throws OrtException {
        return run(raw, true);
    }

    private Answer run(byte[] raw, boolean measureMemory) throws OrtException {
        Breakdown b = last;
        b.reset();
        long start = System.nanoTime();
        List<AutoCloseable> toClose = new ArrayList<>();
        try {
            Map<String, OnnxTensor> current;
            Stage first = stages.get(0);
            Hop hop0 = hops.get(0);
            if (deployment.firstHop() == DeploymentProfile.FirstHop.RAW || hop0.links().isEmpty()) {
                b.bytes[0] = hop0.links().isEmpty() ? 0 : raw.length;
                transfer(0, b.bytes[0]);
                long t = System.nanoTime();
                current = track(preprocessor.prepare(raw), toClose);
                compute(first.tier, t, -1);
            } else {
                long t = System.nanoTime();
                Map<String, OnnxTensor> prepared = track(preprocessor.prepare(raw), toClose);
                ByteBuffer payload = encode(0, prepared);
                compute(origin, t, -1);
                b.bytes[0] = payload.limit();
                transfer(0, payload.limit());
                t = System.nanoTime();
                current = decode(payload, toClose);
                compute(first.tier, t, 0);
            }
            for (Stage stage : stages) {
                Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
                for (String name : stage.inputNames) {
                    OnnxTensor t = current.get(name);
                    if (t == null) {
                        throw new InvalidInputException("stage " + stage.index + " of " + variant.model() + "/"
                                + variant.operator() + " needs input '" + name + "' but only " + current.keySet()
                                + " reach it");
                    }
                    inputs.put(name, t);
                }
                long rssBefore = measureMemory ? Rss.bytes() : 0;
                long t = System.nanoTime();
                OrtSession.Result result = stage.pinned == null || stage.pinned.isEmpty() ? stage.session.run(inputs)
                        : stage.session.run(inputs, stage.pinned);
                toClose.add(result);
                compute(stage.tier, t, stage.index);
                if (stage.pinned == null) {
                    stage.pinOutputs(env, result, open, pinnedBuffers);
                }
                if (measureMemory && rssBefore >= 0) {
                    stage.firstRunRssBytes = Rss.bytes() - rssBefore;
                }
                Map<String, OnnxTensor> available = new LinkedHashMap<>(current);
                for (Map.Entry<String, OnnxValue> e : result) {
                    if (e.getValue() instanceof OnnxTensor tensor) {
                        available.put(e.getKey(), tensor);
                    }
                }
                int hopIndex = stage.index + 1;
                Hop hop = hops.get(hopIndex);
                boolean lastStage = stage.index == stages.size() - 1;
                Map<String, OnnxTensor> send = new LinkedHashMap<>();
                if (lastStage) {
                    for (Map.Entry<String, OnnxValue> e : result) {
                        send.put(e.getKey(), (OnnxTensor) e.getValue());
                    }
                } else {
                    for (String name : stages.get(hopIndex).inputNames) {
                        if (available.containsKey(name)) {
                            send.put(name, available.get(name));
                        }
                    }
                }
                if (hop.links().isEmpty()) {
                    if (lastStage) {
                        long t2 = System.nanoTime();
                        Answer answer = Answer.of(send, this::bytesOf);
                        compute(stage.tier, t2, stage.index);
                        b.totalNanos = System.nanoTime() - start;
                        return answer;
                    }
                    current = send;
                    continue;
                }
                long t1 = System.nanoTime();
                ByteBuffer payload = encode(hopIndex, send);
                compute(stage.tier, t1, stage.index);
                b.bytes[hopIndex] = payload.limit();
                transfer(hopIndex, payload.limit());
                TierProfile receiver = lastStage ? origin : stages.get(hopIndex).tier;
                long t2 = System.nanoTime();
                if (lastStage) {
                    Answer answer = new Answer(TensorCodec.decode(payload));
                    compute(receiver, t2, -1);
                    b.totalNanos = System.nanoTime() - start;
                    return answer;
                }
                current = decode(payload, toClose);
                compute(receiver, t2, hopIndex);
            }
            throw new IllegalStateException("unreachable: the last stage returns");
        } finally {
            for (int i = toClose.size() - 1; i >= 0; i--) {
                try {
                    toClose.get(i).close();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot close a native handle", e);
                }
            }
        }
    }

    private static Map<String, OnnxTensor> track(Map<String, OnnxTensor> tensors, List<AutoCloseable> toClose) {
        toClose.addAll(tensors.values());
        return tensors;
    }

    private Map<String, OnnxTensor> decode(ByteBuffer payload, List<AutoCloseable> toClose) throws OrtException {
        Map<String, OnnxTensor> out = new LinkedHashMap<>();
        for (TensorCodec.Decoded d : TensorCodec.decode(payload)) {
            OnnxTensor t = d.toOnnx(env);
            toClose.add(t);
            out.put(d.name(), t);
        }
        return out;
    }

    private ByteBuffer encode(int hop, Map<String, OnnxTensor> tensors) {
        payloads[hop] = TensorCodec.encode(tensors, this::bytesOf, payloads[hop]);
        return payloads[hop];
    }

    /** A tensor's bytes: the pinned direct buffer when the runner owns it, else a copy out of native memory. */
    private ByteBuffer bytesOf(OnnxTensor t) {
        ByteBuffer own = pinnedBuffers.get(t);
        return own != null ? own.duplicate().clear().order(ByteOrder.nativeOrder()) : t.getByteBuffer();
    }

    /** Charges compute that started at {@code startNanos} to {@code tier}, stretching it in simulated mode. */
    private void compute(TierProfile tier, long startNanos, int stageIndex) {
        long measured = System.nanoTime() - startNanos;
        long extra = tier.stretchedNanos(measured) - measured;
        last.computeNanos += measured;
        if (stageIndex >= 0) {
            last.stageComputeNanos[stageIndex] += measured;
        }
        if (extra > 0) {
            last.stretchNanos += extra;
            PreciseWait.waitNanos(extra);
        }
    }

    private void transfer(int hop, long bytes) {
        if (linkDelay != LinkDelayModel.SIMULATED) {
            return;
        }
        long nanos = LinkDelay.transferNanos(hops.get(hop).links(), bytes, jitter);
        last.transferNanos += nanos;
        last.hopTransferNanos[hop] = nanos;
        PreciseWait.waitNanos(nanos);
    }

    /** The breakdown of the last call; overwritten by the next. */
    public Breakdown lastBreakdown() {
        return last;
    }

    public List<Hop> hops() {
        return hops;
    }

    public Variant variant() {
        return variant;
    }

    public DeploymentProfile deployment() {
        return deployment;
    }

    /** Per stage: its tier, model file size, and resident memory growth at creation and first run. */
    public List<StageInfo> stageInfo() {
        return stages.stream().map(s -> new StageInfo(s.index, s.tier.name(), s.fileBytes, s.creationRssBytes,
                s.firstRunRssBytes, s.tier.memoryBudgetMb())).toList();
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                failure = failure == null ? new IllegalStateException("cannot close a session", e) : failure;
            }
        }
        open.clear();
        preprocessor.close();
        if (failure != null) {
            throw failure;
        }
    }

    private static final class Stage {
        final int index;
        final TierProfile tier;
        final OrtSession session;
        final List<String> inputNames;
        final long fileBytes;
        final long creationRssBytes;
        long firstRunRssBytes = -1;
        /**
         * Output tensors over direct buffers the session writes into on every run after the first:
         * encoding then reads them without a copy, as a raw ONNX Runtime loop would not allocate either.
         */
        Map<String, OnnxTensor> pinned;

        void pinOutputs(OrtEnvironment env, OrtSession.Result first, List<AutoCloseable> owner,
                        Map<OnnxTensor, ByteBuffer> buffers) throws OrtException {
            Map<String, OnnxTensor> out = new LinkedHashMap<>();
            for (Map.Entry<String, OnnxValue> e : first) {
                if (!(e.getValue() instanceof OnnxTensor t) || t.getInfo().type.size == 0
                        || t.getInfo().type == ai.onnxruntime.OnnxJavaType.STRING) {
                    out.values().forEach(OnnxTensor::close);
                    pinned = Map.of();
                    return;
                }
                int bytes = Math.toIntExact(t.getInfo().getNumElements() * t.getInfo().type.size);
                ByteBuffer buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
                OnnxTensor p = OnnxTensor.createTensor(env, buffer, t.getInfo().getShape(), t.getInfo().type);
                owner.add(p);
                buffers.put(p, buffer);
                out.put(e.getKey(), p);
            }
            pinned = out;
        }

        Stage(int index, TierProfile tier, OrtSession session, List<String> inputNames, long fileBytes, long creationRssBytes) {
            this.index = index;
            this.tier = tier;
            this.session = session;
            this.inputNames = inputNames;
            this.fileBytes = fileBytes;
            this.creationRssBytes = creationRssBytes;
        }
    }

    /** What one stage costs in memory; -1 where it could not be measured. */
    public record StageInfo(int index, String tier, long fileBytes, long creationRssBytes, long firstRunRssBytes,
                            long budgetMb) {
        /** Measured memory of the stage: session creation plus its first run's growth. */
        public long memoryBytes() {
            return creationRssBytes < 0 || firstRunRssBytes < 0 ? -1
                    : Math.max(0, creationRssBytes) + Math.max(0, firstRunRssBytes);
        }

        public boolean fitsBudget() {
            return memoryBytes() < 0 || memoryBytes() <= budgetMb * 1024 * 1024;
        }
    }

    /** Where the time of one call went. All fields are for the last call only. */
    public static final class Breakdown {
        public long totalNanos;
        /** Compute as measured on this machine (preprocessing, sessions, encoding, decoding). */
        public long computeNanos;
        /** Extra wait that stretched compute to each tier's speed. */
        public long stretchNanos;
        /** Link time charged by the link-delay model (waited in simulated mode). */
        public long transferNanos;
        /** Bytes of each hop's payload: origin to first stage, between stages, last stage to origin. */
        public final long[] bytes;
        public final long[] hopTransferNanos;
        public final long[] stageComputeNanos;

        Breakdown(int hops, int stages) {
            bytes = new long[hops];
            hopTransferNanos = new long[hops];
            stageComputeNanos = new long[stages];
        }

        void reset() {
            totalNanos = computeNanos = stretchNanos = transferNanos = 0;
            java.util.Arrays.fill(bytes, 0);
            java.util.Arrays.fill(hopTransferNanos, 0);
            java.util.Arrays.fill(stageComputeNanos, 0);
        }

        public long totalBytes() {
            long s = 0;
            for (long v : bytes) {
                s += v;
            }
            return s;
        }
    }

    /** The answer delivered to the origin: named tensors, valid until the next call. */
    public record Answer(List<TensorCodec.Decoded> tensors) {
        static Answer of(Map<String, OnnxTensor> tensors, Function<OnnxTensor, ByteBuffer> bytesOf) {
            List<TensorCodec.Decoded> out = new ArrayList<>(tensors.size());
            for (Map.Entry<String, OnnxTensor> e : tensors.entrySet()) {
                ByteBuffer data = bytesOf.apply(e.getValue()).order(ByteOrder.nativeOrder());
                out.add(new TensorCodec.Decoded(e.getKey(), e.getValue().getInfo().type,
                        e.getValue().getInfo().getShape(), data));
            }
            return new Answer(out);
        }

        public TensorCodec.Decoded tensor(String name) {
            for (TensorCodec.Decoded d : tensors) {
                if (d.name().equals(name)) {
                    return d;
                }
            }
            throw new IllegalArgumentException("no output '" + name + "'; outputs: "
                    + tensors.stream().map(TensorCodec.Decoded::name).toList());
        }

        /** The named float output as a fresh array. */
        public float[] floats(String name) {
            ByteBuffer data = tensor(name).data().duplicate().order(tensor(name).data().order());
            float[] out = new float[data.remaining() / Float.BYTES];
            data.asFloatBuffer().get(out);
            return out;
        }
    }
}
