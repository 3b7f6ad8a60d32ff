package org.tiermark.train;

/** {@code finetune}: full fine-tuning of a text model's encoder with its head, the fair FP32 reference of the text models. */
public final class FinetuneStep extends WhiteboxStep {
    public FinetuneStep() {
        super("finetune", 1);
    }

    /** It fine-tunes the encoder and head it is given (the text trainers read them from the graph). */
    @Override
    public boolean trainsGivenModel() {
        return true;
    }
}
