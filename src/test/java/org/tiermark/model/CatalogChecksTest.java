package org.tiermark.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.onnx.GraphBuilder;
import org.tiermark.onnx.OnnxModels;

/** The model checks the suite runs before it creates a run folder. */
class CatalogChecksTest {
    @TempDir
    Path dir;

    /** A text model folder: a BERT-like embedding lookup with {@code positions} rows, tokenizer and pool files. */
    private Catalog.Model textModel(int positions, int sequenceLength) throws IOException {
        GraphBuilder g = new GraphBuilder("bert-like");
        g.input("position_ids", OnnxMl.TensorProto.DataType.INT64.getNumber(), 1, -1);
        float[] table = new float[positions * 4];
        Arrays.fill(table, 0.5f);
        String weight = g.initializer("embeddings.position_embeddings.weight", table, positions, 4);
        g.node("Gather", List.of(weight, "position_ids"), List.of("embedded"));
        g.outputFloat("embedded", 1, -1, 4);
        Path base = Files.createDirectories(dir.resolve("base"));
        OnnxModels.save(g.build(), base.resolve("bert.onnx"));
        Files.writeString(base.resolve("tokenizer.json"), "{}");
        Files.writeString(base.resolve("pool.txt"), "hello\n");
        Files.writeString(dir.resolve("bert.json"), """
                {"name": "bert", "task": "text-embedding", "onnx": "base/bert.onnx", "pool": "base/pool.txt",
                 "input": {"kind": "text", "tokenizer": "base/tokenizer.json", "sequenceLength": %d}}""".formatted(sequenceLength));
        return Catalog.load(dir).model("bert");
    }

    @Test
    void aSequenceLongerThanThePositionEmbeddingsIsRefusedWithTheValidRange() throws IOException {
        textModel(16, 16).checkInputs();
        String m = assertThrows(InvalidInputException.class, () -> textModel(16, 17).checkInputs()).getMessage();
        assertTrue(m.contains("bert.json") && m.contains("input.sequenceLength") && m.contains("1..16")
                && m.contains("got 17"), m);
    }

    @Test
    void theLimitIsReadFromTheShippedMiniLm() {
        Path models = Path.of(System.getProperty("tiermark.home", ".")).resolve("models");
        Catalog.Model minilm = Catalog.load(models).model("minilm-l6");
        OnnxMl.GraphProto graph = OnnxModels.load(minilm.onnx()).getGraph();
        assertEquals(512, TextInputCheck.maxPositions(graph).orElseThrow(), "BERT's 512 positions");
    }

    @Test
    void aTruncatedOnnxFileOfATextModelIsNamed() throws IOException {
        Catalog.Model model = textModel(64, 16);
        byte[] whole = Files.readAllBytes(model.onnx());
        // keep the first byte right: the cheap check on every lookup passes, only a full parse sees the cut
        Files.write(model.onnx(), Arrays.copyOf(whole, whole.length * 2 / 3));
        model.checkFiles();
        String m = assertThrows(InvalidInputException.class, model::checkInputs).getMessage();
        assertTrue(m.contains("bert.json") && m.contains("field 'onnx'") && m.contains("bert.onnx")
                && m.contains("truncated"), m);
    }
}
