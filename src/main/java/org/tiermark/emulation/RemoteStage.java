package org.tiermark.emulation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.tiermark.runtime.Stage;

/**
 * A stage served by a tier agent or any Open Inference Protocol server, over REST or gRPC (the
 * endpoint's scheme picks, see {@link ModelClient}): the runner's named tensors go out as binary tensors and the answer comes back as tensors this stage owns until its release. The
 * call's wall time holds the real transfer, so pair it with link cost {@code off} (the network is the link).
 */
public final class RemoteStage implements Stage {
    private final OrtEnvironment env;
    private final ModelClient client;
    private final List<String> inputNames;
    private final List<OnnxTensor> owned = new ArrayList<>();

    private RemoteStage(OrtEnvironment env, ModelClient client) {
        this.env = env;
        this.client = client;
        this.inputNames = client.metadata().inputs().stream().map(Oip.TensorSpec::name).toList();
    }

    /**
     * Where stage {@code i} of a variant is served.
     *
     * @param endpoint the server, e.g. {@code http://198.18.0.2:8000} (REST) or {@code grpc://198.18.0.2:8001} (gRPC)
     * @param model    the model name the server knows the stage by
     */
    public record Served(URI endpoint, String model) {}

    /**
     * Opens each stage as the model {@code served.apply(i)} names; readiness and metadata are checked on
     * opening (an unreachable or not-ready server is an error naming the endpoint and model).
     */
    public static Stage.Opener opener(OrtEnvironment env, IntFunction<Served> served, Duration timeout) {
        return (index, file, tier) -> {
            Served s = served.apply(index);
            return new RemoteStage(env, ModelClient.connect(s.endpoint(), s.model(), timeout));
        };
    }

    @Override
    public List<String> inputNames() {
        return inputNames;
    }

    /** True when the server serves the stage with its preprocessing: its one input is a BYTES element. */
    @Override
    public boolean takesRawInput() {
        List<Oip.TensorSpec> in = client.metadata().inputs();
        return in.size() == 1 && in.get(0).datatype() == Datatype.BYTES;
    }

    /** Sends the raw input as one BYTES element; the server preprocesses it and runs the stage. */
    @Override
    public Map<String, OnnxTensor> runRaw(byte[] raw) throws OrtException {
        if (!takesRawInput()) {
            throw new IllegalStateException("model '" + client.model() + "' at " + client.endpoint()
                    + " takes tensors " + client.metadata().inputs() + ", not the raw input");
        }
        release();
        return own(client.infer(List.of(NamedTensor.bytes(inputNames.get(0), raw))));
    }

    @Override
    public Map<String, OnnxTensor> run(Map<String, OnnxTensor> inputs) throws OrtException {
        release();
        List<NamedTensor> out = new ArrayList<>(inputNames.size());
        for (String name : inputNames) {
            OnnxTensor t = inputs.get(name);
            if (t == null) {
                throw new IllegalStateException("model '" + client.model() + "' at " + client.endpoint() + " needs input '"
                        + name + "'; the runner gave " + inputs.keySet());
            }
            out.add(NamedTensor.of(name, t));
        }
        return own(client.infer(out));
    }

    private Map<String, OnnxTensor> own(Map<String, NamedTensor> answer) throws OrtException {
        Map<String, OnnxTensor> result = new LinkedHashMap<>();
        for (Map.Entry<String, NamedTensor> e : answer.entrySet()) {
            OnnxTensor t = e.getValue().toOnnx(env);
            owned.add(t);
            result.put(e.getKey(), t);
        }
        return result;
    }

    @Override
    public long relayedBytes() {
        return client.lastRelayedBytes();
    }

    /** The call holds the link and the server's compute: nothing here stretches it. */
    @Override
    public boolean local() {
        return false;
    }

    /** Where the stage is served: {@code model 'm' at http://host:port}, for errors naming tier and endpoint. */
    @Override
    public String toString() {
        return "model '" + client.model() + "' at " + client.endpoint();
    }

    @Override
    public void release() {
        owned.forEach(OnnxTensor::close);
        owned.clear();
    }

    /** Memory is the server's: not measured from here. */
    @Override
    public Memory memory() {
        return new Memory(-1, -1, -1);
    }

    @Override
    public void close() {
        release();
        client.close();
    }
}
