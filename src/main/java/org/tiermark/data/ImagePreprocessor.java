package org.tiermark.data;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Image input: decodes PNG/JPEG bytes, resizes bilinearly to the model's size, scales to [0, 1],
 * normalizes per channel and writes NCHW floats into one direct buffer reused across calls.
 */
public final class ImagePreprocessor implements Preprocessor {
    private final OrtEnvironment env;
    private final ImageFormat spec;
    private final long[] shape;
    private final FloatBuffer pixels;
    private final BufferedImage canvas;
    private final int[] rgb;

    public ImagePreprocessor(OrtEnvironment env, ImageFormat spec) {
        this.env = env;
        this.spec = spec;
        this.shape = new long[] {1, spec.channels(), spec.height(), spec.width()};
        this.pixels = ByteBuffer.allocateDirect(spec.channels() * spec.height() * spec.width() * Float.BYTES)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        this.canvas = new BufferedImage(spec.width(), spec.height(), BufferedImage.TYPE_INT_RGB);
        this.rgb = new int[spec.width() * spec.height()];
    }

    @Override
    public Map<String, OnnxTensor> prepare(byte[] raw) throws OrtException {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(raw));
        } catch (IOException e) {
            throw new IllegalArgumentException("input is not a readable image: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new IllegalArgumentException("input is not a PNG/JPEG image (" + raw.length + " bytes)");
        }
        pixels.clear();
        writePixels(image, pixels);
        pixels.limit(spec.channels() * spec.width() * spec.height());
        return Map.of(spec.tensor(), OnnxTensor.createTensor(env, pixels, shape));
    }

    /**
     * Resizes {@code image} bilinearly to the model's size and writes its normalized NCHW floats into
     * {@code out} at its absolute positions from 0. Training uses this same method, so that the model
     * learns from exactly the pixels the runtime feeds it.
     */
    public void writePixels(BufferedImage image, FloatBuffer out) {
        Graphics2D g = canvas.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, 0, 0, spec.width(), spec.height(), null);
        } finally {
            g.dispose();
        }
        canvas.getRGB(0, 0, spec.width(), spec.height(), rgb, 0, spec.width());
        int plane = rgb.length;
        if (spec.channels() == 1) {
            float mean = (float) spec.mean()[0];
            float std = (float) spec.std()[0];
            for (int i = 0; i < plane; i++) {
                int p = rgb[i];
                // ITU-R BT.601 luma, as PIL's convert("L")
                float grey = (0.299f * ((p >> 16) & 0xff) + 0.587f * ((p >> 8) & 0xff) + 0.114f * (p & 0xff)) / 255f;
                out.put(i, (grey - mean) / std);
            }
        } else {
            for (int c = 0; c < 3; c++) {
                int shift = 16 - 8 * c;
                float mean = (float) spec.mean()[c];
                float std = (float) spec.std()[c];
                for (int i = 0; i < plane; i++) {
                    out.put(c * plane + i, (((rgb[i] >> shift) & 0xff) / 255f - mean) / std);
                }
            }
        }
    }

    @Override
    public void close() {
        // only heap and direct buffers: nothing native to release
    }
}
