package org.dsv3.model.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StepProfileTest {
    @Test
    void hostTimeIsThePlainTimeLessTheKernelTimeAndGbpsIsBytesOverKernelTime() {
        // 2 ms of kernels reading 3 GB a token: 1500 GB/s; a plain token of 2.5 ms leaves 0.5 ms on the host
        StepProfile p = new StepProfile(16, 2e6, 4e6, 3_000_000_000L);
        assertTrue(p.kernelTimeKnown());
        assertEquals(5e5, p.hostNsPerToken(2.5e6), 1e-6);
        assertEquals(1500.0, p.kernelWeightGBps(), 1e-9);
    }

    @Test
    void anUnknownKernelTimeLeavesHostTimeAndGbpsUnknownButKeepsTheBytes() {
        StepProfile p = new StepProfile(4, Double.NaN, 1e6, 42);
        assertFalse(p.kernelTimeKnown());
        assertTrue(Double.isNaN(p.hostNsPerToken(1e6)));
        assertTrue(Double.isNaN(p.kernelWeightGBps()));
        assertEquals(42, p.weightBytesPerToken());
    }

    @Test
    void badFiguresAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new StepProfile(0, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new StepProfile(1, -1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new StepProfile(1, 1, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new StepProfile(1, 1, 1, -1));
    }
}
