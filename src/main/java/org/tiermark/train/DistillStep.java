package org.tiermark.train;

/** {@code distill}: a student at least 2x cheaper trained on the teacher's softened outputs mixed with the labels. */
public final class DistillStep extends WhiteboxStep {
    public DistillStep() {
        super("distill", 1);
    }
}
