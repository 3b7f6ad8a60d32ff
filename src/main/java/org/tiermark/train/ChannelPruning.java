package org.tiermark.train;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.loss.Loss;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.tiermark.InvalidInputException;
import org.tiermark.onnx.OnnxModels;

/**
 * The {@code prune-channels} operator for tiermark's CNNs: structured pruning that removes whole channels
 * inside every residual unit, so that the exported network is really smaller and faster with dense
 * kernels. Only the channels between a unit's convolutions are removed: a unit's output channels are
 * tied to its input by the skip addition (and so to every unit of the stage), and stay. In a grouped
 * convolution every group loses the same number of channels, so the groups stay equal. Channels are
 * ranked by the L1 norm of the weights that write them (batch norm folded) times the L1 norm of the
 * weights that read them; the smaller network is then fine-tuned.
 */
public final class ChannelPruning {
    /** Name of the operator, as in the variant's manifest. */
    public static final String OPERATOR = "prune-channels";

    /**
     * @param sparsity share of the channels inside each residual unit removed, in [0, 1)
     * @param training fine-tuning epochs, learning rate, seed, limits
     */
    public record Params(double sparsity, FashionMnistTrainer.Options training) {
        public Params {
            if (!(sparsity >= 0 && sparsity < 1)) {
                throw new InvalidInputException("prune-channels.sparsity: the share of channels removed inside each "
                        + "residual unit must be in [0, 1) (got " + sparsity + ")");
            }
        }

        /** Half of the channels, then 2 epochs of fine-tuning with Adam from 1e-3. */
        public static Params defaults() {
            return new Params(0.5, FashionMnistTrainer.Options.defaults(2, 1).withLearningRate(1e-3f));
        }
    }

    /**
     * Channels inside one unit before and after, and which were kept (indices into the source's channels):
     * one set per channel set inside the unit (basic unit: one; bottleneck: before and after the grouped conv).
     */
    public record UnitChannels(String unit, int before, int after, List<List<Integer>> kept) {}

    /** What was removed, unit by unit. */
    public record Details(List<UnitChannels> units) {}

    private ChannelPruning() {}

    /**
     * The architecture after removing {@code sparsity} of the channels inside units; refused when a grouped
     * network's groups would not stay equal.
     */
    public static Architecture pruned(Architecture a, double sparsity) {
        try {
            Architecture p = a.withInnerRatio(a.name() + "-channels", 1 - sparsity);
            for (int s = 0; s < 4; s++) {
                if (p.innerWidth(s) >= a.innerWidth(s) && sparsity > 0) {
                    throw new IllegalArgumentException("stage " + (s + 1) + " keeps all its " + a.innerWidth(s) + " channels");
                }
            }
            return p;
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("prune-channels.sparsity " + sparsity + " does not apply to " + a.name() + ": "
                    + e.getMessage() + (a.grouped() ? "; with " + a.cardinality() + " groups choose a share that leaves "
                    + "a whole number of channels per group, e.g. 0.25, 0.5 or 0.75" : ""), e);
        }
    }

    /**
     * Prunes the model whose DJL parameters and {@code model.onnx} are in {@code source}, fine-tunes it,
     * writes {@code out/model.onnx} (checked against DJL) and keeps the DJL parameters in {@code out/checkpoint}.
     */
    public static TrainedVariant<Params> prune(Architecture a, Path source, FmnistInputs train, FmnistInputs test,
                                               Params p, Path out, Consumer<TrainingLoop.Epoch> log)
            throws IOException, OrtException {
        Architecture target = pruned(a, p.sparsity());
        Whitebox.checkData(train, test, a);
        Path sourceOnnx = source.resolve("model.onnx");
        OnnxModels.checkFile(sourceOnnx, "prune-channels source");
        long start = System.nanoTime();
        try (Model from = FashionMnistTrainer.load(a, source);
             Model model = FashionMnistTrainer.newModel(target)) {
            Network src = (Network) from.getBlock();
            Network dst = (Network) model.getBlock();
            dst.initialize(model.getNDManager(), DataType.FLOAT32, dst.inputShape(1));
            Details d = copyPruned(src, dst);
            TrainingLoop.Run run = TrainingLoop.run(model, dst.inputShape(p.training().batchSize()), train, test,
                    p.training(), Loss.softmaxCrossEntropyLoss(), null, null, out.resolve("checkpoint"), OPERATOR, log);
            Whitebox.Export e = Whitebox.exportChecked(model, dst, test, out, 1);
            return new TrainedVariant<>(OPERATOR, e.onnx(), target, target.cost(), a.cost(), p, run.epochs(),
                    e.accuracyDjl(), e.accuracyOnnx(), e.maxAbsLogitDiff(), OnnxModels.sha256(sourceOnnx), train.sha256(),
                    test.sha256(), run.nanos() / 1e9, (System.nanoTime() - start) / 1e9, run.checkpoint(), d);
        }
    }

    /** Copies {@code src}'s parameters into the narrower {@code dst}, keeping the most important inner channels. */
    static Details copyPruned(Network src, Network dst) {
        copy(src.stem(), dst.stem(), null, null);
        copyParam(src.head().getParameters().get("weight"), dst.head().getParameters().get("weight"), null, null);
        copyParam(src.head().getParameters().get("bias"), dst.head().getParameters().get("bias"), null, null);
        List<UnitChannels> units = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            for (int u = 0; u < src.stages().get(s).size(); u++) {
                ResidualUnit a = src.stages().get(s).get(u);
                ResidualUnit b = dst.stages().get(s).get(u);
                List<ConvBn> sm = a.main();
                List<ConvBn> dm = b.main();
                int groups = sm.size() == 3 ? sm.get(1).groups() : 1;
                int keep = (int) dm.get(0).conv().getParameters().get("weight").getArray().getShape().get(0);
                // the channels written by main[0] and read by main[1]
                int[] first = keepPerGroup(importance(sm.get(0), sm.get(1)), groups, keep);
                List<List<Integer>> kept = new ArrayList<>();
                kept.add(Arrays.stream(first).boxed().toList());
                copy(sm.get(0), dm.get(0), first, null);
                if (sm.size() == 3) {
                    // bottleneck: the grouped conv's outputs are a second set, read by main[2]
                    int[] second = keepPerGroup(importance(sm.get(1), sm.get(2)), groups, keep);
                    kept.add(Arrays.stream(second).boxed().toList());
                    copy(sm.get(1), dm.get(1), second, first);
                    copy(sm.get(2), dm.get(2), null, second);
                } else {
                    copy(sm.get(1), dm.get(1), null, first);
                }
                if (a.shortcut().isPresent()) {
                    copy(a.shortcut().get(), b.shortcut().get(), null, null);
                }
                units.add(new UnitChannels(Network.stageName(s) + "_" + u,
                        (int) sm.get(0).conv().getParameters().get("weight").getArray().getShape().get(0), keep,
                        List.copyOf(kept)));
            }
        }
        return new Details(List.copyOf(units));
    }

    /**
     * Per channel written by {@code writer}: L1 of its folded filter times L1 of what {@code reader} reads
     * from it. For a grouped reader the input index is the channel's position inside its group.
     */
    static double[] importance(ConvBn writer, ConvBn reader) {
        float[] w = writer.conv().getParameters().get("weight").getArray().toFloatArray();
        long[] ws = writer.conv().getParameters().get("weight").getArray().getShape().getShape();
        float[] gamma = writer.norm().getParameters().get("gamma").getArray().toFloatArray();
        float[] var = writer.norm().getParameters().get("runningVar").getArray().toFloatArray();
        float[] r = reader.conv().getParameters().get("weight").getArray().toFloatArray();
        long[] rs = reader.conv().getParameters().get("weight").getArray().getShape().getShape();
        int channels = (int) ws[0];
        int per = w.length / channels;
        int readerIn = (int) rs[1];
        int readerOut = (int) rs[0];
        int k = (int) (rs[2] * rs[3]);
        int groups = channels / readerIn;
        int outPerGroup = readerOut / groups;
        double[] score = new double[channels];
        for (int c = 0; c < channels; c++) {
            double write = 0;
            for (int i = 0; i < per; i++) {
                write += Math.abs(w[c * per + i]);
            }
            write *= Math.abs(gamma[c]) / Math.sqrt(var[c] + ConvBn.EPSILON);
            double read = 0;
            int g = c / readerIn;
            int pos = c % readerIn;
            for (int o = g * outPerGroup; o < (g + 1) * outPerGroup; o++) {
                for (int i = 0; i < k; i++) {
                    read += Math.abs(r[(o * readerIn + pos) * k + i]);
                }
            }
            score[c] = write * read;
        }
        return score;
    }

    /** The {@code keep / groups} highest-scoring channels of every group, in increasing index order. */
    static int[] keepPerGroup(double[] score, int groups, int keep) {
        int per = score.length / groups;
        int keepPer = keep / groups;
        int[] out = new int[keep];
        int n = 0;
        for (int g = 0; g < groups; g++) {
            final int base = g * per;
            Integer[] order = new Integer[per];
            Arrays.setAll(order, i -> base + i);
            Arrays.sort(order, (x, y) -> Double.compare(score[y], score[x]));
            int[] chosen = new int[keepPer];
            for (int i = 0; i < keepPer; i++) {
                chosen[i] = order[i];
            }
            Arrays.sort(chosen);
            for (int c : chosen) {
                out[n++] = c;
            }
        }
        return out;
    }

    /**
     * Copies a conv+bn keeping output channels {@code outKeep} and input channels {@code inKeep} (null: all).
     * For a grouped conv, {@code inKeep} lists source input channels; each kept output channel reads the
     * kept inputs of its own group, which are its group's positions in the source weight.
     */
    private static void copy(ConvBn from, ConvBn to, int[] outKeep, int[] inKeep) {
        copyParam(from.conv().getParameters().get("weight"), to.conv().getParameters().get("weight"), outKeep,
                inKeep == null ? null : positionsInGroup(inKeep, from));
        for (String name : List.of("gamma", "beta", "runningMean", "runningVar")) {
            copyParam(from.norm().getParameters().get(name), to.norm().getParameters().get(name), outKeep, null);
        }
    }

    /** Source input channels -> index along the weight's axis 1 (the position inside the channel's group). */
    private static int[] positionsInGroup(int[] inKeep, ConvBn conv) {
        int perGroup = (int) conv.conv().getParameters().get("weight").getArray().getShape().get(1);
        return Arrays.stream(inKeep).map(c -> c % perGroup).toArray();
    }

    /**
     * {@code to = from[outKeep][inKeep]} along axes 0 and 1 (null: all). For a grouped weight
     * ({@code to}'s axis 1 shorter than {@code inKeep}), output channel {@code o} of group {@code g}
     * reads entries {@code g * len .. (g + 1) * len} of {@code inKeep}.
     */
    private static void copyParam(Parameter from, Parameter to, int[] outKeep, int[] inKeep) {
        float[] src = from.getArray().toFloatArray();
        long[] fs = from.getArray().getShape().getShape();
        long[] ts = to.getArray().getShape().getShape();
        int outs = (int) ts[0];
        int ins = ts.length > 1 ? (int) ts[1] : 1;
        int fIns = fs.length > 1 ? (int) fs[1] : 1;
        int inner = 1;
        for (int d = 2; d < ts.length; d++) {
            inner *= (int) ts[d];
        }
        int groupsOut = inKeep == null ? 1 : inKeep.length / ins;
        int outPerGroup = outs / groupsOut;
        float[] dst = new float[outs * ins * inner];
        for (int o = 0; o < outs; o++) {
            int so = outKeep == null ? o : outKeep[o];
            int g = o / outPerGroup;
            for (int i = 0; i < ins; i++) {
                int si = inKeep == null ? i : inKeep[g * ins + i];
                System.arraycopy(src, (so * fIns + si) * inner, dst, (o * ins + i) * inner, inner);
            }
        }
        to.getArray().set(dst);
    }
}
