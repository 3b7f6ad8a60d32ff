package org.tiermark.train;

/** {@code qat}: quantization-aware fine-tuning, exported through sptq's QDQ rewrite with the learned ranges. */
public final class QatStep extends WhiteboxStep {
    public QatStep() {
        super("qat", 1);
    }

    @Override
    public boolean quantizes() {
        return true;
    }

    /** It fine-tunes the network it is given: after {@code distill} the student, after {@code prune-channels} the smaller network. */
    @Override
    public boolean trainsGivenModel() {
        return true;
    }
}
