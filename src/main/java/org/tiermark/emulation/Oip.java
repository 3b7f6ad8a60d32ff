package org.tiermark.emulation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The wire format of the Open Inference Protocol (KServe v2) REST API: inference requests and
 * responses as JSON, optionally with the binary tensor extension (the JSON header, then each binary
 * tensor's bytes in order; the header's length in {@code Inference-Header-Content-Length}). Shared by
 * {@link TierAgent} and {@link InferenceClient} so both speak exactly the same format.
 */
public final class Oip {
    /** HTTP header giving the JSON header's length when binary tensors follow it. */
    public static final String HEADER_LENGTH = "Inference-Header-Content-Length";
    static final String BINARY_SIZE = "binary_data_size";

    // a plain mapper: the project's Json.MAPPER indents, which would only add bytes to every request
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Oip() {}

    /** An input or output of a model as its metadata declares it; {@code -1} in the shape means any size. */
    public record TensorSpec(String name, Datatype datatype, long[] shape) {
        public TensorSpec {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** Null if {@code t} fits this spec, else what is wrong with it. */
        public String mismatch(NamedTensor t) {
            if (t.datatype() != datatype) {
                return "tensor '" + t.name() + "' has datatype " + t.datatype() + ", expected " + datatype;
            }
            long[] s = t.shape();
            boolean fits = s.length == shape.length;
            for (int i = 0; fits && i < s.length; i++) {
                fits = shape[i] < 0 || shape[i] == s[i];
            }
            return fits ? null : "tensor '" + t.name() + "' has shape " + Arrays.toString(s) + ", expected "
                    + Arrays.toString(shape) + " (-1: any size)";
        }

        @Override
        public String toString() {
            return name + ":" + datatype + Arrays.toString(shape);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TensorSpec t && t.name.equals(name) && t.datatype == datatype && Arrays.equals(t.shape, shape);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(shape);
        }
    }

    /** A model's metadata ({@code GET /v2/models/{name}}). */
    public record ModelMetadata(String name, String platform, List<TensorSpec> inputs, List<TensorSpec> outputs) {
        public ModelMetadata {
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
        }

        public TensorSpec output(String tensor) {
            return outputs.stream().filter(o -> o.name().equals(tensor)).findFirst().orElse(null);
        }

        public TensorSpec input(String tensor) {
            return inputs.stream().filter(o -> o.name().equals(tensor)).findFirst().orElse(null);
        }
    }

    /** An encoded message body; {@code headerLength} is the JSON part (the whole body when no tensor is binary). */
    public record Body(byte[] bytes, int headerLength) {
        public boolean binary() {
            return headerLength < bytes.length;
        }
    }

    /** A decoded message: the JSON header and the tensors it carries. */
    public record Message(JsonNode header, List<NamedTensor> tensors) {}

    /** An inference request; with {@code binary} every input and every requested output travels as binary data. */
    public static Body request(String id, Collection<NamedTensor> inputs, boolean binary) {
        ObjectNode h = MAPPER.createObjectNode();
        if (id != null) {
            h.put("id", id);
        }
        if (binary) {
            h.putObject("parameters").put("binary_data_output", true);
        }
        return body(h, "inputs", inputs, binary);
    }

    /** An inference response; outputs named in {@code binaryOutputs} travel as binary data, the others as JSON. */
    public static Body response(String model, String id, Collection<NamedTensor> outputs, Set<String> binaryOutputs) {
        return response(model, id, outputs, binaryOutputs, -1);
    }

    /**
     * As {@link #response(String, String, Collection, Set)}; {@code relayedBytes} >= 0 (a relaying stage: what it
     * sent on to the next stage) travels as the response parameter {@value ServedModel#RELAYED_BYTES}.
     */
    public static Body response(String model, String id, Collection<NamedTensor> outputs, Set<String> binaryOutputs, long relayedBytes) {
        ObjectNode h = MAPPER.createObjectNode();
        h.put("model_name", model);
        if (id != null) {
            h.put("id", id);
        }
        if (relayedBytes >= 0) {
            h.putObject("parameters").put(ServedModel.RELAYED_BYTES, relayedBytes);
        }
        ArrayNode array = h.putArray("outputs");
        List<ByteBuffer> tail = new ArrayList<>();
        for (NamedTensor t : outputs) {
            tensorHeader(array.addObject(), t, binaryOutputs.contains(t.name()), tail);
        }
        return join(h, tail);
    }

    /** {@code {"error": message}}, the protocol's error body. */
    public static byte[] error(String message) {
        return MAPPER.createObjectNode().put("error", message).toString().getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] json(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** The metadata as JSON. */
    public static ObjectNode metadata(ModelMetadata m) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("name", m.name());
        n.putArray("versions").add("1");
        n.put("platform", m.platform());
        specs(n.putArray("inputs"), m.inputs());
        specs(n.putArray("outputs"), m.outputs());
        return n;
    }

    /** Parses metadata JSON; {@code where} names its origin in errors. */
    public static ModelMetadata parseMetadata(byte[] body, String where) {
        JsonNode n = parseJson(body, 0, body.length, where);
        return new ModelMetadata(text(n, "name", where), n.path("platform").asText(""),
                parseSpecs(n.path("inputs"), where + " inputs"), parseSpecs(n.path("outputs"), where + " outputs"));
    }

    /**
     * Parses a request or response body: {@code headerLength} is the value of
     * {@value #HEADER_LENGTH} (or -1 when absent: all JSON); {@code tensorsField} is {@code inputs} or
     * {@code outputs}. A malformed or truncated body is an {@link IllegalArgumentException} saying what is wrong.
     */
    public static Message parse(byte[] body, int headerLength, String tensorsField, String where) {
        int jsonLength = headerLength < 0 ? body.length : headerLength;
        if (jsonLength > body.length) {
            throw new IllegalArgumentException(where + ": truncated: " + HEADER_LENGTH + " is " + jsonLength
                    + " but the body has only " + body.length + " bytes");
        }
        JsonNode header = parseJson(body, 0, jsonLength, where);
        JsonNode array = header.get(tensorsField);
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException(where + ": field '" + tensorsField + "' must be an array");
        }
        ByteBuffer tail = ByteBuffer.wrap(body, jsonLength, body.length - jsonLength).slice();
        List<NamedTensor> tensors = new ArrayList<>();
        for (JsonNode t : array) {
            tensors.add(tensor(t, tail, where));
        }
        if (tail.hasRemaining()) {
            throw new IllegalArgumentException(where + ": " + tail.remaining()
                    + " bytes after the last binary tensor (binary_data_size values do not add up to the body)");
        }
        return new Message(header, tensors);
    }

    private static Body body(ObjectNode h, String field, Collection<NamedTensor> tensors, boolean binary) {
        ArrayNode array = h.putArray(field);
        List<ByteBuffer> tail = new ArrayList<>();
        for (NamedTensor t : tensors) {
            tensorHeader(array.addObject(), t, binary, tail);
        }
        return join(h, tail);
    }

    private static void tensorHeader(ObjectNode n, NamedTensor t, boolean binary, List<ByteBuffer> tail) {
        n.put("name", t.name());
        n.put("datatype", t.datatype().name());
        ArrayNode shape = n.putArray("shape");
        for (long d : t.shape()) {
            shape.add(d);
        }
        if (binary) {
            n.putObject("parameters").put(BINARY_SIZE, t.byteSize());
            tail.add(t.data());
        } else {
            writeData(n.putArray("data"), t);
        }
    }

    /** The JSON header and the binary tensors in one array, each tensor's bytes copied once. */
    private static Body join(ObjectNode h, List<ByteBuffer> tail) {
        byte[] json = json(h);
        long size = json.length;
        for (ByteBuffer b : tail) {
            size += b.remaining();
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("message of " + size + " bytes exceeds the 2 GB a request can hold");
        }
        byte[] all = Arrays.copyOf(json, (int) size);
        int at = json.length;
        for (ByteBuffer b : tail) {
            int n = b.remaining();
            b.duplicate().get(all, at, n);
            at += n;
        }
        return new Body(all, json.length);
    }

    private static NamedTensor tensor(JsonNode n, ByteBuffer tail, String where) {
        String name = text(n, "name", where);
        String at = where + " tensor '" + name + "'";
        Datatype type = Datatype.parse(text(n, "datatype", at), at);
        JsonNode shapeNode = n.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new IllegalArgumentException(at + ": field 'shape' must be an array of sizes");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!shapeNode.get(i).canConvertToLong() || shapeNode.get(i).asLong() < 0) {
                throw new IllegalArgumentException(at + ": shape " + shapeNode + " must hold sizes >= 0");
            }
            shape[i] = shapeNode.get(i).asLong();
        }
        long elements;
        try {
            elements = NamedTensor.elementCount(shape, name);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(at + ": shape " + shapeNode + " is too large");
        }
        JsonNode size = n.path("parameters").get(BINARY_SIZE);
        if (size != null) {
            long bytes = size.asLong(-1);
            // BYTES elements carry their own lengths: NamedTensor checks that they fill binary_data_size exactly
            if (type == Datatype.BYTES ? bytes < 0 : bytes != elements * type.elementBytes()) {
                throw new IllegalArgumentException(at + ": binary_data_size " + size + " does not match "
                        + type + Arrays.toString(shape) + " (" + elements * type.elementBytes() + " bytes)");
            }
            if (bytes > tail.remaining()) {
                throw new IllegalArgumentException(at + ": truncated: binary_data_size is " + bytes
                        + " but only " + tail.remaining() + " bytes of binary data remain");
            }
            ByteBuffer data = tail.slice().limit((int) bytes);
            tail.position(tail.position() + (int) bytes);
            return new NamedTensor(name, type, shape, data);
        }
        JsonNode data = n.get("data");
        if (data == null || !data.isArray()) {
            throw new IllegalArgumentException(at + ": neither 'data' nor parameter '" + BINARY_SIZE + "' given");
        }
        return new NamedTensor(name, type, shape, readData(data, type, elements, at));
    }

    private static ByteBuffer readData(JsonNode data, Datatype type, long elements, String at) {
        if (type == Datatype.FP16) {
            throw new IllegalArgumentException(at + ": FP16 has no JSON form; send it as binary data");
        }
        List<JsonNode> flat = new ArrayList<>();
        flatten(data, flat);
        if (flat.size() != elements) {
            throw new IllegalArgumentException(at + ": 'data' has " + flat.size() + " elements, the shape needs " + elements);
        }
        if (type == Datatype.BYTES) {
            return readStrings(flat, at);
        }
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(elements * type.elementBytes())).order(ByteOrder.LITTLE_ENDIAN);
        for (JsonNode v : flat) {
            if (type == Datatype.BOOL ? !v.isBoolean() : !v.isNumber()) {
                throw new IllegalArgumentException(at + ": element " + v + " is not a " + type);
            }
            switch (type) {
                case BOOL -> b.put((byte) (v.asBoolean() ? 1 : 0));
                case UINT8, INT8 -> b.put((byte) v.asInt());
                case INT16 -> b.putShort((short) v.asInt());
                case INT32 -> b.putInt(v.asInt());
                case INT64 -> b.putLong(v.asLong());
                case FP32 -> b.putFloat((float) v.asDouble());
                case FP64 -> b.putDouble(v.asDouble());
                default -> throw new IllegalStateException(type.name());
            }
        }
        return b.flip();
    }

    /** BYTES in JSON: each element a string, sent as its UTF-8 bytes. */
    private static ByteBuffer readStrings(List<JsonNode> flat, String at) {
        List<byte[]> elements = new ArrayList<>();
        int size = 0;
        for (JsonNode v : flat) {
            if (!v.isTextual()) {
                throw new IllegalArgumentException(at + ": element " + v + " is not a string (BYTES in JSON are strings)");
            }
            byte[] e = v.asText().getBytes(StandardCharsets.UTF_8);
            elements.add(e);
            size = Math.addExact(size, 4 + e.length);
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        elements.forEach(e -> b.putInt(e.length).put(e));
        return b.flip();
    }

    private static void flatten(JsonNode n, List<JsonNode> out) {
        if (n.isArray()) {
            n.forEach(c -> flatten(c, out));
        } else {
            out.add(n);
        }
    }

    private static void writeData(ArrayNode out, NamedTensor t) {
        if (t.datatype() == Datatype.BYTES) {
            t.elements().forEach(e -> out.add(new String(e, StandardCharsets.UTF_8)));
            return;
        }
        ByteBuffer b = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            switch (t.datatype()) {
                case BOOL -> out.add(b.get() != 0);
                case UINT8 -> out.add(b.get() & 0xff);
                case INT8 -> out.add(b.get());
                case INT16 -> out.add(b.getShort());
                case INT32 -> out.add(b.getInt());
                case INT64 -> out.add(b.getLong());
                case FP32 -> out.add(b.getFloat());
                case FP64 -> out.add(b.getDouble());
                case FP16 -> throw new IllegalArgumentException("tensor '" + t.name()
                        + "' is FP16, which has no JSON form: ask for binary data");
                case BYTES -> throw new IllegalStateException("written above");
            }
        }
    }

    private static void specs(ArrayNode out, List<TensorSpec> specs) {
        for (TensorSpec s : specs) {
            ObjectNode n = out.addObject();
            n.put("name", s.name());
            n.put("datatype", s.datatype().name());
            ArrayNode shape = n.putArray("shape");
            for (long d : s.shape()) {
                shape.add(d);
            }
        }
    }

    private static List<TensorSpec> parseSpecs(JsonNode array, String where) {
        if (!array.isArray()) {
            throw new IllegalArgumentException(where + ": must be an array");
        }
        List<TensorSpec> specs = new ArrayList<>();
        for (JsonNode n : array) {
            String name = text(n, "name", where);
            Datatype type = Datatype.parse(text(n, "datatype", where + " '" + name + "'"), where + " '" + name + "'");
            long[] shape = new long[n.path("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = n.path("shape").get(i).asLong();
            }
            specs.add(new TensorSpec(name, type, shape));
        }
        return specs;
    }

    private static JsonNode parseJson(byte[] body, int offset, int length, String where) {
        try {
            JsonNode n = MAPPER.readTree(body, offset, length);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException(where + ": the body is not a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": unreadable JSON: " + e.getMessage());
        }
    }

    private static String text(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new IllegalArgumentException(where + ": field '" + field + "' must be a non-empty string");
        }
        return v.asText();
    }
}
