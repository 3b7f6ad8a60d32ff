package org.tiermark.report;

import static org.tiermark.report.DeploymentParams.IDENTITY;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The two studies' published findings side by side with this run's: each finding is a rule over the
 * trade-off groups (median latencies and accuracies), evaluated per model; the finding "agrees" when
 * the rule holds for more than half of the models where its cells were measured, "disagrees" when it
 * holds for half or fewer, and is "not measured" when no model has them. Nothing here is written by
 * hand but the findings' wording and their rules.
 */
final class Findings {
    /**
     * Most accuracy points a "small-to-medium" or "medium" loss may be: the studies called their
     * quantized early exit's losses medium, the largest being FCN's 12.4 mIoU points.
     */
    static final double MEDIUM_LOSS_POINTS = 15;
    /** The studies' black-box operators (no training). */
    private static final Set<String> BLACK_BOX = Set.of(IDENTITY, "sptq", "partition", "early-exit", "sptq+early-exit", "sptq+partition");
    /** Name parts of text models (the studies' Bert and Roberta, this project's MiniLM, BGE and E5 encoders); the rest with an image part are image models. */
    private static final List<String> TEXT = List.of("bert", "roberta", "minilm", "bge", "e5");
    private static final List<String> IMAGE = List.of("resnet", "resnext", "fcn", "duc", "ppocr", "mnist");

    /** One finding: its words, what the studies found, what this run found, and the verdict. */
    record Finding(String finding, String studies, String thisRun, String verdict) {}

    /** What a rule says of one model: null when the model lacks the cells, else whether it holds and the numbers. */
    private record Outcome(boolean holds, String numbers) {}

    private Findings() {}

    /**
     * The findings over the groups of the headline benchmark (all groups when none is of it).
     *
     * @param headline {@code Class.method} of the headline benchmark (benchmarks.json), or null (e.g. the studies' CSV)
     */
    static List<Finding> of(List<TradeOffGroup> groups, String headline, Accuracy ours, Map<String, Map<String, Double>> published) {
        List<TradeOffGroup> gs = groups.stream().filter(g -> g.benchmark().equals(headline)).toList();
        List<TradeOffGroup> use = gs.isEmpty() ? groups : gs;
        List<Finding> out = new ArrayList<>();
        out.add(judge("DSPTQ (distill+sptq) is the fastest strategy on the edge, at a small-to-medium accuracy loss",
                "ResNet and Bert: distill+sptq fastest on edge at 1.3-3.3 points (white-box study)", use,
                g -> fastestOnEdge(g, "distill+sptq", g.operators(), ours, published)));
        out.add(judge("Quantized early exit (sptq+early-exit) on the edge is the fastest black-box strategy, at a medium accuracy loss",
                "sptq+early-exit on edge fastest among black-box operators at 6.6-12.4 points (black-box study)", use,
                g -> fastestOnEdge(g, "sptq+early-exit", g.operators().stream().filter(BLACK_BOX::contains).toList(), ours, published)));
        out.add(judge("Partitioning (mobile-edge) is preferred over mobile-only when the mobile tier is constrained",
                "the whole model split mobile-edge was faster than on mobile alone (both studies)", use, Findings::partitionBeatsMobile));
        out.add(judge("Distillation is better than partitioning on constrained tiers",
                "distill on mobile faster than the partitioned model on mobile-edge (white-box study)", use, Findings::distillBeatsPartition));
        out.add(judge("Text models favour the cloud, image models the edge",
                "Bert and Roberta fastest on cloud, ResNet and ResNext on edge (white-box study)", use, Findings::favouredTier));
        return out;
    }

    /** The findings as a table. */
    static Table table(List<Finding> findings) {
        Table.Builder t = new Table.Builder("findings", "The studies' findings side by side with this run",
                List.of("finding", "the studies found", "this run found", "verdict"));
        findings.forEach(f -> t.row(f.finding(), f.studies(), f.thisRun(), f.verdict()));
        t.note("Each finding is a rule over median latencies (the identity row unless it names an operator) and accuracies, evaluated per model: "
                + "agree when it holds for more than half of the models that have its cells. Small-to-medium loss: at most "
                + (long) MEDIUM_LOSS_POINTS + " points. Text or image model: from the model name (" + String.join(", ", TEXT)
                + " are text; " + String.join(", ", IMAGE) + " are images).");
        return t.build();
    }

    private static Finding judge(String finding, String studies, List<TradeOffGroup> groups, Function<TradeOffGroup, Outcome> rule) {
        List<String> parts = new ArrayList<>();
        int measured = 0;
        int holds = 0;
        for (TradeOffGroup g : groups) {
            Outcome o = rule.apply(g);
            if (o == null) {
                continue;
            }
            measured++;
            holds += o.holds() ? 1 : 0;
            parts.add(g.model() + ": " + o.numbers() + (o.holds() ? "" : " (does not hold)"));
        }
        if (measured == 0) {
            return new Finding(finding, studies, "no model has the cells this finding needs", "not measured");
        }
        String run = "holds for " + holds + " of " + measured + (measured == 1 ? " model" : " models") + ": " + String.join("; ", parts);
        return new Finding(finding, studies, run, 2 * holds > measured ? "agree" : "disagree");
    }

    private static Double lossPoints(TradeOffGroup g, String op, Accuracy ours, Map<String, Map<String, Double>> published) {
        Accuracy.Figure base = ours.figure(published, g.model(), IDENTITY);
        Accuracy.Figure a = ours.figure(published, g.model(), op);
        return base == null || a == null ? null : base.percent() - a.percent();
    }

    private static double median(TradeOffGroup g, String op, String d) {
        return g.cell(op, d).samples().median();
    }

    private static String ms(TradeOffGroup g, double v) {
        return Format.sig(v * Units.toMillis(g.unit()), 4) + " ms";
    }

    /** {@code op} has the lowest median on edge among {@code among}, losing at most {@link #MEDIUM_LOSS_POINTS}. */
    private static Outcome fastestOnEdge(TradeOffGroup g, String op, List<String> among, Accuracy ours,
                                         Map<String, Map<String, Double>> published) {
        if (g.cell(op, "edge") == null) {
            return null;
        }
        String fastest = among.stream().filter(o -> g.cell(o, "edge") != null)
                .min(Comparator.comparingDouble(o -> median(g, o, "edge"))).orElseThrow();
        Double loss = lossPoints(g, op, ours, published);
        boolean holds = fastest.equals(op) && (loss == null || loss <= MEDIUM_LOSS_POINTS);
        return new Outcome(holds, op + " on edge " + ms(g, median(g, op, "edge")) + (fastest.equals(op) ? " (fastest)"
                : ", " + fastest + " faster at " + ms(g, median(g, fastest, "edge")))
                + (loss == null ? ", accuracy not known" : ", " + Format.sig(loss, 3) + " points lost"));
    }

    /** The unquantized model split mobile-edge (identity or partition there) against identity on mobile, where mobile is slower than edge. */
    private static Outcome partitionBeatsMobile(TradeOffGroup g) {
        String split = splitWholeModel(g);
        if (split == null || g.cell(IDENTITY, "mobile") == null) {
            return null;
        }
        double me = median(g, split, "mobile-edge");
        double mobile = median(g, IDENTITY, "mobile");
        boolean constrained = g.cell(IDENTITY, "edge") == null || mobile > median(g, IDENTITY, "edge");
        return new Outcome(constrained && me < mobile, "mobile-edge " + ms(g, me) + " vs mobile " + ms(g, mobile)
                + (constrained ? "" : " (mobile not constrained: faster than edge)"));
    }

    private static Outcome distillBeatsPartition(TradeOffGroup g) {
        String split = splitWholeModel(g);
        if (split == null || g.cell("distill", "mobile") == null) {
            return null;
        }
        double distill = median(g, "distill", "mobile");
        double me = median(g, split, "mobile-edge");
        return new Outcome(distill < me, "distill on mobile " + ms(g, distill) + " vs partitioned on mobile-edge " + ms(g, me));
    }

    /** The operator that runs the unchanged model split over mobile-edge: {@code partition}, or the studies' identity there. */
    private static String splitWholeModel(TradeOffGroup g) {
        for (String op : List.of("partition", IDENTITY)) {
            if (g.cell(op, "mobile-edge") != null) {
                return op;
            }
        }
        return null;
    }

    private static Outcome favouredTier(TradeOffGroup g) {
        String kind = kind(g.model());
        String expected = kind == null ? null : kind.equals("text") ? "cloud" : "edge";
        List<String> tiers = List.of("mobile", "edge", "cloud").stream().filter(t -> g.cell(IDENTITY, t) != null).toList();
        if (expected == null || !tiers.contains(expected) || tiers.size() < 2) {
            return null;
        }
        String best = tiers.stream().min(Comparator.comparingDouble(t -> median(g, IDENTITY, t))).orElseThrow();
        return new Outcome(best.equals(expected), kind + " model, fastest on " + best + " (" + ms(g, median(g, IDENTITY, best)) + ")");
    }

    /** {@code text}, {@code image} or null, from the model name. */
    static String kind(String model) {
        String m = model.toLowerCase(Locale.ROOT);
        if (TEXT.stream().anyMatch(m::contains)) {
            return "text";
        }
        return IMAGE.stream().anyMatch(m::contains) ? "image" : null;
    }
}
