package org.tiermark.train;

/** {@code finetune}: full fine-tuning of a text model's encoder with its head, the fair FP32 reference of the text models. */
public final class FinetuneStep extends WhiteboxStep {
    public FinetuneStep() {
        super("finetune", 1);
    }
}
