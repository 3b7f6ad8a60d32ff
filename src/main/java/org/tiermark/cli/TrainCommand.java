package org.tiermark.cli;

import java.nio.file.Path;
import java.util.Set;
import org.tiermark.InvalidInputException;
import org.tiermark.train.HeadTrainer;

/** {@code tiermark train --model minilm-spam|bge-spam}: trains a text classifier's head and composes its ONNX. */
final class TrainCommand implements Command {
    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train the classification head of a text model (minilm-spam, bge-spam) and compose its ONNX";
    }

    @Override
    public String usage() {
        return """
                usage: tiermark train --model minilm-spam|bge-spam [--home DIR] [--limit N] [--threads T]
                  embeds the SpamAssassin train split with the encoder + mean pooling (ONNX Runtime, T threads,
                  default 2), fits softmax regression (deterministic), writes models/heads/<model>.json and
                  models/base/<model>/<model>.onnx. --limit caps the training e-mails (default: all).""";
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args a = Args.parse(name(), argv, Set.of("home", "model", "limit", "threads"), Set.of());
        String model = a.get("model", null);
        if (model == null) {
            throw new InvalidInputException("train: --model is required; valid: "
                    + String.join(", ", HeadTrainer.ENCODERS.keySet().stream().sorted().toList()));
        }
        Path home = Path.of(a.get("home", System.getProperty("tiermark.home", "."))).toAbsolutePath().normalize();
        HeadTrainer.Result r = HeadTrainer.train(home, model, a.getInt("limit", Integer.MAX_VALUE), a.getInt("threads", 2));
        System.out.printf("%s: %d training e-mails embedded in %.1f s; lambda %.0e, hold-out F1 %.4f, train F1 %.4f%n",
                model, r.samples(), r.embedSeconds(), r.lambda(), r.holdoutF1(), r.trainF1());
        return 0;
    }
}
