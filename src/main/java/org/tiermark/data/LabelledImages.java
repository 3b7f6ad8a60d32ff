package org.tiermark.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tiermark.InvalidInputException;

/**
 * A labelled image evaluation set: a folder of encoded images and {@code labels.csv} (header
 * {@code file,label}, label = class index), checked completely when loaded so that a bad set fails
 * before anything runs.
 */
public final class LabelledImages {
    public static final String LABELS = "labels.csv";
    private static final String HEADER = "file,label";

    /** One image and its class index. */
    public record Item(String file, byte[] encoded, int label) {}

    private final Path folder;
    private final List<Item> items;

    private LabelledImages(Path folder, List<Item> items) {
        this.folder = folder;
        this.items = List.copyOf(items);
    }

    /** Reads {@code folder/labels.csv} and every image it names; labels must be in {@code 0..classCount-1}. */
    public static LabelledImages load(Path folder, int classCount) {
        Path csv = folder.resolve(LABELS);
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(csv + ": evaluation labels not found (a labelled image set is a folder with "
                    + "images and labels.csv; `tiermark train --export-data` writes the Fashion-MNIST ones)");
        } catch (IOException e) {
            throw new InvalidInputException(csv + ": cannot read: " + e.getMessage(), e);
        }
        if (lines.isEmpty() || !lines.get(0).strip().equals(HEADER)) {
            throw new InvalidInputException(csv + ": line 1: expected the header '" + HEADER + "'");
        }
        List<Item> items = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] cells = line.split(",", -1);
            if (cells.length != 2) {
                throw new InvalidInputException(csv + ": line " + (i + 1) + ": expected 'file,label' (got '" + line + "')");
            }
            int label;
            try {
                label = Integer.parseInt(cells[1].strip());
            } catch (NumberFormatException e) {
                throw new InvalidInputException(csv + ": line " + (i + 1) + ": label '" + cells[1] + "' is not a class index");
            }
            if (label < 0 || label >= classCount) {
                throw new InvalidInputException(csv + ": line " + (i + 1) + ": label " + label
                        + " is outside the class range 0.." + (classCount - 1));
            }
            Path image = folder.resolve(cells[0].strip());
            if (!image.normalize().startsWith(folder.normalize())) {
                throw new InvalidInputException(csv + ": line " + (i + 1) + ": file '" + cells[0] + "' is outside " + folder);
            }
            try {
                items.add(new Item(cells[0].strip(), Files.readAllBytes(image), label));
            } catch (NoSuchFileException e) {
                throw new InvalidInputException(csv + ": line " + (i + 1) + ": image not found: " + image);
            } catch (IOException e) {
                throw new InvalidInputException(image + ": cannot read: " + e.getMessage(), e);
            }
        }
        if (items.isEmpty()) {
            throw new InvalidInputException(csv + ": no labelled images");
        }
        return new LabelledImages(folder, items);
    }

    /** The text of a labels file naming {@code files.get(i)} with class index {@code labels[i]}, as {@link #load} reads it. */
    public static String labelsCsv(List<String> files, int[] labels) {
        if (files.size() != labels.length) {
            throw new IllegalArgumentException(files.size() + " files but " + labels.length + " labels");
        }
        StringBuilder csv = new StringBuilder(HEADER).append('\n');
        for (int i = 0; i < labels.length; i++) {
            csv.append(files.get(i)).append(',').append(labels[i]).append('\n');
        }
        return csv.toString();
    }

    public Path folder() {
        return folder;
    }

    public List<Item> items() {
        return items;
    }

    public int size() {
        return items.size();
    }
}
