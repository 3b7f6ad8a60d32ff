package org.tiermark.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistSetsTest {
    private static final Path HOME = Path.of(System.getProperty("tiermark.home", ".")).toAbsolutePath().normalize();
    private static final Path COMMITTED = HOME.resolve("data/fashion-mnist");

    @TempDir
    Path dir;

    static boolean installed() {
        return FashionMnistTest.installed();
    }

    /** The committed sets are exactly what `tiermark train --export-data` derives from the Debian package. */
    @Test
    @EnabledIf("installed")
    void committedSetsAreReDerivedByteForByte() throws IOException {
        FashionMnistSets.write(FashionMnist.load(FashionMnist.DEFAULT_FOLDER, FashionMnist.Split.TRAIN),
                FashionMnist.load(FashionMnist.DEFAULT_FOLDER, FashionMnist.Split.TEST), dir);
        for (String set : List.of("eval-100", "eval-1000", "pool", "calibration")) {
            List<Path> derived = files(dir.resolve(set));
            assertEquals(files(COMMITTED.resolve(set)).stream().map(p -> p.getFileName().toString()).toList(),
                    derived.stream().map(p -> p.getFileName().toString()).toList(), set);
            for (Path f : derived) {
                assertArrayEquals(Files.readAllBytes(COMMITTED.resolve(set).resolve(f.getFileName())), Files.readAllBytes(f),
                        set + "/" + f.getFileName());
            }
        }
    }

    @Test
    void calibrationComesFromTrainAndEvaluationFromTestAndSmallIsInLarge() throws IOException {
        LabelledImages small = LabelledImages.load(COMMITTED.resolve("eval-100"), 10);
        LabelledImages large = LabelledImages.load(COMMITTED.resolve("eval-1000"), 10);
        assertEquals(100, small.size());
        assertEquals(1000, large.size());
        Set<String> largeFiles = new HashSet<>(large.items().stream().map(LabelledImages.Item::file).toList());
        assertTrue(small.items().stream().allMatch(i -> largeFiles.contains(i.file())));
        assertTrue(large.items().stream().allMatch(i -> i.file().startsWith("test-")));
        List<Path> calibration = files(COMMITTED.resolve("calibration"));
        assertEquals(100, calibration.size());
        assertTrue(calibration.stream().allMatch(p -> p.getFileName().toString().startsWith("train-")));
        assertEquals(256, files(COMMITTED.resolve("pool")).size());
    }

    private static List<Path> files(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.sorted().toList();
        }
    }
}
