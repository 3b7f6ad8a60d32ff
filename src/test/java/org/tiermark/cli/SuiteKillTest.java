package org.tiermark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.suite.RunRecord;

/**
 * The fault test: a suite started as its own process and killed with SIGKILL while JMH measures leaves
 * the earlier runs, {@code results/latest} and the variant cache as they were, its own run folder
 * marked as not finished, and the next run works.
 */
class SuiteKillTest {
    static final Path HOME = Path.of(SuiteSmokeTest.HOME).toAbsolutePath();

    @TempDir
    Path results;

    @Test
    void aKilledSuiteLosesNothingAndTheNextRunWorks() throws Exception {
        // a developer may be running JMH elsewhere on this machine (the in-process run below reads it)
        System.setProperty("jmh.ignoreLock", "true");
        Path earlier = Files.createDirectories(results.resolve("20000101-000000-earlier"));
        Files.writeString(earlier.resolve("jmh.json"), "[ ]\n");
        Files.writeString(earlier.resolve("run.json"), Files.readString(Path.of("src/test/resources/golden/run.json")));
        Files.createSymbolicLink(results.resolve("latest"), earlier.getFileName());
        Map<String, String> resultsBefore = snapshot(results);
        Map<String, String> cacheBefore = snapshot(HOME.resolve("models/variants"));

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Djmh.ignoreLock=true", "-Dai.djl.offline=true",
                Tiermark.class.getName()));
        cmd.addAll(suiteArgs("20"));
        Process suite = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(results.resolveSibling(results.getFileName() + "-killed.log").toFile()).start();
        Path run = waitForMeasurement(suite);
        List<ProcessHandle> forks = suite.descendants().toList();
        suite.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no finally
        assertTrue(suite.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, suite.exitValue(), "killed by SIGKILL");
        forks.forEach(ProcessHandle::destroyForcibly);

        Map<String, String> resultsAfter = snapshot(results);
        resultsBefore.forEach((file, hash) -> assertEquals(hash, resultsAfter.get(file), file + " is as it was"));
        assertEquals(earlier.getFileName(), Files.readSymbolicLink(results.resolve("latest")), "latest still names the earlier run");
        assertEquals(cacheBefore, snapshot(HOME.resolve("models/variants")), "the variant cache is as it was");
        RunRecord killed = RunRecord.read(run);
        assertEquals(RunRecord.Status.RUNNING, killed.status());
        assertEquals(null, killed.finishedUtc(), "run.json says the killed run did not finish");
        assertFalse(Files.exists(run.resolve("jmh.json")));

        assertEquals(0, Tiermark.run(suiteArgs("1").toArray(String[]::new)), "the next run works");
        Path latest = results.resolve(Files.readSymbolicLink(results.resolve("latest")));
        assertNotEquals(earlier.getFileName(), latest.getFileName());
        assertNotEquals(run.getFileName(), latest.getFileName());
        assertEquals(RunRecord.Status.COMPLETE, RunRecord.read(latest).status());
    }

    private List<String> suiteArgs(String iterations) {
        return List.of("suite", "--home", HOME.toString(), "--results", results.toString(), "--matrix", "smoke",
                "--params", "model=minilm-l6", "--include", "^DeploymentBenchmark$", "--skip-accuracy", "--forks", "1",
                "--warmup-iterations", "0", "--iterations", iterations, "--time", "1s");
    }

    /** Waits until the suite has a run folder and a JMH fork is measuring; returns the run folder. */
    private Path waitForMeasurement(Process suite) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            assertTrue(suite.isAlive(), "the suite ended before it was killed; see " + results + "-killed.log");
            List<Path> runs;
            try (Stream<Path> s = Files.list(results)) {
                runs = s.filter(p -> Files.isDirectory(p.resolve("jmh"))).toList();
            }
            if (!runs.isEmpty() && suite.descendants().findAny().isPresent()) {
                Thread.sleep(3000); // inside the fork's iterations
                return runs.get(0);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the suite did not start measuring within 120 s");
    }

    /** Every regular file below {@code dir} (links not followed) with its SHA-256. */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                try {
                    out.put(dir.relativize(p).toString(), HexFormat.of().formatHex(
                            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }
}
