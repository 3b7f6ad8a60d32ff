package org.tiermark.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TensorCodecTest {
    final OrtEnvironment env = OrtEnvironment.getEnvironment();

    @Test
    void roundTripKeepsNamesTypesShapesAndBytes() throws Exception {
        float[] f = {1.5f, -2f, Float.MIN_VALUE, Float.NaN, 7f, 8f};
        long[] l = {Long.MIN_VALUE, 0, 42};
        byte[] u8 = {0, (byte) 255, 17, 3};
        try (OnnxTensor a = OnnxTensor.createTensor(env, FloatBuffer.wrap(f), new long[] {1, 2, 3});
             OnnxTensor b = OnnxTensor.createTensor(env, LongBuffer.wrap(l), new long[] {3});
             OnnxTensor c = OnnxTensor.createTensor(env, ByteBuffer.wrap(u8), new long[] {2, 2}, OnnxJavaType.UINT8)) {
            Map<String, OnnxTensor> in = new LinkedHashMap<>();
            in.put("hidden", a);
            in.put("ids", b);
            in.put("q", c);
            ByteBuffer payload = TensorCodec.encode(in, null);
            int expected = 4 + (4 + 6 + 4 + 4 + 24 + 4 + 24) + (4 + 3 + 4 + 4 + 8 + 4 + 24) + (4 + 1 + 4 + 4 + 16 + 4 + 4);
            assertEquals(expected, payload.limit(), "header plus raw data, nothing else");
            List<TensorCodec.Decoded> out = TensorCodec.decode(payload);
            assertEquals(List.of("hidden", "ids", "q"), out.stream().map(TensorCodec.Decoded::name).toList());
            assertEquals(OnnxJavaType.UINT8, out.get(2).type());
            assertArrayEquals(new long[] {1, 2, 3}, out.get(0).shape());
            try (OnnxTensor back = out.get(0).toOnnx(env); OnnxTensor ids = out.get(1).toOnnx(env);
                 OnnxTensor q = out.get(2).toOnnx(env)) {
                float[] g = new float[6];
                back.getFloatBuffer().get(g);
                assertArrayEquals(f, g);
                long[] m = new long[3];
                ids.getLongBuffer().get(m);
                assertArrayEquals(l, m);
                byte[] v = new byte[4];
                q.getByteBuffer().get(v);
                assertArrayEquals(u8, v);
            }
            ByteBuffer reused = TensorCodec.encode(in, payload);
            assertEquals(expected, reused.limit(), "a buffer reused for the next call");
        }
    }

    @Test
    void corruptPayloadsAreRefused() {
        ByteBuffer bad = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-3).flip();
        assertThrows(IllegalArgumentException.class, () -> TensorCodec.decode(bad));
    }
}
