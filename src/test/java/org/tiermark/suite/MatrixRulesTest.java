package org.tiermark.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.tiermark.Suite;

/** profiles/matrix.json: the default matrix's white-box cells are where the file says, and its names exist. */
class MatrixRulesTest {
    final Suite suite = Suite.load(Path.of(System.getProperty("tiermark.home", ".")));

    @Test
    void theProjectsRulesNameOnlyWhatExists() {
        assertEquals(Set.of(), MatrixRules.load(suite).unknownNames(suite));
    }

    @Test
    void theModelsWithWhiteBoxCellsAreScoredOnTheirLargeSetsInTheDefaultRun() {
        MatrixRules rules = MatrixRules.load(suite);
        for (String model : List.of("resnet-fmnist", "minilm-spam")) {
            assertEquals("large", rules.accuracySet(model, Matrix.Size.DEFAULT), model);
        }
        assertEquals("small", rules.accuracySet("ppocr-det", Matrix.Size.DEFAULT));
        assertEquals("large", rules.accuracySet("ppocr-det", Matrix.Size.FULL));
        // every model the default rules give a white-box cell is on the large list
        for (MatrixRules.Rule r : rules.defaults()) {
            if (r.models() != null && r.operators().stream().anyMatch(o -> o.contains("qat") || o.contains("distill"))) {
                assertTrue(rules.accuracySets().large().containsAll(r.models()), r.why());
            }
        }
        // a file without the section scores every model on its small set
        assertEquals("small", new MatrixRules(1, "", List.of(), null).accuracySet("resnet-fmnist", Matrix.Size.DEFAULT));
    }

    @Test
    void whiteBoxCellsAreOnTheNamedModelsAndDeployments() {
        SuiteRun.Request r = new SuiteRun.Request(Path.of("results"), Matrix.Size.DEFAULT, "", JmhSettings.defaults(Matrix.Size.DEFAULT),
                "", true, false, "");
        Matrix m = SuiteRun.matrix(suite, r);
        List<Matrix.Cell> distill = m.cells().stream().filter(c -> c.operator().equals("distill")).toList();
        assertEquals(Set.of("resnet-fmnist", "minilm-spam"), Set.copyOf(distill.stream().map(Matrix.Cell::model).toList()));
        assertEquals(Set.of("mobile", "edge"), Set.copyOf(distill.stream().map(Matrix.Cell::deployment).toList()));
        for (String op : List.of("prune", "prune-channels", "qat", "distill+sptq", "prune-channels+sptq", "distill+qat")) {
            assertEquals(4, m.cells().stream().filter(c -> c.operator().equals(op)).count(), op);
        }
        assertEquals(List.of("mobile-edge"), m.cells().stream().filter(c -> c.operator().equals("distill+partition")
                && c.model().equals("resnet-fmnist")).map(Matrix.Cell::deployment).toList());
        assertFalse(m.cells().stream().anyMatch(c -> c.operator().equals("prune+sptq")), "prune+sptq only in the full matrix");
        // the black-box operators stay on every model and deployment
        assertTrue(m.cells().stream().anyMatch(c -> c.operator().equals("sptq") && c.model().equals("bge-spam")
                && c.deployment().equals("cloud")));

        Matrix full = SuiteRun.matrix(suite, new SuiteRun.Request(Path.of("results"), Matrix.Size.FULL, "",
                JmhSettings.defaults(Matrix.Size.FULL), "", true, false, ""));
        assertTrue(full.cells().stream().anyMatch(c -> c.operator().equals("prune+sptq") && c.model().equals("resnext-fmnist")));
        assertTrue(full.cells().stream().anyMatch(c -> c.operator().equals("distill+qat") && c.model().equals("bge-spam")));

        // a white-box variant no trainer makes is named with its reason before anything is built
        var skipped = SuiteRun.notApplicable(suite, full.restrict("model=ppocr-det"));
        assertTrue(skipped.get(List.of("ppocr-det", "distill")).contains("text-detection"), skipped.toString());
        assertFalse(skipped.containsKey(List.of("ppocr-det", "sptq")));
    }
}
