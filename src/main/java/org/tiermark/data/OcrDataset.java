package org.tiermark.data;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontFormatException;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.font.FontRenderContext;
import java.awt.font.GlyphVector;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;
import org.tiermark.AtomicFiles;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;

/**
 * Text-detection ground truth made by rendering: seeded random lines of words drawn with the DejaVu
 * fonts (Debian {@code fonts-dejavu-core}) on plain backgrounds, with each line's pixel bounds as its
 * true box. Image {@code i} of a set depends only on the set's seed and {@code i}, so the small set
 * is the first 100 images of the large one; the calibration set uses another seed.
 */
public final class OcrDataset {
    public static final int SIZE = 320;
    public static final String LABELS = "labels.json";
    public static final Path FONT_DIR = Path.of("/usr/share/fonts/truetype/dejavu");
    static final List<String> FONTS = List.of("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf",
            "DejaVuSerif-Bold.ttf", "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf");
    private static final String[] WORDS = ("invoice total amount order receipt station north street market coffee "
            + "ticket platform exit open closed monday friday price sale discount member account number phone "
            + "delivery address station river bridge garden museum library hotel room floor parking speed limit "
            + "warning danger caution welcome menu lunch dinner bread cheese apple orange water energy cloud edge "
            + "mobile model latency network signal battery 2024 19.99 42 7 08:30 A12 B-7 No.5 100% km/h").split(" ");

    /** Which images a set holds. */
    public record Spec(String name, long seed, int count) {}

    public static final Spec SMALL = new Spec("eval-100", 1_001L, 100);
    public static final Spec LARGE = new Spec("eval-1000", 1_001L, 1000);
    public static final Spec CALIBRATION = new Spec("calibration", 2_002L, 100);

    /** One image's truth: its file and its text lines' boxes {@code [x0, y0, x1, y1]} (exclusive ends, pixels). */
    public record Image(@JsonProperty(required = true) String file,
                        @JsonProperty(required = true) List<int[]> boxes,
                        List<String> texts) {
        public Image {
            boxes = List.copyOf(boxes);
            texts = texts == null ? List.of() : List.copyOf(texts);
        }
    }

    /** A set's {@code labels.json}. */
    public record Labels(@JsonProperty(required = true) int width, @JsonProperty(required = true) int height,
                         @JsonProperty(required = true) List<Image> images, String recipe) {
        public Labels {
            images = List.copyOf(images);
        }
    }

    private OcrDataset() {}

    /** Renders the set into {@code folder} (PNGs plus {@code labels.json}, written last). */
    public static void write(Path folder, Spec spec) throws IOException {
        List<Font> fonts = loadFonts();
        Files.createDirectories(folder);
        List<Image> images = new ArrayList<>();
        for (int i = 0; i < spec.count(); i++) {
            Rendered r = render(fonts, new Random(spec.seed() * 1_000_003L + i));
            String file = String.format("%04d.png", i);
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(r.image(), "png", png);
            AtomicFiles.write(folder.resolve(file), png.toByteArray());
            images.add(new Image(file, r.boxes(), r.texts()));
        }
        Json.writeAtomically(folder.resolve(LABELS), new Labels(SIZE, SIZE, images,
                "tiermark data ocr (set " + spec.name() + ", seed " + spec.seed() + ", DejaVu fonts from Debian fonts-dejavu-core)"));
    }

    /** True when the fonts the renderer needs are installed. */
    public static boolean fontsAvailable() {
        return FONTS.stream().allMatch(f -> Files.isRegularFile(FONT_DIR.resolve(f)));
    }

    static List<Font> loadFonts() throws IOException {
        List<Font> out = new ArrayList<>();
        for (String f : FONTS) {
            Path p = FONT_DIR.resolve(f);
            if (!Files.isRegularFile(p)) {
                throw new InvalidInputException(p + ": font not found; it is provided by the Debian package fonts-dejavu-core "
                        + "(apt-get install fonts-dejavu-core)");
            }
            try {
                out.add(Font.createFont(Font.TRUETYPE_FONT, p.toFile()));
            } catch (FontFormatException e) {
                throw new InvalidInputException(p + ": not a usable TrueType font: " + e.getMessage(), e);
            }
        }
        return out;
    }

    record Rendered(BufferedImage image, List<int[]> boxes, List<String> texts) {}

    /** One image: 1 to 5 lines stacked with random gaps, each fully inside the image. */
    static Rendered render(List<Font> fonts, Random rnd) {
        BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        List<int[]> boxes = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g.setColor(new Color(190 + rnd.nextInt(66), 190 + rnd.nextInt(66), 190 + rnd.nextInt(66)));
            g.fillRect(0, 0, SIZE, SIZE);
            FontRenderContext frc = g.getFontRenderContext();
            int lines = 1 + rnd.nextInt(5);
            int y = 8 + rnd.nextInt(30);
            for (int l = 0; l < lines; l++) {
                Font font = fonts.get(rnd.nextInt(fonts.size())).deriveFont((float) (14 + rnd.nextInt(17)));
                int words = 1 + rnd.nextInt(4);
                String text;
                GlyphVector gv;
                Rectangle probe;
                do {
                    // drop words until the line fits the width
                    StringBuilder sb = new StringBuilder();
                    for (int w = 0; w < words; w++) {
                        sb.append(w == 0 ? "" : " ").append(WORDS[rnd.nextInt(WORDS.length)]);
                    }
                    text = rnd.nextInt(4) == 0 ? sb.toString().toUpperCase(Locale.ROOT) : sb.toString();
                    gv = font.createGlyphVector(frc, text);
                    probe = gv.getPixelBounds(frc, 0, 0);
                    words--;
                } while (probe.width > SIZE - 24 && words > 0);
                int baseline = y - probe.y;
                int maxX = SIZE - 8 - probe.width;
                if (maxX < 8 || baseline + probe.y + probe.height > SIZE - 8) {
                    break;
                }
                int x = 8 + rnd.nextInt(maxX - 8 + 1) - probe.x;
                g.setColor(new Color(rnd.nextInt(90), rnd.nextInt(90), rnd.nextInt(90)));
                g.drawGlyphVector(gv, x, baseline);
                Rectangle b = gv.getPixelBounds(frc, x, baseline);
                boxes.add(new int[] {b.x, b.y, b.x + b.width, b.y + b.height});
                texts.add(text);
                y = b.y + b.height + 10 + rnd.nextInt(40);
            }
        } finally {
            g.dispose();
        }
        return new Rendered(img, boxes, texts);
    }

    /** Reads a set's {@code labels.json}; boxes outside the image fail naming the file and image. */
    public static Labels readLabels(Path folder) {
        Path file = folder.resolve(LABELS);
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(file + ": text-detection labels not found; the set is made by "
                    + "`tiermark data ocr` (the build makes eval-1000; fonts from Debian fonts-dejavu-core)");
        }
        Labels labels = Json.read(file, Labels.class);
        for (Image im : labels.images()) {
            if (!Files.isRegularFile(folder.resolve(im.file()))) {
                throw new InvalidInputException(file + ": image '" + im.file() + "' not found in " + folder);
            }
            for (int[] b : im.boxes()) {
                if (b.length != 4 || b[0] < 0 || b[1] < 0 || b[2] > labels.width() || b[3] > labels.height()
                        || b[0] >= b[2] || b[1] >= b[3]) {
                    throw new InvalidInputException(file + ": image '" + im.file() + "': box " + Arrays.toString(b)
                            + " is not [x0, y0, x1, y1] inside " + labels.width() + "x" + labels.height());
                }
            }
        }
        return labels;
    }
}
