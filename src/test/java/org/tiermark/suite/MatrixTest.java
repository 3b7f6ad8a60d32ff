package org.tiermark.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.junit.jupiter.api.Test;

class MatrixTest {
    final Suite suite = Suite.load(Path.of(System.getProperty("tiermark.home", ".")));

    @Test
    void variantsGoOnDeploymentsWithTheirStageCount() {
        Matrix m = Matrix.plan(suite, Matrix.Size.DEFAULT, List.of("identity", "partition"),
                (model, operator) -> operator.equals("partition") ? 2 : 1);
        List<String> identity = m.cells().stream().filter(c -> c.operator().equals("identity")).map(Matrix.Cell::deployment).toList();
        List<String> partition = m.cells().stream().filter(c -> c.operator().equals("partition")).map(Matrix.Cell::deployment).toList();
        assertTrue(identity.containsAll(List.of("mobile", "edge", "cloud")) && !identity.contains("mobile-edge"), identity.toString());
        assertTrue(partition.containsAll(List.of("mobile-edge", "edge-cloud", "mobile-cloud")) && !partition.contains("edge"));
    }

    @Test
    void restrictKeepsNamedValuesAndNamesTheValidOnes() {
        Matrix m = Matrix.plan(suite, Matrix.Size.DEFAULT, List.of("identity"), (a, b) -> 1);
        Matrix edge = m.restrict("deployment=edge,cloud; model=minilm-l6");
        assertTrue(edge.cells().stream().allMatch(c -> List.of("edge", "cloud").contains(c.deployment())));
        assertEquals(2, edge.cells().stream().filter(c -> c.model().equals("minilm-l6")).count());
        String msg = assertThrows(InvalidInputException.class, () -> m.restrict("deployment=moon")).getMessage();
        assertTrue(msg.contains("deployment=moon") && msg.contains("edge"), msg);
        msg = assertThrows(InvalidInputException.class, () -> m.restrict("tier=edge")).getMessage();
        assertTrue(msg.contains("unknown parameter 'tier'") && msg.contains("deployment"), msg);
        assertThrows(InvalidInputException.class, () -> m.restrict("deployment"));
        assertThrows(InvalidInputException.class, () -> Matrix.parseSize("huge"));
    }

    @Test
    void smokeIsOneCellUnlessParamsNameOthers() {
        Matrix all = Matrix.plan(suite, Matrix.Size.SMOKE, List.of("identity", "sptq"), (a, b) -> 1);
        Matrix m = all.restrict("");
        assertEquals(1, m.cells().size());
        assertEquals("edge", m.cells().get(0).deployment());
        String last = all.models().get(all.models().size() - 1);
        Matrix named = all.restrict("model=" + last);
        assertEquals(List.of(new Matrix.Cell(last, "identity", "edge")), named.cells(), "any model, not only the first");
        assertEquals(List.of("cloud"), all.restrict("model=" + last + ";deployment=cloud").cells().stream()
                .map(Matrix.Cell::deployment).toList());
    }

    @Test
    void anEmptyMatrixSaysWhichFiltersRuledOutEveryCell() {
        Matrix m = Matrix.plan(suite, Matrix.Size.DEFAULT, List.of("identity", "partition"),
                (model, operator) -> operator.equals("partition") ? 2 : 1);
        String msg = assertThrows(InvalidInputException.class, () -> m.restrict("operator=partition;deployment=edge")).getMessage();
        assertTrue(msg.contains("with deployment=edge the operator values are identity (not partition)"), msg);
        assertTrue(msg.contains("with operator=partition the deployment values are") && msg.contains("mobile-edge"), msg);
        assertTrue(msg.contains("split deployment"), msg);
    }
}
