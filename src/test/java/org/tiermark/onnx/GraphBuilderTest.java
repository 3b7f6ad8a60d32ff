package org.tiermark.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphBuilderTest {
    @Test
    void buildsAGraphOnnxRuntimeRuns() throws Exception {
        GraphBuilder g = new GraphBuilder("t");
        g.inputFloat("x", 1, 2);
        g.initializer("w", new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        g.initializer("b", new float[] {-100, 0, 1}, 3);
        g.gemm("x", "w", "b", "y");
        g.relu("y", "z");
        g.outputFloat("z", 1, 3);
        byte[] model = g.build().toByteArray();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(model, o);
                 OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {1, 1}), new long[] {1, 2});
                 OrtSession.Result r = s.run(Map.of("x", x))) {
                float[][] z = (float[][]) r.get(0).getValue();
                assertArrayEquals(new float[] {0, 7, 12}, z[0]);
                assertEquals(List.of("z"), List.copyOf(s.getOutputNames()));
            }
        }
    }
}
