package org.tiermark.data;

import java.util.Objects;

/**
 * What an image model takes: the size its input is resized to, its channels, the per-channel
 * normalization and the name of its input tensor.
 *
 * @param width    model input width
 * @param height   model input height
 * @param channels 1 (grey) or 3 (RGB)
 * @param mean     per-channel mean subtracted after scaling to [0, 1]
 * @param std      per-channel standard deviation divided by
 * @param tensor   the name of the model's input tensor
 */
public record ImageFormat(int width, int height, int channels, double[] mean, double[] std, String tensor) {
    public ImageFormat {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("width and height must be >= 1 (got " + width + "x" + height + ")");
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3 (got " + channels + ")");
        }
        if (mean == null || std == null || mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("mean and std need one number per channel (" + channels + ")");
        }
        Objects.requireNonNull(tensor, "tensor");
        mean = mean.clone();
        std = std.clone();
    }
}
