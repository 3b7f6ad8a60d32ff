package org.tiermark.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.cli.Tiermark;
import org.tiermark.onnx.GraphBuilder;
import org.tiermark.onnx.OnnxGraph;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.SyntheticModels;

/** Bad input is a clear error or a recorded fallback, never a silently wrong variant. */
class BadInputTest {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @Test
    void dynamicShapesAskForTheSize(@TempDir Path dir) throws Exception {
        GraphBuilder g = new GraphBuilder("dyn");
        g.inputFloat("x", -1, 3, 8, 8);
        g.relu("x", "y");
        g.outputFloat("y");
        OnnxGraph graph = new OnnxGraph(g.build());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> InputSamples.fromDeclaredShapes(graph, Map.of()));
        assertTrue(e.getMessage().contains("input 'x'") && e.getMessage().contains("--shape x="), e.getMessage());
        assertEquals(1, InputSamples.fromDeclaredShapes(graph, Map.of("x", new long[] {1, 3, 8, 8})).size());

        Path f = dir.resolve("dyn.onnx");
        OnnxModels.save(g.build(), f);
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true));
        try {
            assertEquals(2, Tiermark.run(new String[] {"variants", "--list-cuts", f.toString()}));
        } finally {
            System.setErr(err);
        }
        assertTrue(captured.toString().contains("give its size"), captured.toString());
    }

    @Test
    void opsWithoutAQuantizedFormStayFloatAndAreListed() throws Exception {
        // a MatMul of two activations has no good integer form: kept in float and named in the result
        GraphBuilder g = new GraphBuilder("mm");
        g.inputFloat("x", 1, 4, 4);
        g.initializer("w", new float[16], 4, 4);
        g.matMul("x", "w", "h");
        g.node("Transpose", List.of("h"), List.of("t"), GraphBuilder.Attr.ints("perm", 0, 2, 1));
        g.matMul("h", "t", "y");
        g.outputFloat("y", 1, 4, 4);
        InputSamples calib = InputSamples.ofArrays(java.util.Collections.nCopies(12, Map.of("x", new float[16])),
                Map.of("x", new long[] {1, 4, 4}), "zeros");
        Sptq.Result r = Sptq.apply(ENV, g.build(), calib, new Sptq.Params(12, Sptq.Method.MINMAX, 99.9, java.util.Set.of()));
        assertEquals(1, r.floatKept().size(), r.floatKept().toString());
        assertTrue(r.floatKept().values().iterator().next().contains("two activations"));
        assertEquals(Map.of("MatMul", 1), r.quantizedOps());
    }

    @Test
    void opsTheOpsetUpgradeCannotConvertAreRefusedByName() {
        GraphBuilder g = new GraphBuilder("old").opset(11);
        g.inputFloat("x", 1, 4);
        g.node("Split", List.of("x"), List.of("a", "b"), GraphBuilder.Attr.i("axis", 1));
        g.add("a", "b", "y");
        g.outputFloat("y", 1, 2);
        InputSamples calib = InputSamples.ofArrays(java.util.Collections.nCopies(12, Map.of("x", new float[4])),
                Map.of("x", new long[] {1, 4}), "zeros");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Sptq.apply(ENV, g.build(), calib, new Sptq.Params(12, Sptq.Method.MINMAX, 99.9, java.util.Set.of())));
        assertTrue(e.getMessage().contains("Split"), e.getMessage());
    }

    @Test
    void unknownOperatorsListTheValidOnes() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Operator.parse("qat+sptq"));
        assertTrue(e.getMessage().contains("already quantized"), e.getMessage());
        assertTrue(assertThrows(InvalidInputException.class, () -> Operator.parse("quantize")).getMessage()
                .contains("valid: identity, sptq, partition, early-exit"));
    }

    @Test
    void unknownOpsFailWhenOnnxRuntimeLoadsThem(@TempDir Path dir) throws Exception {
        GraphBuilder g = new GraphBuilder("custom").domain("org.example", 1);
        g.inputFloat("x", 1, 3, 64, 64);
        g.node("org.example", "Mystery", List.of("x"), List.of("y"));
        g.outputFloat("y");
        Path f = dir.resolve("custom.onnx");
        OnnxModels.save(g.build(), f);
        VariantBuilder.Source src = new VariantBuilder.Source("custom", f, InputSamples.randomImages("x", 64, 20, 1),
                InputSamples.randomImages("x", 64, 2, 2), Map.of("sptq.calibration.samples", "20"));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> VariantBuilder.build(ENV, src, Operator.parse("partition"), Map.of(), dir.resolve("out")));
        assertTrue(e.getMessage().contains("ONNX Runtime cannot load it") && e.getMessage().contains("Mystery"), e.getMessage());
        InvalidInputException nothing = assertThrows(InvalidInputException.class,
                () -> VariantBuilder.build(ENV, src, Operator.parse("sptq"), Map.of(), dir.resolve("out")));
        assertTrue(nothing.getMessage().contains("nothing to quantize"), nothing.getMessage());
        assertTrue(SyntheticModels.tinyCnn(1).getGraph().getNodeCount() > 10);
    }
}
