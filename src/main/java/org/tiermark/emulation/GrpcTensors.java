package org.tiermark.emulation;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import org.tiermark.emulation.grpc.GrpcPredictV2.InferParameter;
import org.tiermark.emulation.grpc.GrpcPredictV2.ModelInferRequest;
import org.tiermark.emulation.grpc.GrpcPredictV2.ModelInferResponse;
import org.tiermark.emulation.grpc.GrpcPredictV2.ModelMetadataResponse;

/**
 * Named tensors to and from the gRPC messages of the Open Inference Protocol. The data always travels
 * as raw contents ({@code raw_input_contents}, {@code raw_output_contents}): the same little-endian bytes
 * as the REST binary extension, one entry per tensor in order. Malformed messages are an
 * {@link IllegalArgumentException} saying what is wrong.
 */
final class GrpcTensors {
    private GrpcTensors() {}

    static ModelInferRequest request(String model, String id, List<NamedTensor> inputs) {
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName(model).setId(id);
        for (NamedTensor t : inputs) {
            ModelInferRequest.InferInputTensor.Builder in = b.addInputsBuilder().setName(t.name()).setDatatype(t.datatype().name());
            for (long d : t.shape()) {
                in.addShape(d);
            }
            b.addRawInputContents(ByteString.copyFrom(t.data().duplicate()));
        }
        return b.build();
    }

    /** The request's inputs; each one's bytes are a read-only view of the message, not a copy. */
    static List<NamedTensor> inputs(ModelInferRequest r, String where) {
        if (r.getRawInputContentsCount() != r.getInputsCount()) {
            throw new IllegalArgumentException(where + ": " + r.getInputsCount() + " inputs but " + r.getRawInputContentsCount()
                    + " raw_input_contents; the agent takes each input's data in raw_input_contents (typed 'contents' are not served)");
        }
        List<NamedTensor> out = new ArrayList<>(r.getInputsCount());
        for (int i = 0; i < r.getInputsCount(); i++) {
            ModelInferRequest.InferInputTensor t = r.getInputs(i);
            String at = where + " input '" + t.getName() + "'";
            out.add(new NamedTensor(t.getName(), Datatype.parse(t.getDatatype(), at), shape(t.getShapeList(), at),
                    r.getRawInputContents(i).asReadOnlyByteBuffer()));
        }
        return out;
    }

    /** An answer; {@code relayedBytes} >= 0 (a relaying stage) travels as the parameter {@value ServedModel#RELAYED_BYTES}. */
    static ModelInferResponse response(String model, String id, List<NamedTensor> outputs, long relayedBytes) {
        ModelInferResponse.Builder b = ModelInferResponse.newBuilder().setModelName(model).setId(id);
        if (relayedBytes >= 0) {
            b.putParameters(ServedModel.RELAYED_BYTES, InferParameter.newBuilder().setInt64Param(relayedBytes).build());
        }
        for (NamedTensor t : outputs) {
            ModelInferResponse.InferOutputTensor.Builder out = b.addOutputsBuilder().setName(t.name()).setDatatype(t.datatype().name());
            for (long d : t.shape()) {
                out.addShape(d);
            }
            b.addRawOutputContents(ByteString.copyFrom(t.data().duplicate()));
        }
        return b.build();
    }

    /** The answer's outputs; each one's bytes are a read-only view of the message. */
    static List<NamedTensor> outputs(ModelInferResponse r) {
        if (r.getRawOutputContentsCount() != r.getOutputsCount()) {
            throw new IllegalArgumentException("answered " + r.getOutputsCount() + " outputs but "
                    + r.getRawOutputContentsCount() + " raw_output_contents (typed 'contents' are not read)");
        }
        List<NamedTensor> out = new ArrayList<>(r.getOutputsCount());
        for (int i = 0; i < r.getOutputsCount(); i++) {
            ModelInferResponse.InferOutputTensor t = r.getOutputs(i);
            String at = "output '" + t.getName() + "'";
            out.add(new NamedTensor(t.getName(), Datatype.parse(t.getDatatype(), at), shape(t.getShapeList(), at),
                    r.getRawOutputContents(i).asReadOnlyByteBuffer()));
        }
        return out;
    }

    static ModelMetadataResponse metadata(Oip.ModelMetadata m) {
        ModelMetadataResponse.Builder b = ModelMetadataResponse.newBuilder().setName(m.name()).addVersions("1").setPlatform(m.platform());
        m.inputs().forEach(s -> b.addInputs(spec(s)));
        m.outputs().forEach(s -> b.addOutputs(spec(s)));
        return b.build();
    }

    static Oip.ModelMetadata metadata(ModelMetadataResponse r) {
        List<Oip.TensorSpec> in = new ArrayList<>();
        r.getInputsList().forEach(t -> in.add(spec(t, "metadata input")));
        List<Oip.TensorSpec> out = new ArrayList<>();
        r.getOutputsList().forEach(t -> out.add(spec(t, "metadata output")));
        return new Oip.ModelMetadata(r.getName(), r.getPlatform(), in, out);
    }

    private static ModelMetadataResponse.TensorMetadata spec(Oip.TensorSpec s) {
        ModelMetadataResponse.TensorMetadata.Builder b = ModelMetadataResponse.TensorMetadata.newBuilder()
                .setName(s.name()).setDatatype(s.datatype().name());
        for (long d : s.shape()) {
            b.addShape(d);
        }
        return b.build();
    }

    private static Oip.TensorSpec spec(ModelMetadataResponse.TensorMetadata t, String where) {
        String at = where + " '" + t.getName() + "'";
        long[] shape = t.getShapeList().stream().mapToLong(Long::longValue).toArray();
        return new Oip.TensorSpec(t.getName(), Datatype.parse(t.getDatatype(), at), shape);
    }

    private static long[] shape(List<Long> dims, String where) {
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i);
            if (shape[i] < 0) {
                throw new IllegalArgumentException(where + ": shape " + dims + " must hold sizes >= 0");
            }
        }
        return shape;
    }
}
