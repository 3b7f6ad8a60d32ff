package org.tiermark.train;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Straight-through fake quantization with sptq's formulas: the forward pass sees the quantized value, the
 * backward pass the identity ({@code x + stopGradient(q(x) - x)}; {@code round} alone has zero gradient).
 */
public final class FakeQuant {
    /** Weight of the old range in the moving average of an activation's range (the CNN and the text qat). */
    public static final float RANGE_MOMENTUM = 0.9f;

    private FakeQuant() {}

    /**
     * {@code name}'s {@code [min, max]} in {@code ranges}: started from {@code x}'s when there is none yet,
     * moved towards {@code x}'s by a moving average ({@link #RANGE_MOMENTUM}) when training, else as it is.
     */
    public static float[] observeRange(Map<String, float[]> ranges, String name, NDArray x, boolean training) {
        float[] r = ranges.get(name);
        if (training || r == null) {
            float lo = x.min().getFloat();
            float hi = x.max().getFloat();
            if (r == null) {
                r = new float[] {lo, hi};
                ranges.put(name, r);
            } else {
                r[0] = RANGE_MOMENTUM * r[0] + (1 - RANGE_MOMENTUM) * lo;
                r[1] = RANGE_MOMENTUM * r[1] + (1 - RANGE_MOMENTUM) * hi;
            }
        }
        return r;
    }

    /**
     * int8 symmetric per output channel (axis 0), as sptq quantizes Conv and Gemm weights:
     * {@code scale_c = max|w_c| / 127}, {@code q = clip(round(w / scale), -127, 127)}.
     */
    public static NDArray weightPerChannel(NDArray w) {
        long channels = w.getShape().get(0);
        NDArray flat = w.stopGradient().reshape(channels, -1);
        NDArray maxAbs = flat.abs().max(new int[] {1}, true);
        // an all-zero channel: any scale gives zeros; 1 as sptq uses, avoiding a division by zero
        NDArray scale = maxAbs.div(127f).add(maxAbs.eq(0).toType(w.getDataType(), false));
        long[] shape = new long[w.getShape().dimension()];
        shape[0] = channels;
        for (int d = 1; d < shape.length; d++) {
            shape[d] = 1;
        }
        scale = scale.reshape(shape);
        // sptq rounds weights in Java (Math.round: half up); torch's round() goes half to even
        NDArray q = w.div(scale).add(0.5f).floor().clip(-127, 127).mul(scale);
        return w.add(q.sub(w).stopGradient());
    }

    /**
     * uint8 asymmetric over {@code [lo, hi]} widened to include 0, as sptq's {@code uint8Params}:
     * {@code scale = (hi - lo) / 255}, {@code zp = round(-lo / scale)} in [0, 255].
     */
    public static NDArray activation(NDArray x, float lo, float hi) {
        float[] p = uint8Params(lo, hi);
        float scale = p[0];
        float zp = p[1];
        // ONNX Runtime's QuantizeLinear rounds half to even, as torch's round() does
        NDArray q = x.div(scale).round().add(zp).clip(0, 255).sub(zp).mul(scale);
        return x.add(q.sub(x).stopGradient());
    }

    /** {@code [scale, zeroPoint]}: the same arithmetic as {@code Sptq.uint8Params}. */
    public static float[] uint8Params(float min, float max) {
        float lo = Math.min(min, 0f);
        float hi = Math.max(max, 0f);
        float scale = (hi - lo) / 255f;
        if (!(scale > 0) || !Float.isFinite(scale)) {
            return new float[] {1f, 0f};
        }
        float zp = Math.round(-lo / scale);
        return new float[] {scale, Math.max(0, Math.min(255, zp))};
    }
}
