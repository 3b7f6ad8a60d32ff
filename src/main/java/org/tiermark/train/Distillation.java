package org.tiermark.train;

import ai.djl.Model;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.tiermark.InvalidInputException;
import org.tiermark.onnx.OnnxModels;

/**
 * The {@code distill} operator for tiermark's CNNs: a narrower network of the teacher's family (same
 * stages {@code layer1..layer4}, same units per stage, so partition and early-exit cut at the same
 * tensor names) trained from scratch on the teacher's softened logits mixed with the labels
 * ({@link DistillationLoss}); the teacher runs in ONNX Runtime on every augmented batch.
 */
public final class Distillation {
    /** Name of the operator, as in the variant's manifest. */
    public static final String OPERATOR = "distill";

    /**
     * @param widthRatio  student widths / teacher widths; must make the student at least 2x cheaper in multiply-adds
     * @param temperature softening of both logits in the soft term (> 0)
     * @param alpha       weight of the soft term; {@code 1 - alpha} goes to cross-entropy with the labels
     * @param training    epochs, batch, learning rate, seed, limits
     * @param teacherThreads ONNX Runtime intra-op threads for the teacher
     */
    public record Params(double widthRatio, float temperature, float alpha, FashionMnistTrainer.Options training,
                         int teacherThreads) {
        public Params {
            if (!(widthRatio > 0 && widthRatio < 1)) {
                throw new InvalidInputException("distill.widthRatio: the student's share of the teacher's widths must be in "
                        + "(0, 1) (got " + widthRatio + ")");
            }
            DistillationLoss.validate(temperature, alpha);
            if (teacherThreads < 1) {
                throw new InvalidInputException("distill.teacherThreads: must be >= 1 (got " + teacherThreads + ")");
            }
        }

        /** Half the widths (about 4x fewer multiply-adds), T = 4, alpha = 0.7, 4 epochs at Adam 0.002, seed 1. */
        public static Params defaults() {
            return new Params(0.5, 4f, 0.7f, FashionMnistTrainer.Options.defaults(4, 1), 1);
        }
    }

    private Distillation() {}

    /**
     * The student of {@code teacher} at {@code widthRatio}; refused unless it needs at most half the
     * teacher's multiply-adds (the operator's promise: a student at least 2x cheaper).
     */
    public static Architecture student(Architecture teacher, double widthRatio) {
        Architecture s = teacher.narrower(teacher.name() + "-student", widthRatio);
        long sm = s.cost().multiplyAdds();
        long tm = teacher.cost().multiplyAdds();
        if (2 * sm > tm) {
            throw new InvalidInputException("distill.widthRatio " + widthRatio + ": the student needs " + sm
                    + " multiply-adds per image, more than half the teacher's " + tm + "; a student must be at least 2x "
                    + "cheaper than its teacher (choose widthRatio <= 0.7)");
        }
        return s;
    }

    /**
     * Trains a student of {@code teacher} (whose exported model is {@code teacherOnnx}) on {@code train},
     * writes {@code out/model.onnx} (checked against DJL on {@code test}) and keeps the DJL parameters in
     * {@code out/checkpoint}. Every parameter is checked before anything is trained.
     */
    public static TrainedVariant<Params> distill(Architecture teacher, Path teacherOnnx, FmnistInputs train,
                                                 FmnistInputs test, Params p, Path out, Consumer<TrainingLoop.Epoch> log)
            throws IOException, OrtException {
        Architecture s = student(teacher, p.widthRatio());
        Whitebox.checkData(train, test, teacher);
        OnnxModels.checkFile(teacherOnnx, "distill teacher");
        long start = System.nanoTime();
        try (OnnxTeacher t = new OnnxTeacher(teacherOnnx, p.teacherThreads());
             Model model = FashionMnistTrainer.newModel(s)) {
            Network net = (Network) model.getBlock();
            TrainingLoop.Run run = TrainingLoop.run(model, net.inputShape(p.training().batchSize()), train, test,
                    p.training(), new DistillationLoss(p.temperature(), p.alpha()), t, null,
                    out.resolve("checkpoint"), OPERATOR, log);
            Whitebox.Export e = Whitebox.exportChecked(model, net, test, out, p.teacherThreads());
            return new TrainedVariant<>(OPERATOR, e.onnx(), s, s.cost(), teacher.cost(), p, run.epochs(),
                    e.accuracyDjl(), e.accuracyOnnx(), e.maxAbsLogitDiff(), t.sha256(), train.sha256(), test.sha256(),
                    run.nanos() / 1e9, (System.nanoTime() - start) / 1e9, run.checkpoint(), null);
        }
    }
}
