package org.tiermark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tiermark.InvalidInputException;

/** Structured channel pruning: the smaller network computes what the source computes without the removed channels. */
class ChannelPruningTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void threads() {
        Tiny.oneThread();
    }

    /**
     * Removing a channel equals zeroing what reads it in the source: checked for the basic unit and for
     * the grouped bottleneck unit, on random weights and random batch-norm statistics.
     */
    @Test
    void prunedNetworkEqualsSourceWithRemovedChannelsSilenced() {
        for (Architecture a : List.of(Tiny.resnet(), Tiny.resnext())) {
            FmnistInputs x = Tiny.squares(20, a.inputSize(), 3);
            try (Model src = newRandom(a, 11); Model dst = FashionMnistTrainer.newModel(ChannelPruning.pruned(a, 0.5))) {
                Network s = (Network) src.getBlock();
                Network d = (Network) dst.getBlock();
                d.initialize(dst.getNDManager(), DataType.FLOAT32, d.inputShape(1));
                ChannelPruning.Details details = ChannelPruning.copyPruned(s, d);
                float[][] pruned = TrainingLoop.logits(d, dst.getNDManager(), x);
                silenceRemoved(s, details);
                float[][] silenced = TrainingLoop.logits(s, src.getNDManager(), x);
                assertTrue(OnnxLogits.maxAbsDiff(pruned, silenced) < 1e-4, a.name() + ": "
                        + OnnxLogits.maxAbsDiff(pruned, silenced));
                assertTrue(2 * d.architecture().cost().multiplyAdds() < 1.4 * s.architecture().cost().multiplyAdds(),
                        a.name() + ": " + d.architecture().cost());
                for (ChannelPruning.UnitChannels u : details.units()) {
                    assertEquals(u.before() / 2, u.after(), u.unit());
                }
            }
        }
    }

    @Test
    void zeroSparsityKeepsTheNetworkExactly() {
        Architecture a = Tiny.resnext();
        FmnistInputs x = Tiny.squares(10, a.inputSize(), 3);
        try (Model src = newRandom(a, 5); Model dst = FashionMnistTrainer.newModel(ChannelPruning.pruned(a, 0))) {
            Network d = (Network) dst.getBlock();
            d.initialize(dst.getNDManager(), DataType.FLOAT32, d.inputShape(1));
            ChannelPruning.copyPruned((Network) src.getBlock(), d);
            assertEquals(0, OnnxLogits.maxAbsDiff(TrainingLoop.logits(d, dst.getNDManager(), x),
                    TrainingLoop.logits(src.getBlock(), src.getNDManager(), x)), 1e-6);
        }
    }

    @Test
    void badSparsityIsRefusedNamingTheParameter() {
        var o = Tiny.options(1, 1e-3f);
        assertThrows(InvalidInputException.class, () -> new ChannelPruning.Params(1.0, o));
        assertThrows(InvalidInputException.class, () -> new ChannelPruning.Params(-0.5, o));
        // 8 groups of 8..32 channels: removing 30% leaves fractions of a channel per group
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ChannelPruning.pruned(Architecture.resnext(), 0.3));
        assertTrue(e.getMessage().contains("prune-channels.sparsity"), e.getMessage());
    }

    @Test
    void pruneChannelsFineTunesAndExports() throws Exception {
        Architecture a = Tiny.resnet();
        Path source = dir.resolve("source");
        Tiny.saveRandom(a, source);
        var p = new ChannelPruning.Params(0.5, Tiny.options(3, 5e-3f));
        TrainedVariant<ChannelPruning.Params> v = ChannelPruning.prune(a, source, Tiny.squares(256, 12, 1),
                Tiny.squares(100, 12, 2), p, dir.resolve("out"), e -> { });
        assertTrue(v.cost().multiplyAdds() < v.sourceCost().multiplyAdds());
        assertTrue(v.testAccuracyOnnx() > 0.3, "accuracy " + v.testAccuracyOnnx());
        assertTrue(v.maxAbsLogitDiff() < 1e-4);
    }

    private static Model newRandom(Architecture a, long seed) {
        Model m = FashionMnistTrainer.newModel(a);
        Network n = (Network) m.getBlock();
        n.initialize(m.getNDManager(), DataType.FLOAT32, n.inputShape(1));
        Random r = new Random(seed);
        for (ConvBn cb : OnnxExporter.convs(n).values()) {
            randomize(cb.conv().getParameters().get("weight"), r, 0, 0.3);
            randomize(cb.norm().getParameters().get("gamma"), r, 1, 0.5);
            randomize(cb.norm().getParameters().get("beta"), r, 0, 0.3);
            randomize(cb.norm().getParameters().get("runningMean"), r, 0, 0.3);
            float[] v = cb.norm().getParameters().get("runningVar").getArray().toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] = 0.5f + r.nextFloat();
            }
            cb.norm().getParameters().get("runningVar").getArray().set(v);
        }
        return m;
    }

    private static void randomize(Parameter p, Random r, double mean, double std) {
        float[] v = p.getArray().toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (mean + std * r.nextGaussian());
        }
        p.getArray().set(v);
    }

    /** Zeroes, in the source, every weight that reads a removed channel. */
    private static void silenceRemoved(Network s, ChannelPruning.Details details) {
        int k = 0;
        for (List<ResidualUnit> stage : s.stages()) {
            for (ResidualUnit u : stage) {
                List<List<Integer>> kept = details.units().get(k++).kept();
                List<ConvBn> main = u.main();
                for (int set = 0; set < kept.size(); set++) {
                    zeroInputs(main.get(set + 1), new HashSet<>(kept.get(set)));
                }
            }
        }
    }

    /** Zeroes {@code reader}'s weights from input channels not in {@code kept} (channel = group * perGroup + position). */
    private static void zeroInputs(ConvBn reader, Set<Integer> kept) {
        Parameter p = reader.conv().getParameters().get("weight");
        long[] shape = p.getArray().getShape().getShape();
        float[] w = p.getArray().toFloatArray();
        int outs = (int) shape[0];
        int per = (int) shape[1];
        int k = (int) (shape[2] * shape[3]);
        int outPerGroup = outs / reader.groups();
        for (int o = 0; o < outs; o++) {
            int g = o / outPerGroup;
            for (int i = 0; i < per; i++) {
                if (!kept.contains(g * per + i)) {
                    for (int j = 0; j < k; j++) {
                        w[(o * per + i) * k + j] = 0f;
                    }
                }
            }
        }
        p.getArray().set(w);
    }
}
