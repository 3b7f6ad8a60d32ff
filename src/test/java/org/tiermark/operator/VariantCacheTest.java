package org.tiermark.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;

/** A cached variant is never lost to bad input or a failed or killed build, and damage on disk is seen. */
class VariantCacheTest {
    /** The tiny CNN's variants stored under a catalog model's name: the store only reads their folders. */
    static final Suite SUITE = Suite.fromSystemProperty();
    static final String MODEL = SUITE.catalog().models().keySet().iterator().next();

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void writeModel() throws Exception {
        model = TinyCnnOperatorsTest.tinyModel(dir);
    }

    static Variant ensure(String op, Map<String, String> overrides, Path folder, boolean force) throws Exception {
        return VariantBuilder.ensure(TinyCnnOperatorsTest.ENV, TinyCnnOperatorsTest.source(model, 40), Operator.parse(op), overrides,
                folder, force);
    }

    /** A variant built by another recipe (a step's version or a default changed since) is seen as not current. */
    @Test
    void aVariantOfAnOlderRecipeIsNotCurrent(@TempDir Path root) throws Exception {
        VariantStore store = new VariantStore(SUITE.catalog(), root);
        assertFalse(store.isBuilt("resnet-fmnist", "partition"));
        assertFalse(store.isCurrent("resnet-fmnist", "partition"), "not built is not current");
        Variant v = store.ensure("resnet-fmnist", "partition");
        assertTrue(store.isBuilt("resnet-fmnist", "partition") && store.isCurrent("resnet-fmnist", "partition"));
        VariantManifest m = VariantManifest.read(v.manifest());
        String json = Files.readString(v.manifest());
        Files.writeString(v.manifest(), json.replace(m.recipeSha256(), "0".repeat(m.recipeSha256().length())));
        assertTrue(store.isBuilt("resnet-fmnist", "partition"));
        assertFalse(store.isCurrent("resnet-fmnist", "partition"), "an older recipe");
        assertTrue(store.isCurrent("resnet-fmnist", "identity"));
    }

    @Test
    void anInvalidParameterLeavesTheCachedVariantAlone(@TempDir Path root) throws Exception {
        Path folder = root.resolve("sptq");
        Variant v = ensure("sptq", Map.of(), folder, false);
        byte[] manifest = Files.readAllBytes(v.manifest());
        for (boolean force : new boolean[] {false, true}) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> ensure("sptq", Map.of("sptq.calibration.samples", "many"), folder, force));
            assertTrue(e.getMessage().contains("sptq.calibration.samples"), e.getMessage());
            assertThrows(InvalidInputException.class, () -> ensure("sptq", Map.of("partition.cut", "stage2"), folder, force));
        }
        assertTrue(Files.isRegularFile(v.manifest()));
        assertEquals(new String(manifest), Files.readString(v.manifest()));
    }

    @Test
    void aBuildThatFailsLeavesTheCachedVariantWhole(@TempDir Path root) throws Exception {
        Path folder = root.resolve("partition");
        Variant v = ensure("partition", Map.of(), folder, false);
        String manifest = Files.readString(v.manifest());
        // valid as a parameter, refused only once the graph is read: the build fails half-way
        assertThrows(InvalidInputException.class,
                () -> ensure("partition", Map.of("partition.cut", "stage2.block0/conv2"), folder, true));
        assertEquals(manifest, Files.readString(v.manifest()));
        for (Path stage : v.stages()) {
            assertTrue(Files.isRegularFile(stage), stage.toString());
        }
        try (Stream<Path> s = Files.list(root)) {
            assertEquals(List.of("partition"), s.map(p -> p.getFileName().toString()).toList(), "no work folder left");
        }
    }

    @Test
    void leftoversOfAKilledBuildAreRemovedAtTheNextBuild(@TempDir Path root) throws Exception {
        Path folder = root.resolve("early-exit");
        Files.createDirectories(folder);
        Path halfStage = folder.resolve(".model.onnx123456.tmp");
        Files.write(halfStage, new byte[1000]);
        Path work = root.resolve(".early-exit.building-1f");
        Files.createDirectories(work);
        Files.write(work.resolve("model.onnx"), new byte[10]);
        ensure("early-exit", Map.of(), folder, false);
        assertFalse(Files.exists(halfStage), "half-written stage file of an older build");
        assertFalse(Files.exists(work), "work folder of a killed build");
        assertTrue(Files.isRegularFile(folder.resolve(VariantStore.MANIFEST)));
    }

    @Test
    void aKillBetweenTheTwoRenamesLosesNothing(@TempDir Path root) throws Exception {
        Path folder = root.resolve("sptq");
        Variant v = ensure("sptq", Map.of(), folder, false);
        String manifest = Files.readString(v.manifest());
        // the state after the old folder was renamed aside and before the new one was renamed in
        Files.move(folder, root.resolve(".sptq.old-2a"));
        Variant again = ensure("sptq", Map.of(), folder, false);
        assertEquals(manifest, Files.readString(again.manifest()), "the complete folder is restored, not rebuilt");
        try (Stream<Path> s = Files.list(root)) {
            assertEquals(List.of("sptq"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aTruncatedStageFileIsNotReadyAndIsNamed(@TempDir Path root) throws Exception {
        VariantStore store = new VariantStore(SUITE.catalog(), root);
        String model = MODEL;
        Variant built = ensure("partition", Map.of(), store.folder(model, "partition"), false);
        assertEquals(List.of(), store.verify(model, "partition"));
        Path head = built.stages().get(0);
        byte[] good = Files.readAllBytes(head);
        Files.write(head, java.util.Arrays.copyOf(good, good.length / 2));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> store.get(model, "partition"));
        assertTrue(e.getMessage().contains(head.toString()) && e.getMessage().contains("not ready"), e.getMessage());
        assertFalse(store.verify(model, "partition").isEmpty());
        // same size, other bytes: only the hash sees it
        byte[] changed = good.clone();
        changed[changed.length - 1] ^= 1;
        Files.write(head, changed, StandardOpenOption.TRUNCATE_EXISTING);
        store.get(model, "partition");
        List<String> problems = store.verify(model, "partition");
        assertTrue(problems.size() == 1 && problems.get(0).contains("sha256") && problems.get(0).contains(head.toString()),
                problems.toString());
        // a truncated file makes the cached variant stale: the next ensure rebuilds it
        Files.write(head, java.util.Arrays.copyOf(good, 10));
        ensure("partition", Map.of(), store.folder(model, "partition"), false);
        assertEquals(List.of(), store.verify(model, "partition"));
    }

    @Test
    void aManifestOfAnOlderFormatIsNotReadyAndIsRebuilt(@TempDir Path root) throws Exception {
        VariantStore store = new VariantStore(SUITE.catalog(), root);
        String model = MODEL;
        Variant built = ensure("early-exit", Map.of(), store.folder(model, "early-exit"), false);
        String current = Files.readString(built.manifest());
        Files.writeString(built.manifest(), "{\"stages\": [\"model.onnx\"], \"calibration\": \"old\"}");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> store.get(model, "early-exit"));
        assertTrue(e.getMessage().contains("older tiermark") && e.getMessage().contains("tiermark variants"), e.getMessage());
        Variant again = ensure("early-exit", Map.of(), store.folder(model, "early-exit"), false);
        assertNotEquals(current, Files.readString(again.manifest()), "rebuilt (a new builtAt)");
        assertEquals(VariantManifest.SCHEMA_VERSION, VariantManifest.read(again.manifest()).schemaVersion());
    }

    @Test
    void aStepsVersionChangesOnlyTheRecipesThatContainIt() {
        OperatorStep sptq = OperatorSteps.find("sptq").orElseThrow();
        OperatorStep bumped = new OperatorStep() {
            @Override public String word() { return sptq.word(); }
            @Override public int version() { return sptq.version() + 1; }
            @Override public Map<String, String> parameters() { return sptq.parameters(); }
            @Override public void validate(Map<String, String> params) { sptq.validate(params); }
            @Override public StepResult apply(OnnxMl.ModelProto source, StepContext ctx) { throw new UnsupportedOperationException(); }
        };
        OperatorStep partition = OperatorSteps.find("partition").orElseThrow();
        for (List<OperatorStep> chain : List.of(List.of(sptq), List.of(sptq, partition))) {
            Operator before = new Operator("x", chain);
            Operator after = new Operator("x", chain.stream().map(s -> s == sptq ? bumped : s).toList());
            assertNotEquals(sha(before), sha(after), chain.toString());
        }
        Operator p = Operator.parse("partition");
        assertEquals(sha(p), sha(new Operator("partition", List.of(partition))), "a chain without sptq keeps its recipe");
        // the parameters a step reads are part of it; another step's are not even accepted
        assertNotEquals(sha(p), VariantBuilder.recipe(p, VariantBuilder.params(p, Map.of(), Map.of("partition.cut", "stage2"))).sha256());
    }

    static String sha(Operator op) {
        return VariantBuilder.recipe(op, VariantBuilder.params(op, Map.of(), Map.of())).sha256();
    }
}
