package org.tiermark.emulation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import org.tiermark.data.Preprocessor;

/** Raw inputs of little-endian floats and their preprocessor, for runners over tiny variants with input {@code x}. */
final class RemoteStageTestSupport {
    private RemoteStageTestSupport() {}

    /** The raw bytes as input x of shape [1, n]. */
    static Preprocessor floats(OrtEnvironment env, int n) {
        return new Preprocessor() {
            @Override
            public Map<String, OnnxTensor> prepare(byte[] raw) throws OrtException {
                FloatBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                return Map.of("x", OnnxTensor.createTensor(env, b, new long[] {1, n}));
            }

            @Override
            public void close() {}
        };
    }

    static byte[] raw(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }
}
