package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dsv3.tornado.kernels.BatchMatMulMma;
import org.dsv3.tornado.kernels.BatchTile;
import org.junit.jupiter.api.Test;

/**
 * The tensor-core option is refused, with the reason, where TornadoVM 5.2 cannot compile its MMA kernel (a
 * non-PTX device, or PTX not the default backend), and its kernel takes only the tiles it is written for.
 */
class TensorCoreOptionTest {

    @Test
    void refusedOffPtxWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PlanOptions.tensorCores(true, false, false));
        assertTrue(e.getMessage().contains("PTX device"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PlanOptions.tensorCores(true, true, false));
        assertTrue(e.getMessage().contains("tornado.ptx.priority"), e.getMessage());
        assertTrue(PlanOptions.tensorCores(true, true, true));
        assertFalse(PlanOptions.tensorCores(false, false, false));
    }

    @Test
    void onlyTheTilesOfTheKernel() {
        assertTrue(BatchMatMulMma.fits(new BatchTile(128, 64)));
        assertTrue(BatchMatMulMma.fits(new BatchTile(64, 64)));
        assertFalse(BatchMatMulMma.fits(new BatchTile(128, 32)));
        assertFalse(BatchMatMulMma.fits(new BatchTile(32, 64)));
        // 64 tokens x 128 rows of accumulators a work-group
        assertTrue(BatchMatMulMma.stagedFloats(3, new BatchTile(128, 64)) == 3L * 64 * 128);
    }
}
