package org.tiermark.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.tiermark.cli.Tiermark;
import org.tiermark.onnx.OnnxModels;

/** A chain is a pipeline of registered or new steps; the command line refuses parameters an operator does not read. */
class PipelineTest {
    /** A step that is not registered, standing for a training step that comes first in a chain. */
    static final class Marking implements OperatorStep {
        @Override public String word() { return "mark"; }
        @Override public int version() { return 1; }
        @Override public Map<String, String> parameters() { return Map.of("mark.text", "student"); }
        @Override public void validate(Map<String, String> params) { }

        @Override
        public StepResult apply(OnnxMl.ModelProto source, StepContext ctx) {
            OnnxMl.ModelProto marked = source.toBuilder().setGraph(source.getGraph().toBuilder()
                    .setDocString(ctx.param("mark.text"))).build();
            return StepResult.of(marked, Map.of("text", ctx.param("mark.text")));
        }
    }

    @Test
    void eachStepTransformsThePreviousStepsModel(@TempDir Path dir) throws Exception {
        Path model = TinyCnnOperatorsTest.tinyModel(dir);
        Operator op = new Operator("mark+sptq", List.of(new Marking(), OperatorSteps.find("sptq").orElseThrow()));
        Variant v = VariantBuilder.build(TinyCnnOperatorsTest.ENV, TinyCnnOperatorsTest.source(model, 40), op,
                Map.of("mark.text", "distilled"), dir.resolve("mark+sptq"));
        OnnxMl.ModelProto built = OnnxModels.load(v.stages().get(0));
        assertEquals("distilled", built.getGraph().getDocString(), "sptq quantized the marked model, not the source");
        assertTrue(built.getGraph().getNodeList().stream().anyMatch(n -> n.getOpType().equals("QuantizeLinear")));
        VariantManifest m = VariantManifest.read(v.manifest());
        assertEquals(List.of("mark", "sptq"), List.copyOf(m.steps().keySet()));
        assertEquals("distilled", m.params().get("mark.text"));
    }

    @Test
    void unknownStepsListTheRegisteredOnes() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Operator.parse("sptq+quantise"));
        for (String w : OperatorSteps.words()) {
            assertTrue(e.getMessage().contains(w), e.getMessage());
        }
    }

    @Test
    void aParameterTheOperatorDoesNotReadIsRefused() throws Exception {
        String model = Suite.fromSystemProperty().catalog().models().keySet().iterator().next();
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true));
        int code;
        try {
            code = Tiermark.run(new String[] {"variants", "--model", model, "--operator", "sptq", "--param", "partition.cut=stage2"});
        } finally {
            System.setErr(err);
        }
        assertEquals(2, code);
        assertTrue(captured.toString().contains("'partition.cut' is not used by operator 'sptq'"), captured.toString());
    }
}
