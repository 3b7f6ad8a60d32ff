package org.tiermark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The training-time image transform: randomly shifted, randomly mirrored copies. */
class AugmentationTest {
    private static final int SIDE = 28;

    /**
     * Every copy is the image shifted by at most 2 pixels each way (1/14 of 28), mirrored or not, with the
     * uncovered border set to the background; over many copies every shift and both orientations occur.
     */
    @Test
    void copiesAreShiftedMirroredImagesWithABackgroundBorder() {
        float[] src = new float[3 + SIDE * SIDE];
        for (int i = 0; i < SIDE * SIDE; i++) {
            src[3 + i] = 1000 + i; // all distinct, none the background
        }
        SplittableRandom r = new SplittableRandom(2);
        Set<String> seen = new HashSet<>();
        for (int copy = 0; copy < 500; copy++) {
            float[] dst = new float[SIDE * SIDE];
            FashionMnistTrainer.augmentInto(src, 3, dst, 0, SIDE, r);
            // the centre pixel is always covered: it tells the shift and, with its neighbour, the mirroring
            int centre = (int) dst[14 * SIDE + 14] - 1000;
            boolean flip = dst[14 * SIDE + 15] < dst[14 * SIDE + 14];
            int dy = 14 - centre / SIDE;
            int dx = flip ? centre % SIDE - (SIDE - 1 - 14) : 14 - centre % SIDE;
            assertTrue(Math.abs(dx) <= 2 && Math.abs(dy) <= 2, "shift " + dx + "," + dy);
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    int sy = y - dy;
                    int sx = x - dx;
                    float expected = sy < 0 || sy >= SIDE || sx < 0 || sx >= SIDE ? FmnistInputs.background()
                            : 1000 + sy * SIDE + (flip ? SIDE - 1 - sx : sx);
                    assertEquals(expected, dst[y * SIDE + x], 0, "copy " + copy + " pixel (" + y + "," + x + ")");
                }
            }
            seen.add(dx + "," + dy + "," + flip);
        }
        assertEquals(5 * 5 * 2, seen.size(), seen.toString());
    }
}
