package org.tiermark.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;

class OnnxGraphTest {
    /** x -> Relu(a) -> Add(a, b) with b = Relu(a): a diamond. */
    static OnnxMl.ModelProto diamond() {
        GraphBuilder g = new GraphBuilder("diamond");
        g.inputFloat("x", 1, 4);
        g.relu("x", "a");
        g.node("Neg", List.of("a"), List.of("b"));
        g.add("a", "b", "c");
        g.relu("c", "y");
        g.outputFloat("y", 1, 4);
        return g.build();
    }

    @Test
    void indexesProducersConsumersAndOrder() {
        // nodes written in reverse order are still sorted topologically
        OnnxMl.ModelProto m = diamond();
        OnnxMl.GraphProto.Builder gb = m.getGraph().toBuilder().clearNode();
        List<OnnxMl.NodeProto> nodes = new java.util.ArrayList<>(m.getGraph().getNodeList());
        java.util.Collections.reverse(nodes);
        gb.addAllNode(nodes);
        OnnxGraph g = new OnnxGraph(m.toBuilder().setGraph(gb).build());
        List<String> order = g.nodes().stream().map(n -> n.getOutput(0)).toList();
        assertEquals(List.of("a", "b", "c", "y"), order);
        assertEquals(0, g.producer("a"));
        assertEquals(-1, g.producer("x"));
        assertEquals(2, g.consumers("a").size());
        assertEquals(List.of("a", "b", "c", "y"), g.producedTensors());
        assertEquals(3, g.ancestors(List.of("c")).cardinality());
    }

    @Test
    void extractsTheSubgraphBetweenTensors() {
        OnnxGraph g = new OnnxGraph(diamond());
        OnnxMl.ModelProto sub = g.extract(List.of("a"), List.of("c"), Map.of());
        assertEquals(2, sub.getGraph().getNodeCount());
        assertEquals("a", sub.getGraph().getInput(0).getName());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> g.extract(List.of("b"), List.of("c"), Map.of()));
        assertTrue(e.getMessage().contains("'x'") || e.getMessage().contains("'a'"), e.getMessage());
    }

    @Test
    void errorsNameTheNodeOrTensor() {
        GraphBuilder b = new GraphBuilder("broken");
        b.inputFloat("x", 1);
        b.relu("missing", "y");
        b.outputFloat("y", 1);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new OnnxGraph(b.build()));
        assertTrue(e.getMessage().contains("'missing'") && e.getMessage().contains("Relu"), e.getMessage());

        GraphBuilder c = new GraphBuilder("cycle");
        c.inputFloat("x", 1);
        c.add("x", "q", "p");
        c.relu("p", "q");
        c.outputFloat("q", 1);
        InvalidInputException cycle = assertThrows(InvalidInputException.class, () -> new OnnxGraph(c.build()));
        assertTrue(cycle.getMessage().contains("cycle"), cycle.getMessage());
    }

    @Test
    void addsOutputsAndCountsOps() {
        OnnxMl.ModelProto m = OnnxGraph.withOutputs(diamond(), List.of("a", "y"));
        assertEquals(2, m.getGraph().getOutputCount());
        assertEquals(Map.of("Add", 1, "Neg", 1, "Relu", 2), OnnxGraph.opCounts(m));
    }

    @Test
    void loadsExternalDataAndRejectsCorruptFiles(@TempDir Path dir) throws Exception {
        GraphBuilder b = new GraphBuilder("ext");
        b.inputFloat("x", 1, 2);
        OnnxMl.TensorProto w = Tensors.floats("w", new float[] {1, 2, 3, 4}, 2, 2);
        Files.write(dir.resolve("w.bin"), w.getRawData().toByteArray());
        b.initializer(w.toBuilder().clearRawData().setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
                .addExternalData(OnnxMl.StringStringEntryProto.newBuilder().setKey("location").setValue("w.bin")).build());
        b.matMul("x", "w", "y");
        b.outputFloat("y", 1, 2);
        Path f = dir.resolve("ext.onnx");
        Files.write(f, b.build().toByteArray());
        OnnxMl.ModelProto loaded = OnnxModels.load(f);
        assertEquals(4, Tensors.toFloats(loaded.getGraph().getInitializer(0))[3]);

        Path bad = dir.resolve("bad.onnx");
        Files.write(bad, new byte[] {8, 7, 0x12, 0x7f, 1, 2});
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> OnnxModels.load(bad));
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
        assertThrows(InvalidInputException.class, () -> OnnxModels.load(dir.resolve("none.onnx")));
    }

    @Test
    void upgradesOpset11AxesToInputs() {
        GraphBuilder b = new GraphBuilder("old").opset(11);
        b.inputFloat("x", 2);
        b.node("Unsqueeze", List.of("x"), List.of("y"), GraphBuilder.Attr.ints("axes", 0));
        b.outputFloat("y", 1, 2);
        OnnxMl.ModelProto up = OpsetUpgrade.toAtLeast13(b.build());
        assertEquals(13, OpsetUpgrade.opset(up));
        assertEquals(2, up.getGraph().getNode(0).getInputCount());
        GraphBuilder s = new GraphBuilder("split").opset(11);
        s.inputFloat("x", 2);
        s.node("Split", List.of("x"), List.of("y", "z"));
        s.outputFloat("y", 1);
        assertTrue(assertThrows(InvalidInputException.class, () -> OpsetUpgrade.toAtLeast13(s.build())).getMessage().contains("Split"));
    }
}
