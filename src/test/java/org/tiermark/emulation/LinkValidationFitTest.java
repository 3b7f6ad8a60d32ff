package org.tiermark.emulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tiermark.InvalidInputException;
import org.tiermark.tier.LinkCalibration;

/** Fitting the calibration's per-message and per-connection costs from validation cells (no emulation needed). */
class LinkValidationFitTest {
    private static LinkValidation.Cell cell(double mbps, long bytes, boolean newConnection, long medianNanos) {
        return LinkValidation.cell(mbps, 0, bytes, newConnection, List.of(medianNanos), LinkCalibration.DEFAULT);
    }

    @Test
    void messageOverheadIsHalfTheOneByteRoundTripAndSetupTheNewMinusKeptMedian() {
        List<LinkValidation.Cell> cells = new ArrayList<>();
        cells.add(cell(50, 1, false, 50_000));
        cells.add(cell(100, 1, false, 60_000));
        cells.add(cell(10, 1, false, 50_000)); // 10 Mbit/s refill 31 bytes in 25 us, less than a frame: not counted
        cells.add(cell(1, 1, false, 144_000));
        cells.add(cell(200, 1, false, 400_000)); // one disturbed cell moves the median, not the fit
        cells.add(cell(100, 10_000, false, 900_000)); // larger payloads do not count for the message overhead
        cells.add(cell(100, 1, true, 60_000 + 700_000));
        cells.add(cell(100, 10_000, true, 900_000 + 900_000));
        cells.add(cell(50, 10_000, true, 5_000_000)); // no kept partner: not counted
        cells.add(LinkValidation.cell(100, 1, 1, false, List.of(9_000L), LinkCalibration.DEFAULT)); // a round trip: not counted
        LinkValidation.Fit f = LinkValidation.fit(cells);
        assertEquals(0.030, f.messageOverheadMs(), 1e-9);
        assertEquals(3, f.messageCells());
        assertEquals(0.025, f.messageOverheadRangeMs()[0], 1e-9);
        assertEquals(0.200, f.messageOverheadRangeMs()[1], 1e-9);
        // new - kept at 100 Mbit/s: 0.7 and 0.9 ms, each less the handshake's 214 wire bytes (0.01712 ms)
        assertEquals(0.8 - 0.01712, f.connectionSetupMs(), 1e-9);
        assertEquals(2, f.connectionCells());
    }

    @Test
    void withoutOneByteCellsTheFitIsRefusedSayingWhatToMeasure() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> LinkValidation.fit(List.of(cell(100, 10_000, false, 0))));
        assertEquals(true, e.getMessage().contains("--payloads 1"), e.getMessage());
    }
}
