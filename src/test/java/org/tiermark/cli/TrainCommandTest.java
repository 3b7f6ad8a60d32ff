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
}
