package org.tiermark.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every variant a small build makes passes the {@code onnx} package's checker (full check, with
 * shape inference): an independent validator, stricter than ONNX Runtime. Skipped, saying so, where
 * python3-onnx is not installed (CI installs it).
 */
class ValidOnnxTest {
    static final String CHECK = "import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)";

    @TempDir
    static Path dir;

    static Optional<String> python;

    @BeforeAll
    static void findChecker() throws Exception {
        python = Optional.empty();
        for (String p : List.of("python3", "/usr/bin/python3")) {
            try {
                Process pr = new ProcessBuilder(p, "-c", "import onnx").redirectErrorStream(true).start();
                if (pr.waitFor(60, TimeUnit.SECONDS) && pr.exitValue() == 0) {
                    python = Optional.of(p);
                    return;
                }
            } catch (IOException e) {
                // not on this machine: try the next
            }
        }
        System.err.println("ValidOnnxTest SKIPPED: no python3 with the onnx package (apt-get install python3-onnx)");
    }

    /** The checker's complaint about {@code file}, or empty when it passes. */
    static String check(Path file) throws Exception {
        Process pr = new ProcessBuilder(python.orElseThrow(), "-c", CHECK, file.toString()).redirectErrorStream(true).start();
        String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(pr.waitFor(120, TimeUnit.SECONDS), "checker timed out on " + file);
        return pr.exitValue() == 0 ? "" : out.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse(out);
    }

    @Test
    void everyVariantOfTheTinyCnnPassesTheChecker() throws Exception {
        Assumptions.assumeTrue(python.isPresent(), "python3-onnx not installed");
        Path model = TinyCnnOperatorsTest.tinyModel(dir);
        List<String> problems = new ArrayList<>();
        int files = 0;
        for (String op : Operator.BLACK_BOX) {
            Variant v = VariantBuilder.build(TinyCnnOperatorsTest.ENV, TinyCnnOperatorsTest.source(model, 40), Operator.parse(op),
                    Map.of(), dir.resolve(op));
            for (Path stage : v.stages()) {
                files++;
                String why = check(stage);
                if (!why.isEmpty()) {
                    problems.add(op + "/" + stage.getFileName() + ": " + why);
                }
            }
        }
        assertEquals(11, files, "7 operators, 4 of them partitioned");
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void theCheckerCanFail() throws Exception {
        Assumptions.assumeTrue(python.isPresent(), "python3-onnx not installed");
        Path bad = dir.resolve("not-a-model.onnx");
        java.nio.file.Files.writeString(bad, "not a model");
        assertTrue(!check(bad).isEmpty(), "the checker must reject garbage");
    }
}
