package org.tiermark.emulation;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.tiermark.onnx.GraphBuilder;

/**
 * The model every tiermark agent serves besides its stages, {@value #NAME}: one UINT8 input of any length
 * ({@value #INPUT}), answered with that length (INT64 [1], {@value #OUTPUT}; the ONNX {@code Shape} op). Its compute
 * is nothing, so the time of a request of n bytes is the link's round trip, n bytes crossing and fixed costs: two
 * sizes give the link's throughput from their difference ({@link LinkThroughput}), which over the protocol cannot be
 * separated from a real model's compute. Served like any model (REST and gRPC, metadata, readiness), so a server
 * without it (Triton, OpenVINO Model Server) is told apart by its "not served" answer.
 */
final class ProbeModel {
    /** The model name the probe is served under. */
    static final String NAME = "tiermark-probe";
    static final String INPUT = "payload";
    static final String OUTPUT = "length";

    private ProbeModel() {}

    /** The probe as an ONNX graph. */
    static OnnxMl.ModelProto graph() {
        GraphBuilder g = new GraphBuilder(NAME);
        g.input(INPUT, OnnxMl.TensorProto.DataType.UINT8.getNumber(), -1);
        g.output(OUTPUT, OnnxMl.TensorProto.DataType.INT64.getNumber(), 1);
        g.node("Shape", List.of(INPUT), List.of(OUTPUT));
        return g.build();
    }

    /** Writes the probe to a new temporary file (ONNX Runtime opens sessions from files here); the caller deletes it. */
    static Path writeTemporary() throws IOException {
        Path file = Files.createTempFile("tiermark-probe", ".onnx");
        Files.write(file, graph().toByteArray());
        return file;
    }
}
