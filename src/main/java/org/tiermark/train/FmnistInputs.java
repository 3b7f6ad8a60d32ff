package org.tiermark.train;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.tiermark.data.FashionMnist;
import org.tiermark.data.ImageFormat;
import org.tiermark.data.ImagePreprocessor;

/**
 * Fashion-MNIST images resized and normalized exactly as the runtime does it ({@link ImagePreprocessor}
 * on the same 28x28 grey image), held as one float array so that batches are cheap slices.
 */
public final class FmnistInputs {
    /** Mean and standard deviation of Fashion-MNIST's training pixels, scaled to [0, 1]. */
    public static final double MEAN = 0.2860;
    public static final double STD = 0.3530;
    /** The model's input tensor name, in ONNX and in the catalog descriptor. */
    public static final String TENSOR = "image";

    private final int side;
    private final float[] pixels;
    private final int[] labels;

    private FmnistInputs(int side, float[] pixels, int[] labels) {
        this.side = side;
        this.pixels = pixels;
        this.labels = labels;
    }

    /** The image format of a model reading {@code side x side} grey images. */
    public static ImageFormat imageFormat(int side) {
        return new ImageFormat(side, side, 1, new double[] {MEAN}, new double[] {STD}, TENSOR);
    }

    /** The first {@code limit} images of {@code data}, resized to {@code side}. */
    public static FmnistInputs of(FashionMnist.Images data, int side, int limit) {
        int n = Math.min(limit, data.size());
        int plane = side * side;
        float[] pixels = new float[n * plane];
        int[] labels = new int[n];
        ImagePreprocessor pre = new ImagePreprocessor(null, imageFormat(side));
        FloatBuffer view = FloatBuffer.wrap(pixels);
        for (int i = 0; i < n; i++) {
            pre.writePixels(data.image(i), view.slice(i * plane, plane));
            labels[i] = data.label(i);
        }
        return new FmnistInputs(side, pixels, labels);
    }

    /** Already preprocessed images (tests, synthetic data): {@code labels.length} planes of {@code side x side}. */
    public static FmnistInputs of(float[] pixels, int[] labels, int side) {
        if (pixels.length != labels.length * side * side) {
            throw new IllegalArgumentException("pixels: expected " + labels.length * side * side + " values, got " + pixels.length);
        }
        return new FmnistInputs(side, pixels.clone(), labels.clone());
    }

    /** A labelled image set (PNG files) decoded and preprocessed as the runtime does it. */
    public static FmnistInputs of(org.tiermark.data.LabelledImages set, int side) {
        int plane = side * side;
        float[] pixels = new float[set.size() * plane];
        int[] labels = new int[set.size()];
        ImagePreprocessor pre = new ImagePreprocessor(null, imageFormat(side));
        FloatBuffer view = FloatBuffer.wrap(pixels);
        for (int i = 0; i < set.size(); i++) {
            var item = set.items().get(i);
            java.awt.image.BufferedImage image;
            try {
                image = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(item.encoded()));
            } catch (java.io.IOException e) {
                throw new org.tiermark.InvalidInputException(set.folder().resolve(item.file()) + ": not a readable image", e);
            }
            if (image == null) {
                throw new org.tiermark.InvalidInputException(set.folder().resolve(item.file()) + ": not a PNG/JPEG image");
            }
            pre.writePixels(image, view.slice(i * plane, plane));
            labels[i] = item.label();
        }
        return new FmnistInputs(side, pixels, labels);
    }

    public int size() {
        return labels.length;
    }

    public int side() {
        return side;
    }

    public int plane() {
        return side * side;
    }

    public float[] pixels() {
        return pixels;
    }

    public int label(int i) {
        return labels[i];
    }

    /** The pixel value of the white background after normalization: what shifted-in borders are filled with. */
    public static float background() {
        return (float) ((0 - MEAN) / STD);
    }

    /**
     * SHA-256 of the images and labels as the network sees them (side, normalized pixels, labels): the
     * data hash a white-box variant's manifest records.
     */
    public String sha256() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer b = ByteBuffer.allocate(4 * (1 + pixels.length + labels.length));
            b.putInt(side);
            b.asFloatBuffer().put(pixels);
            b.position(4 + 4 * pixels.length);
            b.asIntBuffer().put(labels);
            return HexFormat.of().formatHex(md.digest(b.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The images at {@code order[0..n)}, in that order (e.g. a seeded prefix of a split). */
    public FmnistInputs subset(int[] order, int n) {
        int plane = plane();
        float[] px = new float[n * plane];
        int[] lb = new int[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(pixels, order[i] * plane, px, i * plane, plane);
            lb[i] = labels[order[i]];
        }
        return new FmnistInputs(side, px, lb);
    }
}
