package org.tiermark.emulation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.tiermark.Preprocessors;
import org.tiermark.model.Catalog;
import org.tiermark.onnx.Sessions;
import org.tiermark.operator.Variant;
import org.tiermark.runtime.Costs;
import org.tiermark.runtime.DeploymentRunner;
import org.tiermark.runtime.Stage;
import org.tiermark.tier.Profiles;

/**
 * Raw-input first hops: the first stage on an agent takes the encoded image or the UTF-8 text as one BYTES
 * element and preprocesses it there, over REST and gRPC, and answers what the whole deployment gives in
 * process; real catalog models (one image, one text).
 */
class RawInputTest {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void anImageModelsFirstStageTakesTheEncodedImage() throws Exception {
        List<byte[]> images = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("data/fashion-mnist/pool")).sorted().limit(3)) {
            for (Path f : files.toList()) {
                images.add(Files.readAllBytes(f));
            }
        }
        sameAnswersAsInProcess("resnet-fmnist", images, "not a PNG/JPEG image");
    }

    @Test
    void aTextModelsFirstStageTakesUtf8Text() throws Exception {
        List<byte[]> lines = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("data/text/pool.txt"), StandardCharsets.UTF_8).subList(0, 3)) {
            lines.add(line.getBytes(StandardCharsets.UTF_8));
        }
        sameAnswersAsInProcess("minilm-spam", lines, null);
    }

    @Test
    void bytesTensorsTravelAsLengthPrefixedElementsAndAreChecked() {
        NamedTensor t = NamedTensor.bytes("raw_input", "héllo".getBytes(StandardCharsets.UTF_8));
        assertEquals(4 + 6, t.byteSize());
        Oip.Body body = Oip.request("1", List.of(t), true);
        Oip.Message back = Oip.parse(body.bytes(), body.headerLength(), "inputs", "test");
        assertEquals("héllo", new String(back.tensors().get(0).elements().get(0), StandardCharsets.UTF_8));
        Oip.Body json = Oip.request("2", List.of(t), false);
        assertTrue(new String(json.bytes(), StandardCharsets.UTF_8).contains("\"data\":[\"héllo\"]"));
        assertEquals(t, Oip.parse(json.bytes(), -1, "inputs", "test").tensors().get(0));
        ByteBuffer overrun = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(100).putInt(0).flip();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NamedTensor("raw_input", Datatype.BYTES, new long[] {1}, overrun));
        assertTrue(e.getMessage().contains("announces 100 bytes but 4 remain"), e.getMessage());
    }

    /**
     * Runs each raw input through the deployment `edge` in process and with its stage on an agent (REST and
     * gRPC); with {@code unreadable} set, a raw input the preprocessing cannot read is refused with that reason.
     */
    private static void sameAnswersAsInProcess(String name, List<byte[]> raws, String unreadable) throws Exception {
        Catalog.Model m = Catalog.load(Path.of("models")).model(name);
        Profiles p = Profiles.load(Path.of("profiles"));
        Variant v = new Variant(name, "identity", List.of(m.onnx()), null);
        TierAgent.Config config = TierAgent.Config.loopback("edge", Map.of("model", m.onnx()), Sessions.Settings.oneThread())
                .withPreprocessing("model", () -> Preprocessors.create(m, ENV));
        try (TierAgent agent = TierAgent.start(config);
             GrpcAgent grpc = GrpcAgent.start(agent, new InetSocketAddress("127.0.0.1", 0))) {
            Oip.ModelMetadata metadata = agent.models().get("model");
            assertEquals("[raw_input:BYTES[1]]", metadata.inputs().toString(), "the metadata advertises the BYTES input");
            String output = metadata.outputs().get(0).name();
            URI[] endpoints = {agent.endpoint(), grpc.endpoint()};
            for (URI endpoint : endpoints) {
                Stage.Opener remote = RemoteStage.opener(ENV, i -> new RemoteStage.Served(endpoint, "model"), TIMEOUT);
                try (DeploymentRunner inProcess = DeploymentRunner.open(ENV, v, p.deployment("edge"), p, Costs.NONE, Preprocessors.create(m, ENV));
                     DeploymentRunner onAgent = DeploymentRunner.open(ENV, v, p.deployment("edge"), p, Costs.NONE,
                             Preprocessors.create(m, ENV), (i, file, tier) -> {
                                 Stage s = remote.open(i, file, tier);
                                 assertTrue(s.takesRawInput(), "the agent's stage takes the raw input");
                                 return s;
                             })) {
                    for (byte[] raw : raws) {
                        float[] expected = inProcess.run(raw).floats(output).clone();
                        float[] got = onAgent.run(raw).floats(output);
                        assertArrayEquals(expected, got, 1e-4f, name + " over " + endpoint);
                    }
                }
                if (unreadable != null) {
                    try (ModelClient c = ModelClient.connect(endpoint, "model", TIMEOUT)) {
                        InferenceException e = assertThrows(InferenceException.class, () -> c.infer(List.of(
                                NamedTensor.bytes(ServedModel.RAW_INPUT, "not an image".getBytes(StandardCharsets.UTF_8)))));
                        assertTrue(e.getMessage().contains(unreadable), e.getMessage());
                        assertTrue(e.getMessage().contains("400") || e.getMessage().contains("INVALID_ARGUMENT"), e.getMessage());
                    }
                }
            }
        }
    }
}
