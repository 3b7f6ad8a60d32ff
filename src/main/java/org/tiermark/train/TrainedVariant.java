package org.tiermark.train;

import java.nio.file.Path;
import java.util.List;

/**
 * What a white-box operator built and how: the manifest's content (hyper-parameters, seeds, data and
 * source hashes, time taken, per-epoch loss and accuracy) plus operator-specific details.
 *
 * @param operator          {@code distill}, {@code prune}, {@code prune-channels}, {@code qat}
 * @param onnx              the exported model
 * @param architecture      the exported network's shape
 * @param cost              its parameters and multiply-adds per image
 * @param sourceCost        the source model's (the teacher's)
 * @param params            the operator's hyper-parameters, seed included
 * @param epochs            per-epoch loss and accuracy
 * @param testAccuracyDjl   top-1 on the test images computed by DJL
 * @param testAccuracyOnnx  top-1 on the test images computed by ONNX Runtime from {@code onnx}
 * @param maxAbsLogitDiff   largest |DJL - ONNX Runtime| logit difference (the export check; for QAT,
 *                          fake quantization against integer kernels)
 * @param sourceSha256      SHA-256 of the source (teacher) ONNX model
 * @param trainDataSha256   SHA-256 of the training images as fed ({@link FmnistInputs#sha256()})
 * @param testDataSha256    SHA-256 of the test images
 * @param trainingSeconds   wall time of training
 * @param totalSeconds      wall time of the whole build (data preparation excluded)
 * @param checkpoint        the last good DJL parameters
 * @param details           operator-specific record (per-layer sparsity, kept channels, learned ranges)
 */
public record TrainedVariant<P>(String operator, Path onnx, Architecture architecture, Architecture.Cost cost,
                                Architecture.Cost sourceCost, P params, List<TrainingLoop.Epoch> epochs,
                                double testAccuracyDjl, double testAccuracyOnnx, double maxAbsLogitDiff,
                                String sourceSha256, String trainDataSha256, String testDataSha256,
                                double trainingSeconds, double totalSeconds, Path checkpoint, Object details) {
    public TrainedVariant {
        epochs = List.copyOf(epochs);
    }
}
