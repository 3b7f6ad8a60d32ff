package org.tiermark.train;

/** {@code prune-channels}: structured pruning that removes whole channels (CNN) or feed-forward width (text), so the model gets smaller and faster. */
public final class PruneChannelsStep extends WhiteboxStep {
    public PruneChannelsStep() {
        super("prune-channels", 1);
    }
}
