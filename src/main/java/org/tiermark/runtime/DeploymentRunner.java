package org.tiermark.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tiermark.InvalidInputException;
import org.tiermark.data.Preprocessor;
import org.tiermark.operator.Variant;
import org.tiermark.tier.DeploymentProfile;
import org.tiermark.tier.LinkCost;
import org.tiermark.tier.LinkDelay;
import org.tiermark.tier.LinkProfile;
import org.tiermark.tier.Profiles;
import org.tiermark.tier.Profiles.Hop;
import org.tiermark.tier.TierProfile;

/**
 * Executes one variant on one deployment: each stage is a {@link Stage} on its tier (by default an
 * ONNX Runtime session in this process), and every tensor that changes tier is serialized, charged to
 * the links it crosses and deserialized on the other side. One {@link #run} is one request: captured
 * on the origin, answered back to it.
 *
 * <p>How time enters a call is chosen by {@link Costs}, links and compute independently. With
 * {@code ComputeEmulation.STRETCH} each compute step (preprocessing, a stage run, encoding or decoding
 * a payload) is timed on this machine and then stretched by its tier's {@code 1 / relativeSpeed} with a
 * precise wait; with {@code LinkCost.SIMULATED} each hop waits the link model's time for the payload's
 * measured size. Both waits happen inside the call, so the wall time of the call is the end-to-end
 * latency. {@link Breakdown} keeps the raw compute, the stretch and the transfer apart.
 *
 * <p>With a real link cost ({@code emulated}, {@code remote}) a stage that is not {@link Stage#local()}
 * sends its inputs over the real network itself: the runner neither encodes them for it nor waits, and
 * its call is neither stretched nor counted as compute here ({@link Breakdown#remoteNanos}). The origin
 * A first stage that {@link Stage#takesRawInput()} gets the raw input (the encoded image, the UTF-8 text) and
 * preprocesses on its tier, as the simulated model charges the first hop; otherwise the origin prepares the
 * raw input itself and the prepared tensors cross the first link.</p>
 *
 * <p>Not thread-safe: a runner reuses its buffers across calls, and the {@link Answer} of one call
 * is valid until the next. Over 400 lines: the hops of one request (simulated, real, raw, relayed) share
 * its buffers and its {@link Breakdown}, which splitting would pass around.
 */
public final class DeploymentRunner implements AutoCloseable {
    private final OrtEnvironment env;
    private final Variant variant;
    private final DeploymentProfile deployment;
    private final Costs costs;
    private final Preprocessor preprocessor;
    private final TierProfile origin;
    private final List<Stage> stages = new ArrayList<>();
    /** The tier of each stage, by index. */
    private final List<TierProfile> tiers = new ArrayList<>();
    private final List<Hop> hops;
    private final ByteBuffer[] payloads;
    private final LinkDelay.Jitter jitter = new LinkDelay.Jitter();
    /** Each link direction's shaper bucket over this runner's requests: it refills in the real time between them. */
    private final LinkDelay.Buckets buckets = new LinkDelay.Buckets();
    private final Breakdown last;

    private DeploymentRunner(OrtEnvironment env, Variant variant, DeploymentProfile deployment, Profiles profiles,
                             Costs costs, Preprocessor preprocessor) {
        this.env = env;
        this.variant = variant;
        this.deployment = deployment;
        this.costs = costs;
        this.preprocessor = preprocessor;
        this.origin = profiles.tier(DeploymentProfile.ORIGIN);
        this.hops = profiles.hops(deployment);
        this.payloads = new ByteBuffer[hops.size()];
        this.last = new Breakdown(hops.size(), deployment.stageCount());
    }

    /**
     * Opens a local ONNX Runtime session per stage and checks that the variant fits the deployment.
     * The preprocessor is owned by the runner from then on and closed with it.
     */
    public static DeploymentRunner open(OrtEnvironment env, Variant variant, DeploymentProfile deployment,
                                        Profiles profiles, Costs costs, Preprocessor preprocessor)
            throws OrtException {
        return open(env, variant, deployment, profiles, costs, preprocessor, LocalStage.opener(env));
    }

    /** As {@link #open(OrtEnvironment, Variant, DeploymentProfile, Profiles, Costs, Preprocessor)}, with stages from {@code opener}. */
    public static DeploymentRunner open(OrtEnvironment env, Variant variant, DeploymentProfile deployment,
                                        Profiles profiles, Costs costs, Preprocessor preprocessor,
                                        Stage.Opener opener) throws OrtException {
        try {
            if (variant.stageCount() != deployment.stageCount()) {
                throw new InvalidInputException("deployment '" + deployment.name() + "' places " + deployment.stageCount()
                        + " stage(s) but variant " + variant.model() + "/" + variant.operator() + " has "
                        + variant.stageCount() + (deployment.stageCount() > variant.stageCount()
                        ? "; split deployments need the partition operator (e.g. operator 'partition')" : ""));
            }
            profiles.checkDeployable(deployment, costs.compute());
        } catch (RuntimeException e) {
            preprocessor.close();
            throw e;
        }
        DeploymentRunner r = new DeploymentRunner(env, variant, deployment, profiles, costs, preprocessor);
        try {
            for (int i = 0; i < deployment.stageCount(); i++) {
                TierProfile tier = profiles.tier(deployment.stages().get(i));
                r.stages.add(opener.open(i, variant.stages().get(i), tier));
                r.tiers.add(tier);
            }
            return r;
        } catch (OrtException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    /** One request end to end. The answer's buffers are reused by the next call. */
    public Answer run(byte[] raw) throws OrtException {
        Breakdown b = last;
        b.reset();
        long start = System.nanoTime();
        List<AutoCloseable> toClose = new ArrayList<>();
        try {
            Map<String, OnnxTensor> reached = stages.get(0).takesRawInput() ? Map.of() : firstHop(raw, toClose);
            Map<String, OnnxTensor> outputs = stages.get(0).takesRawInput() ? rawToStage(raw) : runStage(0, reached);
            for (int i = 1; i < stages.size(); i++) {
                if (stages.get(i).relayed()) {
                    last.bytes[i] = relayedBytes(i);
                    continue; // the previous stage's server ran it: its outputs came back with that stage's answer
                }
                Map<String, OnnxTensor> available = new LinkedHashMap<>(reached);
                available.putAll(outputs);
                Map<String, OnnxTensor> send = new LinkedHashMap<>();
                for (String name : stages.get(i).inputNames()) {
                    if (available.containsKey(name)) {
                        send.put(name, available.get(name));
                    }
                }
                reached = crossToStage(i, send, toClose);
                outputs = runStage(i, reached);
            }
            Answer answer = returnHop(outputs);
            b.totalNanos = System.nanoTime() - start;
            return answer;
        } finally {
            for (Stage stage : stages) {
                stage.release();
            }
            for (int i = toClose.size() - 1; i >= 0; i--) {
                try {
                    toClose.get(i).close();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot close a native handle", e);
                }
            }
        }
    }

    /**
     * The first call. Each local stage measures its resident-memory growth during its first run
     * (ONNX Runtime allocates its arenas then), which tells whether the variant fits each tier.
     */
    public Answer warmUp(byte[] raw) throws OrtException {
        return run(raw);
    }

    /**
     * Hop 0: the raw input from the origin to the first stage. Preprocessing runs where the
     * deployment says: on the first stage's tier when the raw bytes travel (or nothing travels), else
     * on the origin, whose prepared tensors then travel. A stage that takes raw bytes itself (a remote
     * server with its own tokenizer) would be served here, before preprocessing.
     */
    private Map<String, OnnxTensor> firstHop(byte[] raw, List<AutoCloseable> toClose) throws OrtException {
        Hop hop = hops.get(0);
        if (sendsItself(0)) {
            long t = System.nanoTime();
            Map<String, OnnxTensor> prepared = track(preprocessor.prepare(raw), toClose);
            compute(origin, t, -1);
            last.bytes[0] = rawBytes(prepared);
            return prepared;
        }
        if (deployment.firstHop() == DeploymentProfile.FirstHop.RAW || hop.links().isEmpty()) {
            last.bytes[0] = hop.links().isEmpty() ? 0 : raw.length;
            transfer(0, last.bytes[0]);
            long t = System.nanoTime();
            Map<String, OnnxTensor> prepared = track(preprocessor.prepare(raw), toClose);
            compute(tiers.get(0), t, -1);
            return prepared;
        }
        long t = System.nanoTime();
        ByteBuffer payload = encode(0, track(preprocessor.prepare(raw), toClose));
        compute(origin, t, -1);
        last.bytes[0] = payload.limit();
        transfer(0, payload.limit());
        t = System.nanoTime();
        Map<String, OnnxTensor> decoded = decode(payload, toClose);
        compute(tiers.get(0), t, 0);
        return decoded;
    }

    /**
     * Hop 0 and stage 0 when the first stage takes the raw input itself (a remote stage whose server
     * preprocesses): the raw bytes travel whatever the deployment's first hop says, and the stage's
     * time holds the preprocessing.
     */
    private Map<String, OnnxTensor> rawToStage(byte[] raw) throws OrtException {
        last.bytes[0] = hops.get(0).links().isEmpty() ? 0 : raw.length;
        transfer(0, last.bytes[0]);
        return call(0, () -> stages.get(0).runRaw(raw));
    }

    /** The bytes stage {@code i - 1}'s server relayed to stage {@code i}; a server that did not relay is an error naming both tiers. */
    private long relayedBytes(int i) {
        long bytes = stages.get(i - 1).relayedBytes();
        if (bytes < 0) {
            throw new IllegalStateException("stage " + (i - 1) + " on tier '" + tiers.get(i - 1).name() + "' (" + stages.get(i - 1)
                    + ") answered without relaying to stage " + i + " on tier '" + tiers.get(i).name() + "' (" + stages.get(i)
                    + "): serve it with tiermark agent --next");
        }
        return bytes;
    }

    /** Runs stage {@code i} on what reached it; its outputs stay valid until its next run. */
    private Map<String, OnnxTensor> runStage(int i, Map<String, OnnxTensor> reached) throws OrtException {
        Stage stage = stages.get(i);
        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        for (String name : stage.inputNames()) {
            OnnxTensor t = reached.get(name);
            if (t == null) {
                throw new InvalidInputException("stage " + i + " of " + variant.model() + "/" + variant.operator()
                        + " needs input '" + name + "' but only " + reached.keySet() + " reach it");
            }
            inputs.put(name, t);
        }
        return call(i, () -> stage.run(inputs));
    }

    /** One call of a stage, {@link Stage#run} or {@link Stage#runRaw}. */
    @FunctionalInterface
    private interface StageCall {
        Map<String, OnnxTensor> call() throws OrtException;
    }

    /**
     * Times stage {@code i}'s call: a local stage's as its tier's compute (stretched); a stage on a real tier's as
     * {@link Breakdown#remoteNanos}, its failure naming the stage's tier and server.
     */
    private Map<String, OnnxTensor> call(int i, StageCall c) throws OrtException {
        Stage stage = stages.get(i);
        long t = System.nanoTime();
        Map<String, OnnxTensor> outputs;
        try {
            outputs = c.call();
        } catch (RuntimeException e) {
            if (stage.local()) {
                throw e;
            }
            String message = String.valueOf(e.getMessage());
            String where = message.contains(stage.toString()) ? "" : " (" + stage + ")";
            throw new IllegalStateException("stage " + i + " on tier '" + tiers.get(i).name() + "'" + where + ": " + message, e);
        }
        if (stage.local()) {
            compute(tiers.get(i), t, i);
        } else {
            long nanos = System.nanoTime() - t;
            last.remoteNanos += nanos;
            last.stageComputeNanos[i] += nanos;
        }
        return outputs;
    }

    /** Hop {@code i}: from stage {@code i - 1} to stage {@code i}, serialized when it crosses a link. */
    private Map<String, OnnxTensor> crossToStage(int i, Map<String, OnnxTensor> send, List<AutoCloseable> toClose)
            throws OrtException {
        if (hops.get(i).links().isEmpty()) {
            return send;
        }
        if (sendsItself(i)) {
            last.bytes[i] = rawBytes(send);
            return send;
        }
        ByteBuffer payload = sendOver(i, send);
        long t = System.nanoTime();
        Map<String, OnnxTensor> decoded = decode(payload, toClose);
        compute(tiers.get(i), t, i);
        return decoded;
    }

    /** The last hop: the last stage's outputs back to the origin, as the answer. */
    private Answer returnHop(Map<String, OnnxTensor> outputs) {
        int lastStage = stages.size() - 1;
        int hop = stages.size();
        if (hops.get(hop).links().isEmpty() || (costs.link().real() && !stages.get(lastStage).local())) {
            // a stage on a real tier answered over the real link: its outputs are already here
            if (!hops.get(hop).links().isEmpty()) {
                last.bytes[hop] = rawBytes(outputs);
            }
            long t = System.nanoTime();
            Answer answer = Answer.of(outputs, this::bytesOf);
            boolean here = hops.get(hop).links().isEmpty();
            compute(here ? tiers.get(lastStage) : origin, t, here ? lastStage : -1);
            return answer;
        }
        ByteBuffer payload = sendOver(hop, outputs);
        long t = System.nanoTime();
        Answer answer = new Answer(TensorCodec.decode(payload));
        compute(origin, t, -1);
        return answer;
    }

    /** Encodes on the sending stage's tier and charges the payload to hop {@code hop}'s links. */
    private ByteBuffer sendOver(int hop, Map<String, OnnxTensor> tensors) {
        long t = System.nanoTime();
        ByteBuffer payload = encode(hop, tensors);
        compute(tiers.get(hop - 1), t, hop - 1);
        last.bytes[hop] = payload.limit();
        transfer(hop, payload.limit());
        return payload;
    }

    /** True when stage {@code i} is on a real tier and sends what reaches it over the real link itself. */
    private boolean sendsItself(int i) {
        return costs.link().real() && !stages.get(i).local() && !hops.get(i).links().isEmpty();
    }

    /** Bytes of the tensors' data, as a real link carries them (without the protocol's header). */
    private static long rawBytes(Map<String, OnnxTensor> tensors) {
        long sum = 0;
        for (OnnxTensor t : tensors.values()) {
            long n = t.getInfo().getNumElements();
            sum += n * Math.max(1, t.getInfo().type.size);
        }
        return sum;
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

    /** A tensor's bytes: the buffer of the stage that owns it, else a copy out of native memory. */
    private ByteBuffer bytesOf(OnnxTensor t) {
        for (Stage s : stages) {
            ByteBuffer own = s.ownBytes(t);
            if (own != null) {
                return own;
            }
        }
        return t.getByteBuffer();
    }

    /** Charges compute that started at {@code startNanos} to {@code tier}, stretching it when compute is emulated. */
    private void compute(TierProfile tier, long startNanos, int stageIndex) {
        long measured = System.nanoTime() - startNanos;
        long extra = costs.compute().extraNanos(tier, measured);
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
        if (costs.link() != LinkCost.SIMULATED) {
            return;
        }
        Hop h = hops.get(hop);
        // the time since each direction last carried a message is real (every wait in a call is), so the bucket's
        // refill is the time that really passed
        long nanos = LinkDelay.transferNanos(h.links(), h.from(), bytes, jitter, buckets, System.nanoTime());
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

    public Costs costs() {
        return costs;
    }

    /** Per stage: its tier, file size, and resident memory growth at creation and first run, against the tier's budget. */
    public List<StageReport.StageMemory> stageMemory() {
        List<StageReport.StageMemory> out = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            Stage.Memory m = stages.get(i).memory();
            out.add(StageReport.StageMemory.of(i, tiers.get(i).name(), m.fileBytes(), m.creationRssBytes(),
                    m.firstRunRssBytes(), tiers.get(i).memoryBudgetMb()));
        }
        return out;
    }

    /** The stage file of a trial of {@code benchmark}: stage memory and the last call's payload per hop. */
    public StageReport stageReport(String benchmark) {
        List<StageReport.HopPayload> hopPayloads = new ArrayList<>();
        for (int i = 0; i < hops.size(); i++) {
            hopPayloads.add(new StageReport.HopPayload(hops.get(i).label(), last.bytes[i],
                    hops.get(i).links().stream().map(LinkProfile::name).toList()));
        }
        return new StageReport(StageReport.SCHEMA_VERSION, benchmark, variant.model(), variant.operator(),
                deployment.name(), stageMemory(), hopPayloads);
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (int i = stages.size() - 1; i >= 0; i--) {
            try {
                stages.get(i).close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        stages.clear();
        preprocessor.close();
        if (failure != null) {
            throw failure;
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
