package org.tiermark.accuracy;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tiermark.InvalidInputException;
import org.tiermark.Scores;
import org.tiermark.data.OcrDataset;
import org.tiermark.runtime.DeploymentRunner;
import org.tiermark.runtime.TensorCodec;

/**
 * Text detection scored as PaddleOCR's DB post-processing sees it: the probability map thresholded
 * at 0.3 is compared with the true text mask (per-image IoU, averaged: the metric). The true mask is
 * the union of the true boxes each shrunk as DB's training target is (ratio 0.4): the map marks text
 * kernels, not whole boxes, and DB's post-processing grows them back. Extra figures: {@code regionIou},
 * the IoU of the grown-back boxes' area with the true boxes' area, and box F1. The map's
 * connected components, kept when their mean probability is at least 0.6 and expanded by DB's
 * unclip ratio 1.5, are matched one-to-one with the true boxes at IoU >= 0.5 (box F1, an extra figure).
 */
final class TextDetectionEvaluator implements Evaluator {
    static final float THRESHOLD = 0.3f;
    static final float BOX_THRESHOLD = 0.6f;
    static final double UNCLIP_RATIO = 1.5;
    static final double MATCH_IOU = 0.5;
    static final double SHRINK_RATIO = 0.4;
    static final int MIN_SIDE = 3;

    private final OcrDataset.Labels labels;
    private final List<byte[]> images = new ArrayList<>();

    TextDetectionEvaluator(Path folder) {
        labels = OcrDataset.readLabels(folder);
        for (OcrDataset.Image im : labels.images()) {
            try {
                images.add(Files.readAllBytes(folder.resolve(im.file())));
            } catch (IOException e) {
                throw new InvalidInputException(folder.resolve(im.file()) + ": cannot read: " + e.getMessage(), e);
            }
        }
        if (images.isEmpty()) {
            throw new InvalidInputException(folder.resolve(OcrDataset.LABELS) + ": no images");
        }
    }

    @Override
    public String metric() {
        return "mean-iou";
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public byte[] input(int i) {
        return images.get(i);
    }

    @Override
    public Outcome judge(int i, DeploymentRunner.Answer answer) {
        TensorCodec.Decoded d = Evaluator.prediction(answer);
        long[] shape = d.shape();
        if (shape.length < 2) {
            throw new IllegalStateException("output '" + d.name() + "' is not a map: shape " + Arrays.toString(shape));
        }
        int h = (int) shape[shape.length - 2];
        int w = (int) shape[shape.length - 1];
        FloatBuffer prob = d.data().duplicate().order(d.data().order()).asFloatBuffer();
        List<int[]> truth = scaled(labels.images().get(i).boxes(), w, h);
        return judge(prob, w, h, truth);
    }

    /** Scores one probability map against its true boxes (already in map coordinates). */
    static Outcome judge(FloatBuffer prob, int w, int h, List<int[]> truth) {
        BitSet mask = new BitSet(w * h);
        for (int p = 0; p < w * h; p++) {
            if (prob.get(p) > THRESHOLD) {
                mask.set(p);
            }
        }
        BitSet truthMask = new BitSet(w * h);
        for (int[] b : truth) {
            int[] k = shrink(b);
            for (int y = k[1]; y < k[3]; y++) {
                truthMask.set(y * w + k[0], y * w + k[2]);
            }
        }
        List<int[]> detected = boxes(mask, prob, w, h);
        int tp = Metrics.matchBoxes(detected, truth, MATCH_IOU);
        double regionIou = Metrics.iou(fill(detected, w, h), fill(truth, w, h));
        return new Outcome(Metrics.iou(mask, truthMask), -1, -1, mask, tp, detected.size() - tp, truth.size() - tp,
                regionIou);
    }

    private static BitSet fill(List<int[]> boxes, int w, int h) {
        BitSet m = new BitSet(w * h);
        for (int[] b : boxes) {
            for (int y = b[1]; y < b[3]; y++) {
                m.set(y * w + b[0], y * w + b[2]);
            }
        }
        return m;
    }

    /**
     * The text kernel DB is trained to predict inside a true box: the box shrunk by
     * area * (1 - 0.4^2) / perimeter (DB's shrink ratio 0.4), at least one pixel wide.
     */
    static int[] shrink(int[] b) {
        int bw = b[2] - b[0];
        int bh = b[3] - b[1];
        int d = (int) Math.round((double) bw * bh * (1 - SHRINK_RATIO * SHRINK_RATIO) / (2.0 * (bw + bh)));
        d = Math.min(d, (Math.min(bw, bh) - 1) / 2);
        return new int[] {b[0] + d, b[1] + d, b[2] - d, b[3] - d};
    }

    private List<int[]> scaled(List<int[]> boxes, int w, int h) {
        double sx = (double) w / labels.width();
        double sy = (double) h / labels.height();
        List<int[]> out = new ArrayList<>();
        for (int[] b : boxes) {
            out.add(new int[] {(int) Math.floor(b[0] * sx), (int) Math.floor(b[1] * sy),
                    (int) Math.ceil(b[2] * sx), (int) Math.ceil(b[3] * sy)});
        }
        return out;
    }

    /** Connected components (4-neighbour) of the mask as unclipped bounding boxes, as DB post-processing. */
    static List<int[]> boxes(BitSet mask, FloatBuffer prob, int w, int h) {
        BitSet seen = new BitSet(w * h);
        int[] stack = new int[w * h];
        List<int[]> out = new ArrayList<>();
        for (int start = mask.nextSetBit(0); start >= 0; start = mask.nextSetBit(start + 1)) {
            if (seen.get(start)) {
                continue;
            }
            int top = 0;
            stack[top++] = start;
            seen.set(start);
            int x0 = w;
            int y0 = h;
            int x1 = -1;
            int y1 = -1;
            double sum = 0;
            int count = 0;
            while (top > 0) {
                int p = stack[--top];
                int x = p % w;
                int y = p / w;
                x0 = Math.min(x0, x);
                x1 = Math.max(x1, x);
                y0 = Math.min(y0, y);
                y1 = Math.max(y1, y);
                sum += prob.get(p);
                count++;
                int[] next = {x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1};
                for (int q : next) {
                    if (q >= 0 && mask.get(q) && !seen.get(q)) {
                        seen.set(q);
                        stack[top++] = q;
                    }
                }
            }
            int bw = x1 - x0 + 1;
            int bh = y1 - y0 + 1;
            if (Math.min(bw, bh) < MIN_SIDE || sum / count < BOX_THRESHOLD) {
                continue;
            }
            // DB's unclip: offset the shrunk region by area * ratio / perimeter
            double dist = (double) bw * bh * UNCLIP_RATIO / (2.0 * (bw + bh));
            int dd = (int) Math.round(dist);
            out.add(new int[] {Math.max(0, x0 - dd), Math.max(0, y0 - dd), Math.min(w, x1 + 1 + dd), Math.min(h, y1 + 1 + dd)});
        }
        return out;
    }

    @Override
    public double value(List<Outcome> outcomes, int[] indices) {
        return Metrics.mean(outcomes, indices, Outcome::score);
    }

    /** Mean IoU of the variant's thresholded map with identity's, image by image. */
    @Override
    public double agreement(List<Outcome> variant, List<Outcome> identity) {
        double s = 0;
        for (int i = 0; i < variant.size(); i++) {
            s += Metrics.iou(variant.get(i).mask(), identity.get(i).mask());
        }
        return s / variant.size();
    }

    @Override
    public Map<String, Double> extra(List<Outcome> outcomes) {
        int tp = 0;
        int fp = 0;
        int fn = 0;
        for (Outcome o : outcomes) {
            tp += o.boxTp();
            fp += o.boxFp();
            fn += o.boxFn();
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("boxF1", Scores.f1(tp, fp, fn));
        m.put("boxPrecision", tp + fp == 0 ? 0.0 : (double) tp / (tp + fp));
        m.put("boxRecall", tp + fn == 0 ? 0.0 : (double) tp / (tp + fn));
        m.put("regionIou", Metrics.mean(outcomes, Metrics.all(outcomes.size()), Outcome::regionIou));
        return m;
    }
}
