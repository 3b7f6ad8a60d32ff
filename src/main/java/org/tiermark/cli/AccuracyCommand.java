package org.tiermark.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.tiermark.InvalidInputException;
import org.tiermark.Suite;
import org.tiermark.accuracy.AccuracyReport;
import org.tiermark.accuracy.AccuracyStep;
import org.tiermark.model.Catalog;
import org.tiermark.operator.VariantStore;

/** {@code tiermark accuracy}: scores variants on their evaluation sets and writes {@code accuracy.json}. */
final class AccuracyCommand implements Command {
    @Override
    public String name() {
        return "accuracy";
    }

    @Override
    public String summary() {
        return "score variants on their evaluation sets, write <run>/accuracy.json";
    }

    @Override
    public String usage() {
        return """
                usage: tiermark accuracy [--model M[,M..]] [--operator O[,O..]] [--set small|large] [--out RUN_DIR] [--home DIR]
                  --model     models to score (default: every model whose descriptor has an evaluation set)
                  --operator  operators to score (default: identity and every built variant of the model);
                              identity is always scored, as the reference for delta and agreement
                  --set       small (100 samples, as the studies) or large (>= 1000 where the data allow; default)
                  --out       run folder for accuracy.json (default: results/accuracy-<UTC time>);
                              refused when it already holds one: measurements are never overwritten

                Exit codes (the same rule as report and compare; messages on stderr):
                  0  ok
                  1  a variant could not be evaluated (listed under "errors" in accuracy.json), or an
                     unexpected error
                  2  bad or missing input: an unknown model, operator or --set, a missing evaluation set,
                     an --out folder that already holds accuracy.json""";
    }

    @Override
    public int run(String[] argv) throws IOException {
        Args a = Args.parse(name(), argv, Set.of("home", "model", "operator", "set", "out"), Set.of());
        Suite suite = Suite.load(Path.of(a.get("home", System.getProperty(Suite.HOME_PROPERTY, "."))));
        List<String> models = a.has("model") ? split(a.get("model", "")) : suite.catalog().models().values().stream()
                .filter(m -> m.descriptor().evaluation() != null).map(Catalog.Model::name).toList();
        if (models.isEmpty()) {
            throw new InvalidInputException("accuracy: no model has an evaluation set in " + suite.catalog().root());
        }
        List<String[]> pairs = new ArrayList<>();
        for (String model : models) {
            List<String> operators = a.has("operator") ? split(a.get("operator", "")) : builtOperators(suite.variants(), model);
            for (String op : operators) {
                pairs.add(new String[] {model, op});
            }
        }
        String set = a.get("set", "large");
        if (!AccuracyStep.SETS.contains(set)) {
            throw new InvalidInputException("unknown evaluation set '" + set + "'; valid: " + String.join(", ", AccuracyStep.SETS));
        }
        // a variant built by an older recipe (e.g. a step's version changed) would be scored under today's name
        List<String> stale = pairs.stream().filter(p -> suite.variants().isBuilt(p[0], p[1]) && !suite.variants().isCurrent(p[0], p[1]))
                .map(p -> p[0] + "/" + p[1]).toList();
        if (!stale.isEmpty()) {
            throw new InvalidInputException("accuracy: " + String.join(", ", stale) + " built by an older recipe or source model (a step's "
                    + "version or a default parameter changed since); rebuild with `tiermark variants --model M --operator OP` "
                    + "(or `mvn -P jmh verify`) before scoring");
        }
        Path out = a.has("out") ? Path.of(a.get("out", "")) : suite.home().resolve("results").resolve("accuracy-"
                + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        if (Files.exists(out.resolve(AccuracyStep.FILE))) {
            // a measurement is never replaced: the run keeps the accuracy it was reported with
            throw new InvalidInputException("--out " + out + ": already holds " + AccuracyStep.FILE
                    + "; measured results are never overwritten: give a new folder (or leave --out out)");
        }
        AccuracyReport r = AccuracyStep.run(suite, pairs, set, out);
        System.out.println("wrote " + out.resolve(AccuracyStep.FILE) + ": " + r.entries().size() + " entries, "
                + r.errors().size() + " errors");
        return r.errors().isEmpty() ? 0 : 1;
    }

    private static List<String> split(String s) {
        return Arrays.stream(s.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
    }

    /** identity plus every operator folder of the model that holds a manifest. */
    static List<String> builtOperators(VariantStore store, String model) throws IOException {
        List<String> out = new ArrayList<>(List.of("identity"));
        out.addAll(store.built(model));
        return out;
    }
}
