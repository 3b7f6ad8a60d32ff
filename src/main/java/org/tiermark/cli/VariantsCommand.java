package org.tiermark.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tiermark.InvalidInputException;
import org.tiermark.Preprocessors;
import org.tiermark.Suite;
import org.tiermark.data.Preprocessor;
import org.tiermark.model.Catalog;
import org.tiermark.onnx.OnnxGraph;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.Sessions;
import org.tiermark.onnx.Shapes;
import org.tiermark.operator.InputSamples;
import org.tiermark.operator.Operator;
import org.tiermark.operator.Partition;
import org.tiermark.operator.Variant;
import org.tiermark.operator.VariantBuilder;

/** {@code tiermark variants}: builds black-box variants into models/variants/ and lists partition cuts. */
final class VariantsCommand implements Command {
    @Override
    public String name() {
        return "variants";
    }

    @Override
    public String summary() {
        return "build black-box variants (sptq, partition, early-exit, hybrids) of catalog models; list partition cuts";
    }

    @Override
    public String usage() {
        return """
                usage: tiermark variants [--model M] [--operator O] [--param KEY=VALUE,...] [--force] [--check] [--home DIR]
                       tiermark variants --list-cuts MODEL [--shape INPUT=D1xD2x...;...]

                Builds each variant that is missing or stale (its recipe or source model changed) into
                models/variants/<model>/<operator>/ with a manifest.json; without --model every catalog model,
                without --operator every black-box operator: %s.

                  --model M        a catalog model (models/<M>.json)
                  --operator O     identity, sptq, partition, early-exit, or a composition such as sptq+partition
                  --param K=V,...  operator parameters over the model's operatorDefaults, e.g.
                                   partition.cut=stage3, early-exit.depth=2, sptq.calibration.samples=100,
                                   sptq.calibration.method=minmax|percentile, sptq.calibration.percentile=99.999
                  --force          rebuild even when the cached variant is current
                  --check          build nothing: hash every built variant's stage files against its manifest
                                   and list those not ready (exit 2 when any)
                  --list-cuts M    every valid single-tensor cut of M (a catalog model or an .onnx file) with the
                                   bytes crossing the link; an .onnx file with dynamic input sizes needs --shape
                  --shape S        input sizes for an .onnx file, e.g. input=1x3x224x224 (several separated by ';')
                  --home DIR       the project folder (default: -Dtiermark.home or the working directory)
                """.formatted(String.join(", ", Operator.BLACK_BOX));
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args a = Args.parse(name(), argv, Set.of("model", "operator", "param", "list-cuts", "shape", "home"), Set.of("force", "check"));
        Suite suite = a.get("home", null) == null ? Suite.fromSystemProperty() : Suite.load(Path.of(a.get("home", ".")));
        if (a.get("list-cuts", null) != null) {
            listCuts(suite, a.get("list-cuts", null), a.get("shape", ""));
            return 0;
        }
        Map<String, String> overrides = parseParams(a.get("param", ""));
        // without --model: the matrix's models (a reference model is built when its benchmark runs, or with --model)
        List<String> models = a.get("model", null) != null ? List.of(a.get("model", null))
                : suite.catalog().models().values().stream().filter(m -> m.descriptor().inMatrix()).map(m -> m.name()).toList();
        List<String> operators = a.get("operator", null) != null ? List.of(a.get("operator", null)) : Operator.BLACK_BOX;
        boolean force = a.get("force", null) != null;
        if (a.get("check", null) != null) {
            return check(suite, models, a.get("operator", null));
        }
        // every parameter of every variant is checked before any cache folder is touched
        Map<String, Map<String, String>> perOperator = new LinkedHashMap<>();
        for (String o : operators) {
            perOperator.put(o, overridesFor(Operator.parse(o), overrides, operators.size() > 1));
        }
        for (String k : overrides.keySet()) {
            if (perOperator.values().stream().noneMatch(p -> p.containsKey(k))) {
                throw new InvalidInputException("variants: --param " + k + " is read by none of the operators " + operators);
            }
        }
        for (String m : models) {
            for (String o : operators) {
                VariantBuilder.params(Operator.parse(o), suite.catalog().model(m).descriptor().operatorDefaults(),
                        perOperator.get(o));
            }
        }
        List<String> failed = new ArrayList<>();
        for (String m : models) {
            for (String o : operators) {
                long t = System.nanoTime();
                try {
                    Variant v = suite.variants().ensure(m, o, perOperator.get(o), force);
                    System.out.printf("%s/%s: %d stage(s) %s (%.1f s)%n", m, o, v.stageCount(),
                            v.manifest() == null ? v.stages().get(0) : v.manifest(), (System.nanoTime() - t) / 1e9);
                } catch (InvalidInputException e) {
                    if (models.size() == 1 && operators.size() == 1) {
                        throw e;
                    }
                    // one model without, say, residual blocks must not stop the others: say so and go on
                    System.err.printf("%s/%s: not built: %s%n", m, o, e.getMessage());
                    failed.add(m + "/" + o);
                }
            }
        }
        if (!failed.isEmpty()) {
            System.err.println("variants not built: " + String.join(", ", failed));
            return 2;
        }
        return 0;
    }

    /**
     * The overrides {@code op} reads. With several operators built at once a key goes to those that
     * read it; with one, every key is kept so that one it does not read is an error naming it.
     */
    static Map<String, String> overridesFor(Operator op, Map<String, String> overrides, boolean several) {
        Map<String, String> out = new LinkedHashMap<>();
        overrides.forEach((k, v) -> {
            if (!several || VariantBuilder.reads(op, k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Hashes every built variant's stage files against its manifest; exit 2 when any is not ready. */
    private static int check(Suite suite, List<String> models, String operator) throws Exception {
        int bad = 0;
        int ok = 0;
        for (String m : models) {
            for (String o : suite.variants().built(m)) {
                if (operator != null && !operator.equals(o)) {
                    continue;
                }
                List<String> problems = suite.variants().verify(m, o);
                if (problems.isEmpty()) {
                    ok++;
                    System.out.printf("%s/%s: ready%n", m, o);
                } else {
                    bad++;
                    System.err.printf("%s/%s: not ready: %s%n", m, o, String.join("; ", problems));
                }
            }
        }
        System.out.printf("%d variant(s) ready, %d not ready%n", ok, bad);
        return bad == 0 ? 0 : 2;
    }

    static Map<String, String> parseParams(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        if (s == null || s.isBlank()) {
            return out;
        }
        for (String kv : s.split(",")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new InvalidInputException("variants: --param needs KEY=VALUE pairs separated by ',' (got '" + kv + "')");
            }
            out.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
        }
        return out;
    }

    private static void listCuts(Suite suite, String model, String shapeSpec) throws Exception {
        OrtEnvironment env = Sessions.environment();
        Path file;
        Map<String, OnnxTensor> sample;
        Preprocessor pre = null;
        if (suite.catalog().models().containsKey(model)) {
            Catalog.Model m = suite.catalog().model(model);
            file = m.onnx();
            pre = Preprocessors.create(m, env);
            sample = pre.prepare(Preprocessors.pool(m, 1).get(0));
        } else if (Files.isRegularFile(Path.of(model))) {
            file = Path.of(model);
            sample = null;
        } else {
            throw InvalidInputException.unknown("model", model, null, suite.catalog().models().keySet());
        }
        try {
            OnnxGraph g = new OnnxGraph(OnnxModels.load(file));
            if (sample == null) {
                sample = InputSamples.fromDeclaredShapes(g, parseShapes(shapeSpec)).get(env, 0);
            }
            Map<String, Shapes.Info> shapes = Shapes.probe(env, g, sample);
            List<Partition.Cut> cuts = Partition.cuts(g, shapes);
            String def = Partition.defaultCut(g, shapes).tensor();
            System.out.printf("%d valid single-tensor cuts of %s (bytes for the probe input; * = default cut)%n", cuts.size(), file);
            System.out.printf("%-4s %12s %12s  %-30s %s%n", "", "cut bytes", "also sent", "shape", "tensor");
            for (Partition.Cut c : cuts) {
                System.out.printf("%-4s %12d %12s  %-30s %s%n", c.tensor().equals(def) ? "*" : "", c.payloadBytes(),
                        c.passThroughInputs().isEmpty() ? "" : c.passThroughBytes() + " " + c.passThroughInputs(),
                        Arrays.toString(shapes.get(c.tensor()).shape()), c.tensor());
            }
        } finally {
            if (sample != null) {
                sample.values().forEach(OnnxTensor::close);
            }
            if (pre != null) {
                pre.close();
            }
        }
    }

    static Map<String, long[]> parseShapes(String spec) {
        Map<String, long[]> out = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return out;
        }
        for (String part : spec.split(";")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new InvalidInputException("variants: --shape needs INPUT=D1xD2x... (got '" + part + "')");
            }
            List<Long> dims = new ArrayList<>();
            for (String d : part.substring(eq + 1).split("[x,]")) {
                try {
                    dims.add(Long.parseLong(d.strip()));
                } catch (NumberFormatException e) {
                    throw new InvalidInputException("variants: --shape " + part + ": '" + d + "' is not a size");
                }
            }
            out.put(part.substring(0, eq).strip(), dims.stream().mapToLong(Long::longValue).toArray());
        }
        return out;
    }
}
