package org.tiermark.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JmhGroupsTest {
    @Test
    void theCauseIsTheInnermostExceptionJmhPrinted() {
        String out = """
                # Benchmark: org.tiermark.bench.DeploymentBenchmark.request
                Iteration   1: <failure>

                java.lang.RuntimeException: setup failed
                \tat org.tiermark.bench.DeploymentBenchmark.setUp(DeploymentBenchmark.java:20)
                Caused by: org.tiermark.InvalidInputException: models/broken.json: field 'input.tokenizer': not a tokenizer
                \tat org.tiermark.data.TextPreprocessor.<init>(TextPreprocessor.java:40)
                \t... 12 more

                # Run complete.
                """;
        assertEquals("java.lang.RuntimeException: setup failed (caused by org.tiermark.InvalidInputException: models/broken.json: "
                + "field 'input.tokenizer': not a tokenizer)",
                JmhGroups.causeFromOutput(out));
        assertEquals("java.lang.IllegalStateException: no session",
                JmhGroups.causeFromOutput("<failure>\n\njava.lang.IllegalStateException: no session\n\tat x.y(Z.java:1)\n"));
        assertEquals("forked VM failed with exit code 137",
                JmhGroups.causeFromOutput("# Fork: 1 of 1\n<forked VM failed with exit code 137>\n<stdout last='20 lines'>\n</stdout>\n"));
        assertEquals("no cause in the JMH output", JmhGroups.causeFromOutput("# Run complete.\n"));
    }

    @Test
    void labelsNameTheBenchmarkModelAndOperator() {
        assertEquals("03-DeploymentBenchmark-minilm-l6-sptq_partition", JmhGroups.label(3, new Plan.Group("DeploymentBenchmark",
                List.of("request"), Map.of("model", List.of("minilm-l6"), "operator",
                        List.of("sptq+partition")))));
    }
}
