package org.tiermark.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.tiermark.InvalidInputException;

/** Makes and reads ONNX initializers (TensorProto) as Java arrays; raw data is little-endian. */
public final class Tensors {
    private Tensors() {}

    public static OnnxMl.TensorProto floats(String name, float[] values, long... shape) {
        checkCount(name, values.length, shape);
        ByteBuffer b = GraphBuilder.le(values.length * 4);
        b.asFloatBuffer().put(values);
        return raw(name, DataType.FLOAT, b.array(), shape);
    }

    public static OnnxMl.TensorProto int64s(String name, long[] values, long... shape) {
        checkCount(name, values.length, shape);
        ByteBuffer b = GraphBuilder.le(values.length * 8);
        b.asLongBuffer().put(values);
        return raw(name, DataType.INT64, b.array(), shape);
    }

    public static OnnxMl.TensorProto int32s(String name, int[] values, long... shape) {
        checkCount(name, values.length, shape);
        ByteBuffer b = GraphBuilder.le(values.length * 4);
        b.asIntBuffer().put(values);
        return raw(name, DataType.INT32, b.array(), shape);
    }

    public static OnnxMl.TensorProto int8s(String name, byte[] values, long... shape) {
        checkCount(name, values.length, shape);
        return raw(name, DataType.INT8, values, shape);
    }

    public static OnnxMl.TensorProto uint8s(String name, byte[] values, long... shape) {
        checkCount(name, values.length, shape);
        return raw(name, DataType.UINT8, values, shape);
    }

    /** A scalar (rank-0) uint8 zero point. */
    public static OnnxMl.TensorProto uint8Scalar(String name, int value) {
        return raw(name, DataType.UINT8, new byte[] {(byte) value});
    }

    public static OnnxMl.TensorProto floatScalar(String name, float value) {
        ByteBuffer b = GraphBuilder.le(4);
        b.putFloat(value);
        return raw(name, DataType.FLOAT, b.array());
    }

    private static OnnxMl.TensorProto raw(String name, DataType type, byte[] data, long... shape) {
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(data));
        for (long d : shape) {
            t.addDims(d);
        }
        return t.build();
    }

    private static void checkCount(String name, int count, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != count) {
            throw new IllegalArgumentException("tensor '" + name + "': " + count + " values for shape "
                    + Arrays.toString(shape));
        }
    }

    public static long elementCount(OnnxMl.TensorProto t) {
        long n = 1;
        for (long d : t.getDimsList()) {
            n *= d;
        }
        return n;
    }

    public static long[] shape(OnnxMl.TensorProto t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** The values of a float initializer (raw data or float_data). */
    public static float[] toFloats(OnnxMl.TensorProto t) {
        if (t.getDataType() != DataType.FLOAT.getNumber()) {
            throw new InvalidInputException("initializer '" + t.getName() + "': expected float, got "
                    + DataType.forNumber(t.getDataType()));
        }
        requireInline(t);
        int n = Math.toIntExact(elementCount(t));
        float[] out = new float[n];
        if (!t.getRawData().isEmpty()) {
            t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = t.getFloatData(i);
            }
        }
        return out;
    }

    /** The values of an int64 initializer (raw data or int64_data). */
    public static long[] toLongs(OnnxMl.TensorProto t) {
        requireInline(t);
        int n = Math.toIntExact(elementCount(t));
        long[] out = new long[n];
        if (t.getDataType() == DataType.INT64.getNumber()) {
            if (!t.getRawData().isEmpty()) {
                t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
            } else {
                for (int i = 0; i < n; i++) {
                    out[i] = t.getInt64Data(i);
                }
            }
        } else if (t.getDataType() == DataType.INT32.getNumber()) {
            if (!t.getRawData().isEmpty()) {
                var ib = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = ib.get(i);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    out[i] = t.getInt32Data(i);
                }
            }
        } else {
            throw new InvalidInputException("initializer '" + t.getName() + "': expected int64/int32, got "
                    + DataType.forNumber(t.getDataType()));
        }
        return out;
    }

    private static void requireInline(OnnxMl.TensorProto t) {
        if (t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL) {
            throw new IllegalStateException("initializer '" + t.getName()
                    + "' still has external data: load the model with OnnxModels.load, which inlines it");
        }
    }

    /** Bytes per element of an ONNX element type (0 for strings and unknown types). */
    public static int elementBytes(int elemType) {
        DataType t = DataType.forNumber(elemType);
        if (t == null) {
            return 0;
        }
        return switch (t) {
            case FLOAT, INT32, UINT32 -> 4;
            case DOUBLE, INT64, UINT64, COMPLEX64 -> 8;
            case FLOAT16, BFLOAT16, INT16, UINT16 -> 2;
            case INT8, UINT8, BOOL -> 1;
            case COMPLEX128 -> 16;
            default -> 0;
        };
    }
}
