package org.tiermark.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Serializes named tensors to bytes and back, so that what crosses a link is a real payload whose
 * size was measured. Format (little-endian): int count, then per tensor: name (int length + UTF-8),
 * type (int {@link OnnxJavaType#value}), int rank, long[rank] shape, int byte length, data.
 */
public final class TensorCodec {
        private TensorCodec() {}

    /** A tensor decoded from a payload; {@code data} is a little-endian direct slice of it. */
    public record Decoded(String name, OnnxJavaType type, long[] shape, ByteBuffer data) {
        public OnnxTensor toOnnx(OrtEnvironment env) throws OrtException {
            return OnnxTensor.createTensor(env, data.duplicate().order(ByteOrder.nativeOrder()), shape, type);
        }
    }

    /**
     * Writes the tensors into {@code target} (cleared first; grown if too small) and returns the
     * buffer holding the payload between 0 and its limit.
     */
    public static ByteBuffer encode(Map<String, ? extends OnnxTensor> tensors, ByteBuffer target) {
        return encode(tensors, OnnxTensor::getByteBuffer, target);
    }

    /**
     * As {@link #encode(Map, ByteBuffer)}, reading each tensor's bytes through {@code bytesOf}
     * (a caller that owns a tensor's direct buffer passes it to avoid a copy out of native memory).
     */
    public static ByteBuffer encode(Map<String, ? extends OnnxTensor> tensors, Function<OnnxTensor, ByteBuffer> bytesOf,
                                    ByteBuffer target) {
        List<byte[]> names = new ArrayList<>(tensors.size());
        List<ByteBuffer> datas = new ArrayList<>(tensors.size());
        int size = 4;
        for (Map.Entry<String, ? extends OnnxTensor> e : tensors.entrySet()) {
            TensorInfo info = e.getValue().getInfo();
            if (info.type == OnnxJavaType.STRING || info.type == OnnxJavaType.UNKNOWN) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has type " + info.type
                        + ": only numeric tensors can cross a link");
            }
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            ByteBuffer data = bytesOf.apply(e.getValue());
            names.add(name);
            datas.add(data);
            size += 4 + name.length + 4 + 4 + 8 * info.getShape().length + 4 + data.remaining();
        }
        ByteBuffer out = target != null && target.capacity() >= size ? target.clear()
                : ByteBuffer.allocateDirect(Math.max(size, target == null ? 0 : target.capacity() * 2));
        out.order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(tensors.size());
        int i = 0;
        for (OnnxTensor t : tensors.values()) {
            TensorInfo info = t.getInfo();
            out.putInt(names.get(i).length).put(names.get(i));
            out.putInt(info.type.value);
            long[] shape = info.getShape();
            out.putInt(shape.length);
            for (long d : shape) {
                out.putLong(d);
            }
            ByteBuffer data = datas.get(i).order(ByteOrder.nativeOrder());
            out.putInt(data.remaining());
            if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
                out.put(data);
            } else {
                putLittleEndian(out, data, info.type);
            }
            i++;
        }
        out.flip();
        return out;
    }

    /** Decodes a payload written by {@link #encode}; the returned tensors share its memory. */
    public static List<Decoded> decode(ByteBuffer payload) {
        ByteBuffer in = payload.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int count = in.getInt();
        if (count < 0 || count > 4096) {
            throw new IllegalArgumentException("corrupt tensor payload: " + count + " tensors");
        }
        List<Decoded> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] name = new byte[in.getInt()];
            in.get(name);
            OnnxJavaType type = OnnxJavaType.mapFromInt(in.getInt());
            if (type == OnnxJavaType.UNKNOWN || type == OnnxJavaType.STRING) {
                throw new IllegalArgumentException("corrupt tensor payload: tensor type " + type);
            }
            long[] shape = new long[in.getInt()];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = in.getLong();
            }
            int length = in.getInt();
            ByteBuffer data = in.slice(in.position(), length).order(ByteOrder.LITTLE_ENDIAN);
            in.position(in.position() + length);
            out.add(new Decoded(new String(name, StandardCharsets.UTF_8), type, shape, data));
        }
        return out;
    }

    private static void putLittleEndian(ByteBuffer out, ByteBuffer data, OnnxJavaType type) {
        switch (type.size) {
            case 8 -> { while (data.hasRemaining()) { out.putLong(data.getLong()); } }
            case 4 -> { while (data.hasRemaining()) { out.putInt(data.getInt()); } }
            case 2 -> { while (data.hasRemaining()) { out.putShort(data.getShort()); } }
            default -> out.put(data);
        }
    }
}
