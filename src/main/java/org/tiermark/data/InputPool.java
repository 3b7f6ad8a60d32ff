package org.tiermark.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.tiermark.InvalidInputException;

/** Raw inputs the benchmarks cycle through, loaded once: what a device would capture and send. */
public final class InputPool {
    private final List<byte[]> inputs;

    private InputPool(List<byte[]> inputs) {
        this.inputs = List.copyOf(inputs);
    }

    /** Text: one UTF-8 input per non-empty line of {@code file}. */
    public static InputPool textLines(Path file, int limit) {
        List<byte[]> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank() && out.size() < limit) {
                    out.add(line.strip().getBytes(StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read the input pool: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new InvalidInputException(file + ": the input pool has no inputs");
        }
        return new InputPool(out);
    }

    /** Encoded images: every PNG/JPEG file of {@code folder}, sorted by name (label files beside them are skipped). */
    public static InputPool imageFiles(Path folder, int limit) {
        List<byte[]> out = new ArrayList<>();
        try (var s = Files.list(folder)) {
            for (Path f : s.filter(Files::isRegularFile).filter(InputPool::isImage).sorted().limit(limit).toList()) {
                out.add(Files.readAllBytes(f));
            }
        } catch (IOException e) {
            throw new InvalidInputException(folder + ": cannot read the image pool: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new InvalidInputException(folder + ": the image pool has no files");
        }
        return new InputPool(out);
    }

    /**
     * Checks, before anything is measured, that a text pool has at least one input: the same
     * reading as {@link #textLines}, whose error names the file.
     */
    public static void checkTextLines(Path file) {
        textLines(file, 1);
    }

    /**
     * Checks, before anything is measured, that an image pool has images and that each of the first
     * {@code limit} (the ones a benchmark cycles through) decodes as PNG/JPEG; names the file that
     * does not.
     */
    public static void checkImageFiles(Path folder, int limit) {
        if (!Files.isDirectory(folder)) {
            throw new InvalidInputException(folder + ": the image pool folder is not found");
        }
        List<Path> files;
        try (var s = Files.list(folder)) {
            files = s.filter(Files::isRegularFile).filter(InputPool::isImage).sorted().limit(limit).toList();
        } catch (IOException e) {
            throw new InvalidInputException(folder + ": cannot read the image pool: " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new InvalidInputException(folder + ": the image pool has no files (*.png, *.jpg, *.jpeg)");
        }
        for (Path f : files) {
            BufferedImage image;
            try {
                image = ImageIO.read(f.toFile());
            } catch (IOException e) {
                throw new InvalidInputException(f + ": not a readable image in the pool: " + e.getMessage(), e);
            }
            if (image == null) {
                throw new InvalidInputException(f + ": not a PNG/JPEG image, but the pool " + folder
                        + " holds images only (remove it or replace it by an image)");
            }
        }
    }

    private static boolean isImage(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    public static InputPool of(List<byte[]> inputs) {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("an input pool needs at least one input");
        }
        return new InputPool(inputs);
    }

    public int size() {
        return inputs.size();
    }

    public byte[] get(int i) {
        return inputs.get(i);
    }
}
