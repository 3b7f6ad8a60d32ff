package org.tiermark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code tiermark train}: bad options are refused before any data is read or any training starts. */
class TrainCommandTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldErr;

    @BeforeEach
    void capture() {
        oldErr = System.err;
        System.setErr(new PrintStream(err, true));
    }

    @AfterEach
    void restore() {
        System.setErr(oldErr);
    }

    @Test
    void threadsMustBePositive() {
        assertEquals(2, Tiermark.run(new String[] {"train", "--model", "resnet-fmnist", "--threads", "0"}));
        assertTrue(err.toString().contains("--threads must be >= 1 (got 0)"), err.toString());
    }

    @Test
    void unknownModelNamesTheValidOnes() {
        assertEquals(2, Tiermark.run(new String[] {"train", "--model", "vgg"}));
        assertTrue(err.toString().contains("resnet-fmnist") && err.toString().contains("minilm-spam"), err.toString());
    }

    @Test
    void everyRecipeIsForAKnownArchitecture() {
        assertEquals(new java.util.TreeSet<>(org.tiermark.train.Architecture.NAMES), new java.util.TreeSet<>(TrainCommand.RECIPE_EPOCHS.keySet()));
    }

    /** White-box parameters out of range are refused naming them, before any data is read or anything trained. */
    @Test
    void whiteboxParametersAreRefusedBeforeTraining() {
        String[][] cases = {
                {"--operator", "distill", "--temperature", "0"}, {"distill.temperature"},
                {"--operator", "distill", "--alpha", "1.5"}, {"distill.alpha"},
                {"--operator", "distill", "--width-ratio", "0.9"}, {"at least 2x cheaper"},
                {"--operator", "prune", "--sparsity", "1"}, {"prune.sparsity"},
                {"--operator", "prune-channels", "--sparsity", "-0.1"}, {"prune-channels.sparsity"},
                {"--operator", "quantize"}, {"distill, prune, prune-channels, qat"},
                {"--operator", "qat", "--teacher", "/nonexistent"}, {"/nonexistent"},
        };
        for (int i = 0; i < cases.length; i += 2) {
            err.reset();
            String[] argv = new String[4 + cases[i].length];
            argv[0] = "train";
            argv[1] = "--model";
            argv[2] = "resnet-fmnist";
            argv[3] = "--threads=1";
            System.arraycopy(cases[i], 0, argv, 4, cases[i].length);
            assertEquals(2, Tiermark.run(argv), String.join(" ", argv));
            assertTrue(err.toString().contains(cases[i + 1][0]), String.join(" ", argv) + " -> " + err);
        }
    }
}
