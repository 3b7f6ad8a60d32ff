package org.tiermark;

/**
 * Scores shared by the steps that compute them: training (the head's hold-out F1) and the accuracy
 * step. In the root package because train comes before accuracy in the data flow.
 */
public final class Scores {
    private Scores() {}

    /** F1 of the positive class from counts; 0 when there is no true positive (as scikit-learn). */
    public static double f1(int tp, int fp, int fn) {
        return tp == 0 ? 0.0 : 2.0 * tp / (2.0 * tp + fp + fn);
    }
}
