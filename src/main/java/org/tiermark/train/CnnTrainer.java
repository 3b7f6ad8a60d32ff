package org.tiermark.train;

import ai.djl.Model;
import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.data.FashionMnist;
import org.tiermark.model.Catalog;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.operator.StepContext;
import org.tiermark.operator.VariantBuilder;

/**
 * The white-box trainers of tiermark's Fashion-MNIST CNNs (resnet-fmnist, resnext-fmnist): one per
 * operator, each a thin adapter from the step's parameters to {@link Distillation}, {@link Pruning},
 * {@link ChannelPruning} and {@link Qat}. Defaults are those of the committed, measured runs under
 * {@code models/trained/<model>-<operator>/}, so that those seed the trained-model cache.
 */
public final class CnnTrainer implements WhiteboxTrainer {
    /** Bumped when the training code changes what it produces: cached trained models are retrained. */
    static final int VERSION = 1;
    /**
     * qat's own version: 2 since its ranges start from sptq's calibration and it trains a full epoch; 3 since
     * the head stays in float, as sptq (version 2) keeps the output layer.
     */
    static final int QAT_VERSION = 3;
    static final String ALL = "all";

    private final String operator;
    private final Map<String, String> parameters;

    private CnnTrainer(String operator, Map<String, String> own) {
        this.operator = operator;
        Map<String, String> p = new TreeMap<>();
        p.put(key("epochs"), own.getOrDefault("epochs", "1"));
        p.put(key("learning-rate"), own.get("learning-rate"));
        p.put(key("batch-size"), "128");
        p.put(key("seed"), "1");
        p.put(key("train-limit"), ALL);
        p.put(key("test-limit"), ALL);
        p.put(key("max-steps"), own.getOrDefault("max-steps", "0"));
        own.forEach((k, v) -> {
            if (!k.equals("epochs") && !k.equals("learning-rate") && !k.equals("max-steps")) {
                p.put(key(k), v);
            }
        });
        this.parameters = Map.copyOf(p);
    }

    /** Half the widths, T = 4, alpha = 0.7, 4 epochs from scratch at Adam 2e-3 (models/trained/*-distill). */
    public static CnnTrainer distill() {
        return new CnnTrainer(Distillation.OPERATOR, Map.of("epochs", "4", "learning-rate", "0.002",
                "temperature", "4", "alpha", "0.7", "width-ratio", "0.5"));
    }

    /** 75% per layer over the first 60% of 1 epoch, masks every 10 steps, Adam 5e-4 (models/trained/resnet-fmnist-prune). */
    public static CnnTrainer prune() {
        return new CnnTrainer(Pruning.OPERATOR, Map.of("epochs", "1", "learning-rate", "0.0005",
                "sparsity", "0.75", "ramp-share", "0.6", "update-every", "10"));
    }

    /** Half the channels inside every unit, 2 epochs of fine-tuning at Adam 1e-3. */
    public static CnnTrainer pruneChannels() {
        return new CnnTrainer(ChannelPruning.OPERATOR, Map.of("epochs", "2", "learning-rate", "0.001", "sparsity", "0.5"));
    }

    /** One epoch (469 steps) of fake-quantized fine-tuning from sptq's ranges at Adam 1e-4 (models/trained/resnet-fmnist-qat). */
    public static CnnTrainer qat() {
        return new CnnTrainer(Qat.OPERATOR, Map.of("epochs", "1", "learning-rate", "0.0001"));
    }

    private String key(String name) {
        return operator + "." + name;
    }

    @Override
    public String operator() {
        return operator;
    }

    @Override
    public int version() {
        return operator.equals(Qat.OPERATOR) ? QAT_VERSION : VERSION;
    }

    @Override
    public boolean trains(VariantBuilder.Source source) {
        return architecture(source).isPresent();
    }

    /**
     * The architecture of {@code source}: an image classifier of the catalog whose ONNX graph holds
     * exactly the parameters (batch norm folded, as the exporter writes them) of one of the CNNs.
     */
    static Optional<Architecture> architecture(VariantBuilder.Source source) {
        Optional<Catalog.Model> m = source.catalogEntry();
        if (m.isEmpty() || !"image-classification".equals(m.get().descriptor().task()) || !Files.isRegularFile(source.onnx())) {
            return Optional.empty();
        }
        long held = parameterCount(source.onnx());
        return Architecture.NAMES.stream().map(Architecture::byName).filter(a -> a.cost().parameters() == held).findFirst();
    }

    private static final Map<Path, Long> COUNTS = new java.util.concurrent.ConcurrentHashMap<>();

    private static long parameterCount(Path onnx) {
        return COUNTS.computeIfAbsent(onnx.toAbsolutePath(), p -> {
            long n = 0;
            for (OnnxMl.TensorProto t : OnnxModels.load(p).getGraph().getInitializerList()) {
                long size = 1;
                for (long d : t.getDimsList()) {
                    size *= d;
                }
                n += size;
            }
            return n;
        });
    }

    @Override
    public Map<String, String> parameters() {
        return parameters;
    }

    @Override
    public Optional<String> notApplicable(VariantBuilder.Source source) {
        Path folder = FashionMnist.folder();
        for (FashionMnist.Split s : FashionMnist.Split.values()) {
            if (!Files.isRegularFile(folder.resolve(s.imagesFile())) || !Files.isRegularFile(folder.resolve(s.labelsFile()))) {
                return Optional.of("no training data: " + folder.resolve(s.imagesFile()) + " is missing (Debian package "
                        + FashionMnist.PACKAGE + ", or -D" + FashionMnist.FOLDER_PROPERTY + "=FOLDER with the four idx files)");
            }
        }
        if (!operator.equals(Distillation.OPERATOR)) {
            Architecture a = architecture(source).orElseThrow();
            Path params = source.onnx().resolveSibling(a.name() + "-0000.params");
            if (!Files.isRegularFile(params)) {
                return Optional.of(operator + " fine-tunes the trained network, whose DJL parameters " + params
                        + " are missing (`tiermark train --model " + a.name() + "` writes them)");
            }
        }
        return Optional.empty();
    }

    /**
     * qat fine-tunes a network a training step made (the student of {@code distill}, the network of
     * {@code prune-channels}) when its export reads back as a network of the catalog model's family
     * ({@link OnnxNetwork}); the other CNN trainers build their own network from the catalog model.
     */
    @Override
    public Optional<String> cannotTrainFrom(OnnxMl.ModelProto model, VariantBuilder.Source source) {
        if (!operator.equals(Qat.OPERATOR)) {
            return Optional.of(operator + " builds its network from the catalog model");
        }
        Optional<Architecture> family = architecture(source);
        if (family.isEmpty()) {
            return Optional.of(source.model() + " is not one of the CNNs " + Architecture.NAMES);
        }
        try {
            OnnxNetwork.architecture(model, family.get());
            return Optional.empty();
        } catch (InvalidInputException e) {
            return Optional.of(e.getMessage());
        }
    }

    @Override
    public String dataSha256(VariantBuilder.Source source) {
        Path folder = FashionMnist.folder();
        StringBuilder all = new StringBuilder();
        for (FashionMnist.Split s : FashionMnist.Split.values()) {
            all.append(OnnxModels.sha256(folder.resolve(s.imagesFile()))).append(OnnxModels.sha256(folder.resolve(s.labelsFile())));
        }
        return OnnxModels.sha256(all.toString());
    }

    @Override
    public void validate(Map<String, String> p, VariantBuilder.Source source) {
        Architecture a = architecture(source).orElseThrow(() -> new InvalidInputException(source.model()
                + ": not one of the CNNs " + Architecture.NAMES + " (" + operator + ")"));
        Settings s = settings(p);
        switch (operator) {
            case Distillation.OPERATOR -> {
                if (!(s.temperature > 0) || Double.isInfinite(s.temperature)) {
                    throw new InvalidInputException(key("temperature") + ": must be > 0 (got " + p.get(key("temperature")) + ")");
                }
                if (!(s.alpha >= 0 && s.alpha <= 1)) {
                    throw new InvalidInputException(key("alpha") + ": the soft term's weight must be in [0, 1] (got "
                            + p.get(key("alpha")) + ")");
                }
                if (!(s.widthRatio > 0 && s.widthRatio < 1)) {
                    throw new InvalidInputException(key("width-ratio") + ": the student's share of the teacher's widths must be "
                            + "in (0, 1) and make the student at least 2x cheaper (<= 0.7 here) (got " + p.get(key("width-ratio")) + ")");
                }
                Architecture student = a.narrower(a.name() + "-student", s.widthRatio);
                if (2 * student.cost().multiplyAdds() > a.cost().multiplyAdds()) {
                    throw new InvalidInputException(key("width-ratio") + " " + s.widthRatio + ": the student of " + a.name()
                            + " needs " + student.cost().multiplyAdds() + " multiply-adds per image, more than half the "
                            + "teacher's " + a.cost().multiplyAdds() + "; a student must be at least 2x cheaper (choose <= 0.7)");
                }
            }
            case Pruning.OPERATOR -> new Pruning.Params(sparsity(p, s), s.rampShare, s.updateEvery, s.training);
            case ChannelPruning.OPERATOR -> ChannelPruning.pruned(a, sparsity(p, s));
            default -> { }
        }
    }

    private double sparsity(Map<String, String> p, Settings s) {
        if (!(s.sparsity >= 0 && s.sparsity < 1)) {
            throw new InvalidInputException(key("sparsity") + ": the share removed must be in [0, 1) (got " + p.get(key("sparsity")) + ")");
        }
        return s.sparsity;
    }

    /** The parameters as numbers; a value that is not one names its key. */
    private record Settings(FashionMnistTrainer.Options training, int testLimit, double temperature, double alpha,
                            double widthRatio, double sparsity, double rampShare, int updateEvery) {}

    private Settings settings(Map<String, String> p) {
        int epochs = integer(p, "epochs", 1);
        int batch = integer(p, "batch-size", 1);
        double lr = number(p, "learning-rate");
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new InvalidInputException(key("learning-rate") + ": must be > 0 (got " + p.get(key("learning-rate")) + ")");
        }
        int seed = integer(p, "seed", 0);
        int trainLimit = limit(p, "train-limit");
        int testLimit = limit(p, "test-limit");
        int maxSteps = integer(p, "max-steps", 0);
        FashionMnistTrainer.Options o = new FashionMnistTrainer.Options(epochs, batch, (float) lr, 5e-5f, seed, trainLimit,
                maxSteps, true);
        return new Settings(o, testLimit, p.containsKey(key("temperature")) ? number(p, "temperature") : 0,
                p.containsKey(key("alpha")) ? number(p, "alpha") : 0,
                p.containsKey(key("width-ratio")) ? number(p, "width-ratio") : 0,
                p.containsKey(key("sparsity")) ? number(p, "sparsity") : 0,
                p.containsKey(key("ramp-share")) ? number(p, "ramp-share") : 1,
                p.containsKey(key("update-every")) ? integer(p, "update-every", 1) : 1);
    }

    private int limit(Map<String, String> p, String name) {
        String v = p.get(key(name)).strip();
        return v.equals(ALL) ? Integer.MAX_VALUE : integer(p, name, 1);
    }

    private int integer(Map<String, String> p, String name, int min) {
        String v = p.get(key(name));
        try {
            int i = Integer.parseInt(v.strip());
            if (i < min) {
                throw new InvalidInputException(key(name) + ": must be >= " + min + " (got " + v + ")");
            }
            return i;
        } catch (NumberFormatException e) {
            throw new InvalidInputException(key(name) + ": must be an integer >= " + min + " (got '" + v + "')");
        }
    }

    private double number(Map<String, String> p, String name) {
        String v = p.get(key(name));
        try {
            return Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(key(name) + ": must be a number (got '" + v + "')");
        }
    }

    @Override
    public Trained train(OnnxMl.ModelProto source, StepContext ctx, Path work) throws Exception {
        VariantBuilder.Source src = ctx.source();
        validate(ctx.params(), src);
        Architecture a = architecture(src).orElseThrow();
        Settings s = settings(ctx.params());
        Path teacher = src.onnx().getParent();
        long prep = System.nanoTime();
        FmnistInputs train = FmnistInputs.of(FashionMnist.load(FashionMnist.Split.TRAIN), a.inputSize(), s.training.trainLimit());
        FmnistInputs test = FmnistInputs.of(FashionMnist.load(FashionMnist.Split.TEST), a.inputSize(), s.testLimit);
        System.out.printf("%s %s: %d training / %d test images prepared in %.1f s%n", src.model(), operator, train.size(),
                test.size(), (System.nanoTime() - prep) / 1e9);
        TrainedVariant<?> v = switch (operator) {
            case Distillation.OPERATOR -> Distillation.distill(a, src.onnx(), train, test,
                    new Distillation.Params(s.widthRatio, (float) s.temperature, (float) s.alpha, s.training, 1), work,
                    e -> print(src.model(), e));
            case Pruning.OPERATOR -> Pruning.prune(a, teacher, train, test,
                    new Pruning.Params(s.sparsity, s.rampShare, s.updateEvery, s.training), work, e -> print(src.model(), e));
            case ChannelPruning.OPERATOR -> ChannelPruning.prune(a, teacher, train, test,
                    new ChannelPruning.Params(s.sparsity, s.training), work, e -> print(src.model(), e));
            case Qat.OPERATOR -> TrainedModels.isCatalogModel(src, source)
                    ? Qat.qat(a, teacher, train, test, new Qat.Params(s.training), work, e -> print(src.model(), e))
                    : qatOfTrained(source, a, train, test, s, work, e -> print(src.model(), e));
            default -> throw new IllegalStateException(operator);
        };
        Map<String, Object> section = section(v, work);
        if (v.details() instanceof Pruning.Details d) {
            section.put("sparsityWithinOnePoint", checkSparsity(d, s.sparsity));
        }
        return new Trained(OnnxModels.load(v.onnx()), section);
    }

    /**
     * qat of the model a training step before it made: its network read back from the ONNX
     * ({@link OnnxNetwork}, architecture from the shapes, not the catalog model's), the file kept beside
     * the result as {@code source.onnx} for qat's start check and sptq reference.
     */
    private static TrainedVariant<?> qatOfTrained(OnnxMl.ModelProto source, Architecture family, FmnistInputs train,
                                                  FmnistInputs test, Settings s, Path work, Consumer<TrainingLoop.Epoch> log)
            throws Exception {
        Architecture a = OnnxNetwork.architecture(source, family);
        Path file = work.resolve("source.onnx");
        OnnxModels.save(source, file);
        System.out.printf("qat of the previous step's model: %s, %d parameters, %d multiply-adds per image%n", a,
                a.cost().parameters(), a.cost().multiplyAdds());
        try (Model model = OnnxNetwork.load(source, a)) {
            return Qat.qat(a, model, file, train, test, new Qat.Params(s.training), work, log);
        }
    }

    /** Unstructured pruning's promise (issue 12): every pruned layer within 1 point of the target; else the model is refused. */
    static boolean checkSparsity(Pruning.Details d, double target) {
        for (Pruning.LayerSparsity l : d.layers()) {
            if (Math.abs(l.sparsity() - target) > SPARSITY_TOLERANCE) {
                throw new IllegalStateException("prune: layer " + l.layer() + " reached sparsity " + l.sparsity()
                        + ", more than 1 point from the target " + target + " (" + l.zeros() + " of " + l.weights() + " weights zero)");
            }
        }
        return true;
    }

    /** Largest gap between a pruned layer's achieved and target sparsity: 1 point. */
    static final double SPARSITY_TOLERANCE = 0.01;

    /** The manifest section: the training record with its paths relative to the trained model's folder. */
    public static Map<String, Object> section(TrainedVariant<?> v, Path folder) {
        Map<String, Object> m = new LinkedHashMap<>(Json.MAPPER.convertValue(v, new TypeReference<Map<String, Object>>() {}));
        m.put("onnx", relative(folder, v.onnx()));
        m.put("checkpoint", v.checkpoint() == null ? null : relative(folder, v.checkpoint()));
        // no details (distill): left out rather than null
        m.values().removeIf(x -> x == null);
        return m;
    }

    private static String relative(Path folder, Path file) {
        return folder.toAbsolutePath().normalize().relativize(file.toAbsolutePath().normalize()).toString();
    }

    private static void print(String model, TrainingLoop.Epoch e) {
        System.out.printf("%s: epoch %d: loss %.4f, train accuracy %.4f, test accuracy %.4f, %.0f s%n",
                model, e.epoch(), e.trainLoss(), e.trainAccuracy(), e.testAccuracy(), e.nanos() / 1e9);
    }

    /** Reads a committed training record (training.json's {@code variant}) as a manifest section. */
    static Map<String, Object> committedSection(Path trainingJson) throws IOException {
        Map<String, Object> all = Json.MAPPER.readValue(trainingJson.toFile(), new TypeReference<Map<String, Object>>() {});
        @SuppressWarnings("unchecked")
        Map<String, Object> v = (Map<String, Object>) all.getOrDefault("variant", all);
        return v;
    }
}
