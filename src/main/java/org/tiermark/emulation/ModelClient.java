package org.tiermark.emulation;

import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import org.tiermark.InvalidInputException;

/**
 * A client of one model on an Open Inference Protocol server, whatever the transport: the endpoint's
 * scheme picks it, {@code http://host:port} the REST API with binary tensors ({@link InferenceClient}),
 * {@code grpc://host:port} the gRPC service {@code inference.GRPCInferenceService} ({@link GrpcClient}).
 * Every failure is an {@link InferenceException} naming the endpoint and the model.
 */
public interface ModelClient extends AutoCloseable {
    /** The schemes {@link #connect} knows, in messages. */
    String SCHEMES = "http://host:port (REST) or grpc://host:port (gRPC)";

    /**
     * Connects over the transport the scheme names, checks that the server and the model are ready and
     * reads the model's metadata; {@code timeout} bounds connecting and each request.
     */
    static ModelClient connect(URI endpoint, String model, Duration timeout) {
        String scheme = endpoint.getScheme();
        if ("http".equals(scheme)) {
            return InferenceClient.connect(endpoint, model, timeout);
        }
        if ("grpc".equals(scheme)) {
            return GrpcClient.connect(endpoint, model, timeout);
        }
        throw new InvalidInputException("endpoint '" + endpoint + "' of model '" + model + "': scheme '" + scheme
                + "' is not a transport; use " + SCHEMES);
    }

    URI endpoint();

    String model();

    /** The model's inputs and outputs as the server declared them. */
    Oip.ModelMetadata metadata();

    /**
     * Runs the model on {@code inputs} and returns its outputs by name. The inputs are checked against the
     * metadata before sending; the answer must hold every declared output with its declared datatype and shape.
     */
    Map<String, NamedTensor> infer(Collection<NamedTensor> inputs);

    /**
     * What the server reported sending on to the next stage for the last {@link #infer} (the response parameter
     * {@code relayed_bytes} of a relaying tiermark agent), or -1 when it did not relay.
     */
    long lastRelayedBytes();

    /** Releases the connection. */
    @Override
    void close();
}
