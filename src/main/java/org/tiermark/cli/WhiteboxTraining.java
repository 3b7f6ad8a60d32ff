package org.tiermark.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.data.FashionMnist;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.train.Architecture;
import org.tiermark.train.ChannelPruning;
import org.tiermark.train.CnnTrainer;
import org.tiermark.train.Distillation;
import org.tiermark.train.FashionMnistTrainer;
import org.tiermark.train.FmnistInputs;
import org.tiermark.train.HeadTrainer;
import org.tiermark.train.Pruning;
import org.tiermark.train.Qat;
import org.tiermark.train.TrainedVariant;
import org.tiermark.train.TrainingLoop;

/** {@code tiermark train --operator OP}: builds one white-box variant of a CNN and writes its record. */
final class WhiteboxTraining {
    static final List<String> OPERATORS = List.of("distill", "prune", "prune-channels", "qat");
    /** Default epochs and peak learning rate per operator: from scratch for distill, fine-tuning otherwise. */
    private static final Map<String, Integer> EPOCHS = Map.of("distill", 4, "prune", 2, "prune-channels", 2, "qat", 1);
    private static final Map<String, Double> LEARNING_RATES = Map.of("distill", 2e-3, "prune", 5e-4, "prune-channels", 1e-3, "qat", 1e-4);

    private WhiteboxTraining() {}

    static int run(Args args, Path home, String modelName, String[] argv) throws Exception {
        String op = args.get("operator", "");
        if (HeadTrainer.ENCODERS.containsKey(modelName)) {
            return TextWhiteboxTraining.run(args, home, modelName, argv);
        }
        if (!OPERATORS.contains(op)) {
            throw InvalidInputException.unknown("operator", op, null, OPERATORS);
        }
        if (!Architecture.NAMES.contains(modelName)) {
            throw new InvalidInputException("train --operator " + op + ": --model must be one of "
                    + String.join(", ", Architecture.NAMES) + " (got " + modelName + ")");
        }
        Architecture arch = Architecture.byName(modelName);
        int threads = TrainCommand.pytorchThreads(args);
        FashionMnistTrainer.Options options = new FashionMnistTrainer.Options(
                args.getInt("epochs", EPOCHS.get(op)), args.getInt("batch-size", 128),
                (float) args.getDouble("lr", LEARNING_RATES.get(op)), 5e-5f, args.getInt("seed", 1),
                args.getInt("train-limit", Integer.MAX_VALUE), args.getInt("max-steps", 0), !args.has("no-augment"));
        Path teacher = Path.of(args.get("teacher", home.resolve("models/trained").resolve(arch.name()).toString()));
        Path out = Path.of(args.get("out", home.resolve("target/whitebox").resolve(arch.name() + "-" + op).toString()));
        // every parameter is validated here, before the data is read or anything trained
        Distillation.Params distill = op.equals("distill") ? new Distillation.Params(
                args.getDouble("width-ratio", 0.5), (float) args.getDouble("temperature", 4),
                (float) args.getDouble("alpha", 0.7), options, 1) : null;
        Pruning.Params prune = op.equals("prune") ? new Pruning.Params(args.getDouble("sparsity", 0.75),
                Pruning.Params.defaults().rampShare(), Pruning.Params.defaults().updateEvery(), options) : null;
        ChannelPruning.Params channels = op.equals("prune-channels")
                ? new ChannelPruning.Params(args.getDouble("sparsity", 0.5), options) : null;
        if (channels != null) {
            ChannelPruning.pruned(arch, channels.sparsity());
        }
        if (distill != null) {
            Distillation.student(arch, distill.widthRatio());
        }

        OnnxModels.checkFile(teacher.resolve("model.onnx"), "--teacher");
        Path params = teacher.resolve(arch.name() + "-0000.params");
        if (!op.equals("distill") && !Files.isRegularFile(params)) {
            throw new InvalidInputException("--teacher " + teacher + ": no DJL parameters " + params.getFileName()
                    + " (" + op + " fine-tunes the trained model: `tiermark train --model " + arch.name() + "` writes them)");
        }

        long prep = System.nanoTime();
        FmnistInputs train = FmnistInputs.of(FashionMnist.load(FashionMnist.Split.TRAIN), arch.inputSize(),
                options.trainLimit());
        FmnistInputs test = FmnistInputs.of(FashionMnist.load(FashionMnist.Split.TEST), arch.inputSize(), Integer.MAX_VALUE);
        System.out.printf("%s %s: %d training / %d test images prepared in %.1f s; %d PyTorch threads%n",
                arch.name(), op, train.size(), test.size(), (System.nanoTime() - prep) / 1e9, threads);
        TrainedVariant<?> v = switch (op) {
            case "distill" -> Distillation.distill(arch, teacher.resolve("model.onnx"), train, test, distill, out,
                    WhiteboxTraining::print);
            case "prune" -> Pruning.prune(arch, teacher, train, test, prune, out, WhiteboxTraining::print);
            case "prune-channels" -> ChannelPruning.prune(arch, teacher, train, test, channels, out, WhiteboxTraining::print);
            case "qat" -> Qat.qat(arch, teacher, train, test, new Qat.Params(options), out, WhiteboxTraining::print);
            default -> throw new IllegalStateException(op);
        };
        // paths relative to the output folder: the record stays true when the folder is committed or moved
        Json.writeAtomically(out.resolve("training.json"), Map.of("command", "tiermark train " + String.join(" ", argv),
                "variant", CnnTrainer.section(v, out)));
        System.out.printf("%s %s: test accuracy DJL %.4f, ONNX Runtime %.4f (max |logit diff| %.2e); %d -> %d "
                        + "multiply-adds per image; %.0f s; %s%n", arch.name(), op, v.testAccuracyDjl(), v.testAccuracyOnnx(),
                v.maxAbsLogitDiff(), v.sourceCost().multiplyAdds(), v.cost().multiplyAdds(), v.totalSeconds(), v.onnx());
        return 0;
    }

    private static void print(TrainingLoop.Epoch e) {
        System.out.printf("epoch %d: loss %.4f, train accuracy %.4f, test accuracy %.4f, %.0f s%n",
                e.epoch(), e.trainLoss(), e.trainAccuracy(), e.testAccuracy(), e.nanos() / 1e9);
    }
}
