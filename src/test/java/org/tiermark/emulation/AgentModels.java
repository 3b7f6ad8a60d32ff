package org.tiermark.emulation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.tiermark.TinyModels;
import org.tiermark.onnx.GraphBuilder;
import org.tiermark.onnx.OnnxModels;

/** ONNX files for agent tests: a doubling stage and a deliberately slow one. */
final class AgentModels {
    private AgentModels() {}

    /** {@code y = x * 2} over [1, n] floats. */
    static Path doubler(Path dir, int n) throws IOException {
        return TinyModels.elementwise(dir.resolve("double.onnx"), "Mul", "x", "y", n, 2f);
    }

    /** {@code chain} 512x512 float MatMuls: tens of milliseconds per call here, to trip a short timeout. */
    static Path slow(Path dir, int chain) throws IOException {
        GraphBuilder g = new GraphBuilder("slow");
        g.inputFloat("x", 512, 512);
        SplittableRandom r = new SplittableRandom(7);
        float[] w = new float[512 * 512];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextDouble() - 0.5) / 512;
        }
        String weight = g.initializer("w", w, 512, 512);
        String x = "x";
        for (int i = 0; i < chain; i++) {
            x = g.matMul(x, weight, i == chain - 1 ? "y" : "h" + i);
        }
        g.outputFloat("y", 512, 512);
        Path file = dir.resolve("slow.onnx");
        OnnxModels.save(g.build(), file);
        return file;
    }
}
