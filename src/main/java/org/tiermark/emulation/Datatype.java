package org.tiermark.emulation;

import ai.onnxruntime.OnnxJavaType;
import java.util.Arrays;
import java.util.List;

/**
 * The tensor element types of the Open Inference Protocol that tiermark's stages use, with their
 * size on the wire and their ONNX Runtime type. BYTES elements have no fixed size (each travels as a
 * 4-byte little-endian length and its bytes) and no ONNX Runtime type: they carry a raw input (encoded
 * image, UTF-8 text) to an agent that preprocesses it.
 */
public enum Datatype {
    BOOL(1, OnnxJavaType.BOOL),
    UINT8(1, OnnxJavaType.UINT8),
    INT8(1, OnnxJavaType.INT8),
    INT16(2, OnnxJavaType.INT16),
    INT32(4, OnnxJavaType.INT32),
    INT64(8, OnnxJavaType.INT64),
    FP16(2, OnnxJavaType.FLOAT16),
    FP32(4, OnnxJavaType.FLOAT),
    FP64(8, OnnxJavaType.DOUBLE),
    BYTES(-1, null);

    private final int elementBytes;
    private final OnnxJavaType onnxType;

    Datatype(int elementBytes, OnnxJavaType onnxType) {
        this.elementBytes = elementBytes;
        this.onnxType = onnxType;
    }

    /** Bytes per element on the wire; -1 for BYTES, whose elements each carry their own length. */
    public int elementBytes() {
        return elementBytes;
    }

    /** The ONNX Runtime type; null for BYTES, which no served session takes. */
    public OnnxJavaType onnxType() {
        return onnxType;
    }

    /** The protocol name, e.g. {@code FP32}; an unknown one is an error listing the valid names. */
    public static Datatype parse(String name, String where) {
        for (Datatype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException(where + ": datatype '" + name + "' is not supported; valid: " + names());
    }

    /** The protocol type of an ONNX Runtime tensor type. */
    public static Datatype of(OnnxJavaType type, String where) {
        for (Datatype d : values()) {
            if (d.onnxType == type) {
                return d;
            }
        }
        throw new IllegalArgumentException(where + ": ONNX Runtime type " + type
                + " cannot be served; supported: " + names());
    }

    static List<String> names() {
        return Arrays.stream(values()).map(Enum::name).toList();
    }
}
