package org.tiermark.train;

import ai.djl.Model;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.FloatBuffer;
import java.util.Map;
import org.tiermark.data.FashionMnistSets;
import org.tiermark.operator.InputSamples;
import java.io.IOException;
import java.nio.file.Path;
import org.tiermark.InvalidInputException;

/** What the white-box operators share: the data check, the checked ONNX export, sptq calibration samples. */
final class Whitebox {
    /** Largest |DJL - ONNX Runtime| logit difference an FP32 export may show (the trainer's own bound). */
    static final double EXPORT_TOLERANCE = 1e-4;

    private Whitebox() {}

    /** The export's file and how it compares with DJL on the test images. */
    record Export(Path onnx, long bytes, double accuracyDjl, double accuracyOnnx, double maxAbsLogitDiff) {}

    /**
     * Writes {@code net} to {@code out/model.onnx} atomically and checks ONNX Runtime's logits against
     * DJL's on {@code test}: a wrong export fails here rather than in the benchmark.
     */
    static Export exportChecked(Model model, Network net, FmnistInputs test, Path out, int threads)
            throws IOException, OrtException {
        float[][] djl = TrainingLoop.logits(model.getBlock(), model.getNDManager(), test);
        Path onnx = out.resolve("model.onnx");
        long bytes = OnnxExporter.write(net, onnx);
        float[][] ort = OnnxLogits.of(onnx, test, 500, threads);
        double diff = OnnxLogits.maxAbsDiff(djl, ort);
        if (diff > EXPORT_TOLERANCE) {
            throw new IllegalStateException(onnx + ": ONNX Runtime's logits differ from DJL's by " + diff
                    + " (> " + EXPORT_TOLERANCE + "): the export is wrong");
        }
        return new Export(onnx, bytes, OnnxLogits.accuracy(djl, test), OnnxLogits.accuracy(ort, test), diff);
    }

    /** Refuses an empty or too small training set before anything is trained. */
    static void checkData(FmnistInputs train, FmnistInputs test, Architecture a) {
        if (train.size() == 0 || test.size() == 0) {
            throw new InvalidInputException("training data: " + train.size() + " training and " + test.size()
                    + " test images; both must be non-empty (Fashion-MNIST: Debian package dataset-fashion-mnist)");
        }
        if (train.side() != a.inputSize() || test.side() != a.inputSize()) {
            throw new InvalidInputException("training data: images are " + train.side() + "x" + train.side() + ", "
                    + a.name() + " reads " + a.inputSize() + "x" + a.inputSize());
        }
    }

    /**
     * sptq calibration samples from {@code train}: the same 100 images as the suite's committed
     * calibration set (the prefix of the training split's seeded permutation), one image per sample.
     */
    static InputSamples calibration(FmnistInputs train) {
        int n = Math.min(FashionMnistSets.CALIBRATION, train.size());
        FmnistInputs calib = train.subset(FashionMnistSets.permutation(train.size(), FashionMnistSets.CALIBRATION_SEED), n);
        return new InputSamples() {
            public int size() {
                return n;
            }

            public Map<String, OnnxTensor> get(OrtEnvironment env, int i) throws OrtException {
                FloatBuffer x = FloatBuffer.wrap(calib.pixels(), i * calib.plane(), calib.plane()).slice();
                return Map.of(FmnistInputs.TENSOR, OnnxTensor.createTensor(env, x, new long[] {1, 1, calib.side(), calib.side()}));
            }

            public String description() {
                return n + " Fashion-MNIST training images (prefix of the permutation seeded "
                        + FashionMnistSets.CALIBRATION_SEED + ")";
            }
        };
    }
}
