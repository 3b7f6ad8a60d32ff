package org.tiermark.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;
import org.tiermark.InvalidInputException;

/**
 * Knowledge-distillation loss (Hinton et al.): {@code alpha * T^2 * KL(softmax(t/T) || softmax(s/T))
 * + (1 - alpha) * CE(s, y)}, averaged over the batch. Labels are {@code [y, teacherLogits]}, predictions
 * {@code [studentLogits]}. The {@code T^2} keeps the soft term's gradients on the scale of the hard one's
 * when the temperature changes.
 */
public final class DistillationLoss extends Loss {
    private final float temperature;
    private final float alpha;

    public DistillationLoss(float temperature, float alpha) {
        super("DistillationLoss");
        validate(temperature, alpha);
        this.temperature = temperature;
        this.alpha = alpha;
    }

    /** Throws naming the parameter unless {@code temperature > 0} and {@code alpha} is in [0, 1]. */
    public static void validate(double temperature, double alpha) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new InvalidInputException("distill.temperature: must be > 0 and finite (got " + temperature + ")");
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new InvalidInputException("distill.alpha: the soft-target weight must be in [0, 1] (got " + alpha + ")");
        }
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray student = predictions.singletonOrThrow();
        NDArray y = labels.get(0);
        NDArray teacher = labels.get(1);
        int classes = (int) student.getShape().get(1);
        NDArray hard = student.logSoftmax(1).mul(y.toType(DataType.INT64, false).oneHot(classes)).sum(new int[] {1}).neg();
        NDArray soft = teacher.div(temperature).logSoftmax(1);
        NDArray kl = soft.exp().mul(soft.sub(student.div(temperature).logSoftmax(1))).sum(new int[] {1});
        return kl.mul(alpha * temperature * temperature).add(hard.mul(1 - alpha)).mean();
    }
}
