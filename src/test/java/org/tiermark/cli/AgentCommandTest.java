package org.tiermark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.TinyModels;

/** {@code tiermark agent --next}: a malformed next stage, and one that cannot be reached, refused before serving. */
class AgentCommandTest extends ConsoleCaptured {
    @TempDir
    Path dir;

    @Test
    void aBadOrUnreachableNextStageIsRefusedNamingIt() throws Exception {
        Path head = TinyModels.elementwise(dir.resolve("head.onnx"), "Add", "x", "h", 4, 1f);
        for (String next : new String[] {"head", "head=http://127.0.0.1:9/tail", "head=cloud@http://127.0.0.1:9", "head=cloud@ftp://127.0.0.1:9/tail"}) {
            int code = Tiermark.run(new String[] {"agent", "--tier", "edge", "--port", "0", "--threads", "1", "--next", next, "head=" + head});
            assertEquals(2, code, next);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("--next '" + next + "' must be STAGE=TIER@ENDPOINT/MODEL"),
                    err.toString(StandardCharsets.UTF_8));
        }
        int code = Tiermark.run(new String[] {"agent", "--tier", "edge", "--port", "0", "--threads", "1", "--next",
                "head=cloud@http://127.0.0.1:9/tail", "head=" + head});
        assertEquals(2, code);
        String said = err.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("tier 'edge'") && said.contains("cannot relay to tier 'cloud'") && said.contains("http://127.0.0.1:9"), said);
    }
}
