package org.tiermark.emulation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A tensor as the Open Inference Protocol moves it: name, datatype, shape and its elements as
 * little-endian, row-major bytes without padding (the binary tensor extension's layout); a BYTES
 * element is a 4-byte little-endian length followed by that many bytes.
 *
 * @param data read-only view of exactly {@code elements * elementBytes} bytes, little-endian (BYTES: the
 *             elements with their lengths, nothing after the last)
 */
public record NamedTensor(String name, Datatype datatype, long[] shape, ByteBuffer data) {
    public NamedTensor {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a tensor needs a name");
        }
        shape = shape.clone();
        if (datatype == Datatype.BYTES) {
            checkBytes(name, shape, data);
        }
        long expected = datatype == Datatype.BYTES ? data.remaining() : elementCount(shape, name) * datatype.elementBytes();
        if (data.remaining() != expected) {
            throw new IllegalArgumentException("tensor '" + name + "' " + datatype + Arrays.toString(shape) + " needs "
                    + expected + " bytes, got " + data.remaining());
        }
        data = data.slice().order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A float tensor, e.g. for tests and benchmarks. */
    public static NamedTensor floats(String name, float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new NamedTensor(name, Datatype.FP32, shape, b);
    }

    /** One BYTES element of shape [1]: a raw input (encoded image, UTF-8 text) as it travels on a first hop. */
    public static NamedTensor bytes(String name, byte[] element) {
        ByteBuffer b = ByteBuffer.allocate(4 + element.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(element.length).put(element).flip();
        return new NamedTensor(name, Datatype.BYTES, new long[] {1}, b);
    }

    /** The elements of a BYTES tensor, each its own array. */
    public List<byte[]> elements() {
        if (datatype != Datatype.BYTES) {
            throw new IllegalStateException("tensor '" + name + "' is " + datatype + ", not BYTES");
        }
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> out = new ArrayList<>();
        while (b.hasRemaining()) {
            byte[] e = new byte[b.getInt()];
            b.get(e);
            out.add(e);
        }
        return out;
    }

    /** BYTES: exactly as many length-prefixed elements as the shape holds, and nothing after them. */
    private static void checkBytes(String name, long[] shape, ByteBuffer data) {
        long elements = elementCount(shape, name);
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < elements; i++) {
            if (b.remaining() < 4) {
                throw new IllegalArgumentException("tensor '" + name + "' BYTES" + Arrays.toString(shape) + ": element " + i
                        + " of " + elements + " has no 4-byte length (" + b.remaining() + " bytes left)");
            }
            int length = b.getInt();
            if (length < 0 || length > b.remaining()) {
                throw new IllegalArgumentException("tensor '" + name + "' BYTES" + Arrays.toString(shape) + ": element " + i
                        + " announces " + Integer.toUnsignedString(length) + " bytes but " + b.remaining() + " remain");
            }
            b.position(b.position() + length);
        }
        if (b.hasRemaining()) {
            throw new IllegalArgumentException("tensor '" + name + "' BYTES" + Arrays.toString(shape) + ": " + b.remaining()
                    + " bytes after its " + elements + " element(s)");
        }
    }

    /** Copies an ONNX Runtime tensor out of native memory. */
    public static NamedTensor of(String name, OnnxTensor tensor) {
        Datatype type = Datatype.of(tensor.getInfo().type, "tensor '" + name + "'");
        ByteBuffer native_ = tensor.getByteBuffer().order(ByteOrder.nativeOrder());
        ByteBuffer copy = ByteBuffer.allocate(native_.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            copy.put(native_).flip();
        } else {
            swap(native_, copy, type.elementBytes());
        }
        return new NamedTensor(name, type, tensor.getInfo().getShape(), copy);
    }

    /** A new ONNX Runtime tensor over a direct copy of the data; the caller closes it. */
    public OnnxTensor toOnnx(OrtEnvironment env) throws OrtException {
        if (datatype == Datatype.BYTES) {
            throw new IllegalArgumentException("tensor '" + name + "' is BYTES, a raw input: it is preprocessed, not fed to ONNX Runtime");
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(data.remaining()).order(ByteOrder.nativeOrder());
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            direct.put(data.duplicate()).flip();
        } else {
            swap(data.duplicate(), direct, datatype.elementBytes());
        }
        return OnnxTensor.createTensor(env, direct, shape.clone(), datatype.onnxType());
    }

    /** The elements as floats (FP32 only). */
    public float[] toFloats() {
        if (datatype != Datatype.FP32) {
            throw new IllegalStateException("tensor '" + name + "' is " + datatype + ", not FP32");
        }
        float[] v = new float[data.remaining() / 4];
        data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    public long byteSize() {
        return data.remaining();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    static long elementCount(long[] shape, String name) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                        + " has a negative dimension");
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static void swap(ByteBuffer from, ByteBuffer to, int width) {
        byte[] element = new byte[width];
        while (from.remaining() >= width) {
            from.get(element);
            for (int i = width - 1; i >= 0; i--) {
                to.put(element[i]);
            }
        }
        to.flip();
    }

    @Override
    public String toString() {
        return name + ":" + datatype + Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NamedTensor t && t.name.equals(name) && t.datatype == datatype
                && Arrays.equals(t.shape, shape) && t.data.equals(data);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }
}
