package org.tiermark.cli;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tiermark.InvalidInputException;
import org.tiermark.Json;
import org.tiermark.data.SpamCorpus;
import org.tiermark.data.TextPreprocessor;
import org.tiermark.model.Catalog;
import org.tiermark.onnx.OnnxModels;
import org.tiermark.onnx.Sessions;
import org.tiermark.operator.StepContext;
import org.tiermark.operator.VariantBuilder;
import org.tiermark.train.WhiteboxTrainer;
import org.tiermark.train.WhiteboxTrainers;
import org.tiermark.train.text.OrtLogits;
import org.tiermark.train.text.TokenizedTexts;

/**
 * {@code tiermark train --operator OP --model minilm-spam|bge-spam}: runs one text trainer by hand
 * into {@code --out} (model.onnx, training.json, work/ with the checkpoint), then measures what the
 * benchmark will check: F1 on the large evaluation set and model latency against the source, paired
 * at one thread and the model's sequence length.
 */
final class TextWhiteboxTraining {
    /** CLI options and the parameter each sets (the rest go through {@code --param KEY=VALUE}). */
    private static final Map<String, String> OPTION_PARAMS = Map.of("epochs", "text-epochs", "lr", "text-lr",
            "batch-size", "text-batch", "train-limit", "text-limit", "max-steps", "text-max-steps", "threads", "text-threads",
            "seed", "seed", "temperature", "temperature", "alpha", "alpha", "sparsity", "sparsity");

    private TextWhiteboxTraining() {}

    static int run(Args args, Path home, String modelName, String[] argv) throws Exception {
        String op = args.get("operator", "");
        Catalog catalog = Catalog.load(home.resolve("models"));
        Catalog.Model entry = catalog.model(modelName);
        VariantBuilder.Source source = new VariantBuilder.Source(modelName, entry.onnx(), null, null,
                entry.descriptor().operatorDefaults(), entry);
        WhiteboxTrainer trainer = WhiteboxTrainers.find(op, source).orElseThrow(() -> new InvalidInputException(
                "train --operator " + op + ": no trainer for " + modelName + "; text operators: "
                        + WhiteboxTrainers.all().stream().filter(t -> t.trains(source)).map(WhiteboxTrainer::operator).toList()));
        Optional<String> why = trainer.notApplicable(source);
        if (why.isPresent()) {
            throw new InvalidInputException(why.get());
        }
        Map<String, String> params = new LinkedHashMap<>(trainer.parameters());
        entry.descriptor().operatorDefaults().forEach((k, v) -> {
            if (k.startsWith(op + ".")) {
                params.put(k, v);
            }
        });
        OPTION_PARAMS.forEach((option, key) -> {
            if (args.has(option)) {
                params.put(op + "." + key, args.get(option, ""));
            }
        });
        if (args.has("layers")) {
            params.put(op + ".layers", args.get("layers", ""));
        }
        for (String k : params.keySet()) {
            if (!trainer.parameters().containsKey(k)) {
                throw new InvalidInputException("train: " + op + " does not read '" + k + "'; it reads " + trainer.parameters().keySet());
            }
        }
        trainer.validate(params, source);
        Path out = Path.of(args.get("out", home.resolve("target/whitebox").resolve(modelName + "-" + op).toString()));
        OrtEnvironment env = Sessions.environment();
        OnnxMl.ModelProto sourceModel = OnnxModels.load(entry.onnx());
        WhiteboxTrainer.Trained t = trainer.train(sourceModel, new StepContext(env, source, params, Set.of(), List.of()),
                out.resolve("work"));
        Path onnx = out.resolve("model.onnx");
        OnnxModels.save(t.model(), onnx);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("command", "tiermark train " + String.join(" ", argv));
        report.put("section", t.section());
        if (!args.has("no-eval")) {
            int threads = Integer.parseInt(params.get(op + ".text-threads"));
            report.put("evaluation", evaluate(env, entry, sourceModel, t.model(), threads, args.getInt("rounds", 100)));
        }
        Json.writeAtomically(out.resolve("training.json"), report);
        System.out.println(modelName + " " + op + ": " + onnx + "; " + out.resolve("training.json"));
        return 0;
    }

    /** F1 (spam) of source and variant on the large evaluation set, and their latency paired at one thread. */
    static Map<String, Object> evaluate(OrtEnvironment env, Catalog.Model entry, OnnxMl.ModelProto identity,
                                        OnnxMl.ModelProto variant, int threads, int rounds) throws Exception {
        Path large = entry.resolve(entry.descriptor().evaluation().large());
        List<SpamCorpus.Sample> samples = SpamCorpus.readJsonl(large);
        TokenizedTexts eval = TokenizedTexts.of(samples, entry.tokenizer(), entry.descriptor().input().sequenceLength());
        long start = System.nanoTime();
        double f1Identity = OrtLogits.f1(OrtLogits.of(env, identity, eval, eval.size(), threads), eval.labels());
        double f1Variant = OrtLogits.f1(OrtLogits.of(env, variant, eval, eval.size(), threads), eval.labels());
        System.out.printf("F1 on %s (%d texts): identity %.4f, variant %.4f (%.0f s)%n", large.getFileName(), eval.size(),
                f1Identity, f1Variant, (System.nanoTime() - start) / 1e9);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("set", large.toString());
        r.put("texts", eval.size());
        r.put("f1Identity", f1Identity);
        r.put("f1Variant", f1Variant);
        r.put("f1DropPoints", 100 * (f1Identity - f1Variant));
        if (rounds > 0) {
            double[] ms = pairedLatency(env, identity, variant, eval, rounds);
            System.out.printf("model latency, 1 thread, batch 1, %d tokens, %d paired rounds: identity %.2f ms, variant %.2f ms "
                    + "(medians), ratio of medians %.3f%n", eval.sequence(), rounds, ms[0], ms[1], ms[1] / ms[0]);
            r.put("latencyRounds", rounds);
            r.put("medianMsIdentity", ms[0]);
            r.put("medianMsVariant", ms[1]);
            r.put("latencyRatio", ms[1] / ms[0]);
        }
        return r;
    }

    /** Median milliseconds of identity and variant, one thread, both run on the same text each round, order alternating. */
    private static double[] pairedLatency(OrtEnvironment env, OnnxMl.ModelProto a, OnnxMl.ModelProto b, TokenizedTexts eval,
                                          int rounds) throws Exception {
        int s = eval.sequence();
        List<Double> ta = new ArrayList<>();
        List<Double> tb = new ArrayList<>();
        try (OrtSession.SessionOptions o = Sessions.options(Sessions.Settings.oneThread());
             OrtSession sa = env.createSession(a.toByteArray(), o);
             OrtSession sb = env.createSession(b.toByteArray(), o)) {
            for (int r = -10; r < rounds; r++) {
                int i = Math.floorMod(r, eval.size());
                long[] shape = {1, s};
                try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(eval.ids(), i * s, s).slice(), shape);
                     OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(eval.mask(), i * s, s).slice(), shape);
                     OnnxTensor types = OnnxTensor.createTensor(env, LongBuffer.wrap(eval.types(), i * s, s).slice(), shape)) {
                    Map<String, OnnxTensor> in = Map.of(TextPreprocessor.INPUT_IDS, ids, TextPreprocessor.ATTENTION_MASK, mask,
                            TextPreprocessor.TOKEN_TYPE_IDS, types);
                    boolean aFirst = r % 2 == 0;
                    double x = time(aFirst ? sa : sb, in);
                    double y = time(aFirst ? sb : sa, in);
                    if (r >= 0) {
                        // the first ten rounds warm both sessions up and are dropped
                        ta.add(aFirst ? x : y);
                        tb.add(aFirst ? y : x);
                    }
                }
            }
        }
        return new double[] {median(ta), median(tb)};
    }

    private static double time(OrtSession s, Map<String, OnnxTensor> in) throws Exception {
        long t0 = System.nanoTime();
        try (OrtSession.Result r = s.run(in)) {
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }
}
