package org.tiermark.cli;

import ai.djl.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.data.FashionMnist;
import org.tiermark.data.FashionMnistSets;
import org.tiermark.train.Architecture;
import org.tiermark.train.FashionMnistTrainer;
import org.tiermark.train.FmnistInputs;
import org.tiermark.train.HeadTrainer;
import org.tiermark.train.Network;
import org.tiermark.train.OnnxExporter;
import org.tiermark.train.OnnxLogits;

/**
 * {@code tiermark train}: trains one of tiermark's own image classifiers on Fashion-MNIST with DJL,
 * evaluates it, exports it to ONNX and checks the ONNX model against DJL on the whole test split (or
 * writes the committed Fashion-MNIST sets); for a text model, trains its classification head.
 */
final class TrainCommand implements Command {
    private static final Set<String> OPTIONS = Set.of("model", "epochs", "seed", "batch-size", "lr", "threads",
            "train-limit", "max-steps", "out", "params", "init", "home", "limit", "operator", "temperature", "alpha",
            "width-ratio", "sparsity", "teacher", "layers", "rounds");
    private static final Set<String> FLAGS = Set.of("export-data", "export-only", "no-augment", "no-eval");
    /** Epochs of the recipe that produced each committed model (models/trained/MODEL/README.md). */
    static final Map<String, Integer> RECIPE_EPOCHS = Map.of("resnet-fmnist", 4, "resnext-fmnist", 5);

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train an image classifier on Fashion-MNIST (DJL) and export it, or a text model's head";
    }

    @Override
    public String usage() {
        return """
                usage: tiermark train --model resnet-fmnist|resnext-fmnist [--epochs N] [--seed S] [options]
                       tiermark train --export-data
                Trains the model with DJL (PyTorch engine) on the 60k Fashion-MNIST training images (Debian package
                dataset-fashion-mnist, or -Dtiermark.fashionMnist=FOLDER), reports test accuracy on the 10k test
                images, saves the DJL parameters, exports ONNX and checks ONNX Runtime's logits against DJL's.
                  --epochs N        passes over the training data (default: the committed model's recipe, 4 for
                                    resnet-fmnist, 5 for resnext-fmnist)
                  --seed S          weight-initialization, shuffling and augmentation seed (default 1)
                  --batch-size N    images per step (default 128)
                  --lr X            Adam's peak learning rate, cosine decay (default 0.002)
                  --threads N       PyTorch intra-op threads (default 2)
                  --train-limit N   use only the first N training images (smoke runs)
                  --max-steps N     stop after N steps (smoke runs)
                  --no-augment      no random flips and shifts (e.g. for a final fine-tune with --init)
                  --out DIR         where model.onnx and training.json go (default models/trained/<model>)
                  --params DIR      where the DJL parameters go (default: the --out folder)
                  --init DIR        start from the DJL parameters saved in DIR (fine-tuning) instead of a fresh
                                    initialization
                  --export-only     skip training: load the DJL parameters from --params, export and check
                  --export-data     write data/fashion-mnist/{eval-100,eval-1000,pool,calibration} and exit
                  --home DIR        project folder (default -Dtiermark.home or the working directory)

                usage: tiermark train --model resnet-fmnist|resnext-fmnist --operator OP [options]
                Builds a white-box variant of the committed model with DJL (docs/operators.md) into --out
                (default target/whitebox/<model>-<OP>): model.onnx, training.json (the manifest's content),
                checkpoint/ (the last good DJL parameters, kept when a run diverges).
                  --operator OP     distill | prune | prune-channels | qat
                  --teacher DIR     the source model's folder (default models/trained/<model>)
                  --epochs N        default: the operator's (distill 4, prune 2, prune-channels 2, qat 1)
                  --lr X            default: the operator's (2e-3 from scratch, lower when fine-tuning)
                  --temperature T   distill: softening temperature, > 0 (default 4)
                  --alpha A         distill: weight of the soft term in [0, 1] (default 0.7)
                  --width-ratio R   distill: student widths / teacher widths in (0, 1), student <= 1/2 the
                                    teacher's multiply-adds (default 0.5)
                  --sparsity S      prune: share of zero weights per layer in [0, 1) (default 0.75);
                                    prune-channels: share of channels removed inside units (default 0.5)

                usage: tiermark train --model minilm-spam|bge-spam [--home DIR] [--limit N] [--threads T]
                  embeds the SpamAssassin train split with the encoder + mean pooling (ONNX Runtime, T threads,
                  default 2), fits softmax regression (deterministic), writes models/heads/<model>.json and
                  models/base/<model>/<model>.onnx. --limit caps the training e-mails (default: all).

                usage: tiermark train --model minilm-spam|bge-spam --operator OP [options]
                Builds a white-box variant of the text classifier with DJL into --out (default
                target/whitebox/<model>-<OP>): model.onnx, training.json, work/ (checkpoint, teacher logits), then
                reports F1 on the large evaluation set and model latency paired with the source (1 thread).
                  --operator OP     distill | finetune | prune | prune-channels
                  --layers L        distill: teacher layers the student starts from (default 0,2,4)
                  --epochs N, --lr X, --batch-size N, --seed S, --threads N, --train-limit N, --max-steps N,
                  --temperature T, --alpha A, --sparsity S: the operator's parameters (docs/operators.md)
                  --rounds N        paired latency rounds (default 100; 0 skips), --no-eval skips the evaluation""";
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args args = Args.parse(name(), argv, OPTIONS, FLAGS);
        Path home = Path.of(args.get("home", System.getProperty("tiermark.home", "."))).toAbsolutePath().normalize();
        if (args.has("export-data")) {
            return exportData(home);
        }
        String modelName = args.get("model", null);
        if (modelName == null) {
            throw new InvalidInputException("train: --model is required; valid: " + String.join(", ", validModels()));
        }
        if (args.has("operator")) {
            return WhiteboxTraining.run(args, home, modelName, argv);
        }
        if (HeadTrainer.ENCODERS.containsKey(modelName)) {
            return trainHead(args, home, modelName);
        }
        if (!Architecture.NAMES.contains(modelName)) {
            throw new InvalidInputException("train: unknown model '" + modelName + "'; valid: " + String.join(", ", validModels()));
        }
        Architecture arch = Architecture.byName(modelName);
        int threads = TrainCommand.pytorchThreads(args);
        FashionMnistTrainer.Options options = new FashionMnistTrainer.Options(
                args.getInt("epochs", RECIPE_EPOCHS.get(arch.name())), args.getInt("batch-size", 128), (float) args.getDouble("lr", 2e-3),
                5e-5f, args.getInt("seed", 1), args.getInt("train-limit", Integer.MAX_VALUE), args.getInt("max-steps", 0),
                !args.has("no-augment"));
        Path out = Path.of(args.get("out", home.resolve("models/trained").resolve(arch.name()).toString()));
        // the DJL parameters are small: they sit next to the ONNX model so that the export can be re-checked
        Path params = Path.of(args.get("params", out.toString()));

        long prepStart = System.nanoTime();
        FmnistInputs test = FmnistInputs.of(FashionMnist.load(FashionMnist.Split.TEST), arch.inputSize(), Integer.MAX_VALUE);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", arch.name());
        report.put("architecture", arch);
        report.put("cost", arch.cost());
        Path init = args.has("export-only") ? params : args.has("init") ? Path.of(args.get("init", "")) : null;
        try (Model model = init != null ? FashionMnistTrainer.load(arch, init) : FashionMnistTrainer.newModel(arch)) {
            if (!args.has("export-only")) {
                FmnistInputs train = FmnistInputs.of(FashionMnist.load(FashionMnist.Split.TRAIN), arch.inputSize(),
                        options.trainLimit());
                System.out.printf("%s: %d training / %d test images at %dx%d prepared in %.1f s; %d PyTorch threads%n",
                        arch.name(), train.size(), test.size(), arch.inputSize(), arch.inputSize(),
                        (System.nanoTime() - prepStart) / 1e9, threads);
                long start = System.nanoTime();
                List<FashionMnistTrainer.Epoch> epochs = FashionMnistTrainer.train(model, train, test, options,
                        e -> System.out.printf("epoch %d: loss %.4f, test accuracy %.4f, %.0f s%n",
                                e.epoch(), e.trainLoss(), e.testAccuracy(), e.nanos() / 1e9));
                long trainNanos = System.nanoTime() - start;
                report.put("options", options);
                report.put("epochs", epochs);
                report.put("trainingSeconds", trainNanos / 1e9);
                // wall time depends on what else the machine runs; the process's CPU time much less so
                if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        instanceof com.sun.management.OperatingSystemMXBean os) {
                    report.put("processCpuSeconds", os.getProcessCpuTime() / 1e9);
                }
                report.put("command", "tiermark train " + String.join(" ", argv));
                Path saved = FashionMnistTrainer.save(model, params);
                System.out.println("DJL parameters: " + saved);
            }
            float[][] djl = FashionMnistTrainer.logits(model, test, FashionMnistTrainer.EVAL_BATCH);
            Path onnx = out.resolve("model.onnx");
            long bytes = OnnxExporter.write((Network) model.getBlock(), onnx);
            float[][] ort = OnnxLogits.of(onnx, test, 500, threads);
            double diff = OnnxLogits.maxAbsDiff(djl, ort);
            double djlAccuracy = OnnxLogits.accuracy(djl, test);
            double ortAccuracy = OnnxLogits.accuracy(ort, test);
            report.put("testImages", test.size());
            report.put("testAccuracyDjl", djlAccuracy);
            report.put("testAccuracyOnnx", ortAccuracy);
            report.put("maxAbsLogitDiffOnnxVsDjl", diff);
            report.put("onnxBytes", bytes);
            System.out.printf("%s: test accuracy DJL %.4f, ONNX Runtime %.4f; max |logit diff| %.2e; %s (%d bytes)%n",
                    arch.name(), djlAccuracy, ortAccuracy, diff, onnx, bytes);
            if (!args.has("export-only")) {
                Json.writeAtomically(out.resolve("training.json"), report);
            }
            if (diff > 1e-4) {
                System.err.println("train: ONNX logits differ from DJL's by " + diff + " (> 1e-4): the export is wrong");
                return 1;
            }
        }
        return 0;
    }

    private static List<String> validModels() {
        List<String> all = new java.util.ArrayList<>(Architecture.NAMES);
        all.addAll(HeadTrainer.ENCODERS.keySet().stream().sorted().toList());
        return all;
    }

    /** A text model: embeds the spam corpus with its encoder and fits the classification head. */
    private static int trainHead(Args a, Path home, String model) throws Exception {
        HeadTrainer.Result r = HeadTrainer.train(home, model, a.getInt("limit", Integer.MAX_VALUE), a.getInt("threads", 2));
        System.out.printf("%s: %d training e-mails embedded in %.1f s; lambda %.0e, hold-out F1 %.4f, train F1 %.4f%n",
                model, r.samples(), r.embedSeconds(), r.lambda(), r.holdoutF1(), r.trainF1());
        return 0;
    }

    private static int exportData(Path home) throws Exception {
        Path target = home.resolve("data/fashion-mnist");
        var written = FashionMnistSets.write(FashionMnist.load(FashionMnist.Split.TRAIN),
                FashionMnist.load(FashionMnist.Split.TEST), target);
        written.forEach(w -> System.out.println(w.folder() + ": " + w.files() + " images"));
        if (!Files.isDirectory(target)) {
            throw new IllegalStateException(target + " was not written");
        }
        return 0;
    }

    /**
     * The {@code --threads} of a training command (default 2), set on DJL's PyTorch engine: it must be
     * set before the engine starts, and thread pools are never left to their defaults.
     */
    static int pytorchThreads(Args args) {
        int threads = args.getInt("threads", 2);
        if (threads < 1) {
            throw new InvalidInputException("train: --threads must be >= 1 (got " + threads + ")");
        }
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        return threads;
    }
}
