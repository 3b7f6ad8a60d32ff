package org.tiermark.data;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;

/** The pool checks the suite runs before it creates a run folder. */
class InputPoolTest {
    @TempDir
    Path dir;

    @Test
    void anEmptyTextPoolIsNamed() throws IOException {
        Path pool = Files.writeString(dir.resolve("pool.txt"), "\n  \n");
        String m = assertThrows(InvalidInputException.class, () -> InputPool.checkTextLines(pool)).getMessage();
        assertTrue(m.contains("pool.txt") && m.contains("no inputs"), m);
        Files.writeString(pool, "one input\n");
        InputPool.checkTextLines(pool);
    }

    @Test
    void anEmptyImagePoolIsNamed() throws IOException {
        Path pool = Files.createDirectories(dir.resolve("images"));
        Files.writeString(pool.resolve("labels.csv"), "file,label\n");
        String m = assertThrows(InvalidInputException.class, () -> InputPool.checkImageFiles(pool, 256)).getMessage();
        assertTrue(m.contains("images") && m.contains("no files"), m);
    }

    @Test
    void aNonImageFileInAnImagePoolIsNamed() throws IOException {
        Path pool = Files.createDirectories(dir.resolve("images"));
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", pool.resolve("0000.png").toFile());
        InputPool.checkImageFiles(pool, 256);
        Files.writeString(pool.resolve("0001.png"), "not an image");
        String m = assertThrows(InvalidInputException.class, () -> InputPool.checkImageFiles(pool, 256)).getMessage();
        assertTrue(m.contains("0001.png") && m.contains("not a PNG/JPEG image"), m);
        InputPool.checkImageFiles(pool, 1);
    }
}
