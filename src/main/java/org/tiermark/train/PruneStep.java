package org.tiermark.train;

/** {@code prune}: unstructured magnitude pruning to a target sparsity per layer, with fine-tuning. */
public final class PruneStep extends WhiteboxStep {
    public PruneStep() {
        super("prune", 1);
    }

    /** Its zeros are held by masks that only its own training re-applies. */
    @Override
    public boolean masksWeights() {
        return true;
    }
}
