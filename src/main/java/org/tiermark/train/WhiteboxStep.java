package org.tiermark.train;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.tiermark.InvalidInputException;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.operator.OperatorStep;
import org.tiermark.operator.StepContext;
import org.tiermark.operator.StepResult;
import org.tiermark.operator.VariantBuilder;

/**
 * A white-box operator as an operator step: it trains, reading the catalog model's data and teacher,
 * from the catalog model as a chain's first step, or from the previous training step's model when it
 * {@linkplain #trainsGivenModel trains the model it is given} ({@code distill+qat}). The training itself is the business of the {@link WhiteboxTrainer}
 * that trains the source model ({@link WhiteboxTrainers#find}); the trained model comes from the
 * {@link TrainedModels} cache, so that every variant starting with the same training trains once.
 * The parameters are the union of its trainers' keys; where trainers disagree on a default, the
 * declared default is {@value #TRAINER_DEFAULT}: each trainer then uses its own (and the recipe says so).
 */
public abstract class WhiteboxStep implements OperatorStep {
    /** The declared default of a key whose default differs between trainers: the trainer's own applies. */
    public static final String TRAINER_DEFAULT = "auto";

    private final String word;
    private final int version;
    private final Map<String, String> parameters;

    protected WhiteboxStep(String word, int version) {
        this.word = word;
        this.version = version;
        Map<String, String> union = new TreeMap<>();
        for (WhiteboxTrainer t : trainers()) {
            t.parameters().forEach((k, v) -> {
                if (!k.startsWith(word + ".")) {
                    throw new IllegalStateException(t.getClass().getName() + ": parameter '" + k + "' must start with '" + word + ".'");
                }
                union.merge(k, v, (a, b) -> a.equals(b) ? a : TRAINER_DEFAULT);
            });
        }
        this.parameters = Map.copyOf(union);
    }

    private List<WhiteboxTrainer> trainers() {
        return WhiteboxTrainers.all().stream().filter(t -> t.operator().equals(word)).toList();
    }

    @Override
    public final String word() {
        return word;
    }

    /**
     * The step's own version and its trainers': bumping a trainer's version (it trains differently)
     * rebuilds the variants of this step, not only the trained model under them.
     */
    @Override
    public final int version() {
        return version * 1000 + trainers().stream().mapToInt(WhiteboxTrainer::version).sum();
    }

    @Override
    public final Map<String, String> parameters() {
        return parameters;
    }

    @Override
    public final boolean trains() {
        return true;
    }

    /** Values are checked against the model's trainer (ranges may depend on it) in {@link #notApplicable}. */
    @Override
    public void validate(Map<String, String> params) {
        params.forEach((k, v) -> {
            if (v == null || v.isBlank()) {
                throw new InvalidInputException("operator parameter '" + k + "': empty; its default is '" + parameters.get(k) + "'");
            }
        });
    }

    /**
     * Why no trainer trains the model (naming the trainers there are and what they train), else the
     * trainer's own reason (no training data: which package or file provides it); parameters out of
     * their range for this model's trainer throw here, before anything is trained or cached.
     */
    @Override
    public Optional<String> notApplicable(StepContext ctx) {
        VariantBuilder.Source src = ctx.source();
        Optional<WhiteboxTrainer> t = WhiteboxTrainers.find(word, src);
        if (t.isEmpty()) {
            String task = src.catalogEntry().map(m -> "task '" + m.descriptor().task() + "'").orElse("a model outside the catalog");
            List<WhiteboxTrainer> all = trainers();
            return Optional.of("no " + word + " trainer trains " + src.model() + " (" + task + "): "
                    + (all.isEmpty() ? "none is registered in WhiteboxTrainers"
                    : "registered: " + all.stream().map(x -> x.getClass().getSimpleName()).collect(Collectors.joining(", ")))
                    + "; no training data or trainer for this kind of model");
        }
        Optional<String> why = t.get().notApplicable(src);
        if (why.isEmpty()) {
            t.get().validate(own(t.get(), ctx.params()), src);
        }
        return why;
    }

    /** The parameters in effect for trainer {@code t}: its keys, {@value #TRAINER_DEFAULT} replaced by its default. */
    static Map<String, String> own(WhiteboxTrainer t, Map<String, String> params) {
        Map<String, String> p = new TreeMap<>();
        t.parameters().forEach((k, d) -> {
            String v = params.getOrDefault(k, d);
            p.put(k, v == null || v.strip().equals(TRAINER_DEFAULT) ? d : v.strip());
        });
        return p;
    }

    @Override
    public StepResult apply(OnnxMl.ModelProto source, StepContext ctx) throws OrtException {
        WhiteboxTrainer t = WhiteboxTrainers.find(word, ctx.source()).orElseThrow(() -> new InvalidInputException(
                ctx.source().model() + ": " + notApplicable(ctx).orElse("no " + word + " trainer")));
        Map<String, String> params = own(t, ctx.params());
        StepContext own = new StepContext(ctx.env(), ctx.source(), params, ctx.neededLater(), ctx.pinned());
        boolean chained = !TrainedModels.isCatalogModel(ctx.source(), source);
        String sourceSha = chained ? TrainedModels.sha256(source) : OnnxModels.sha256(ctx.source().onnx());
        if (chained) {
            // the previous training step's model: refused here, before a work folder exists, when this trainer cannot read it
            Optional<String> why = trainsGivenModel() ? t.cannotTrainFrom(source, ctx.source())
                    : Optional.of(word + " builds its network from the catalog model");
            if (why.isPresent()) {
                throw new InvalidInputException(ctx.source().model() + " " + word + ": cannot train the previous step's model: "
                        + why.get());
            }
        }
        TrainedModels.Obtained o;
        try {
            o = TrainedModels.obtain(t, source, sourceSha, own);
        } catch (OrtException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(ctx.source().model() + " " + word + ": " + e.getMessage(), e);
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("trainer", t.getClass().getSimpleName());
        s.put("trainedModel", o.how());
        s.put("trainingRecipeSha256", TrainedModels.recipe(t, ctx.source(), sourceSha, params).sha256());
        if (chained) {
            s.put("trainedFrom", "the previous step's model (SHA-256 " + sourceSha + ")");
        }
        s.put("params", params);
        s.putAll(o.section());
        return StepResult.of(o.model(), s);
    }
}
