package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dsv3.tornado.kernels.BatchTile;
import org.dsv3.tornado.kernels.NormMatVec;
import org.dsv3.tornado.kernels.WeightType;
import org.junit.jupiter.api.Test;

/**
 * {@code -Ddsv3.tornado.expertsGroup}: the rounding experts launch keeps 32 rows (one 8-bit block) a work-group, so
 * its width sets the lanes a row; only widths the kernel's local arrays hold are taken, with the option named.
 */
class ExpertsGroupOptionTest {

    private static PlanOptions withExpertsGroup(int threads) {
        return new PlanOptions(0, PlanOptions.DEFAULT_SPLITS, PlanOptions.DEFAULT_SLICE_POSITIONS, false, false, 0,
                PlanOptions.DEFAULT_MATVEC_THREADS, BatchTile.DEFAULT, AttentionKernel.parse(null), false, Int8Ffn.ALL, false,
                PlanOptions.DEFAULT_EXPERT_LANES, threads, false);
    }

    @Test
    void takesOnlyTheWidthsTheKernelHolds() {
        for (int ok : new int[] {256, 512, 1024}) {
            assertEquals(ok, withExpertsGroup(ok).expertsGroup());
        }
        for (int bad : new int[] {128, 384, 2048, 0}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> withExpertsGroup(bad));
            assertTrue(e.getMessage().contains("dsv3.tornado.expertsGroup") && e.getMessage().contains(String.valueOf(bad)),
                    e.getMessage());
        }
    }

    @Test
    void roundingGroupsAreOneBlockOfRows() {
        int q8 = WeightType.Q8_0_SPLIT;
        assertEquals(256, NormMatVec.expertsGroup(NormMatVec.expertsSpec(q8, q8, 8, true, true)));
        assertEquals(512, NormMatVec.expertsGroup(NormMatVec.expertsSpec(q8, q8, 16, true, true)));
        assertEquals(1024, NormMatVec.expertsGroup(NormMatVec.expertsSpec(q8, q8, 32, true, true)));
        // without rounding the launch keeps its 256 threads whatever the lanes
        assertEquals(256, NormMatVec.expertsGroup(NormMatVec.expertsSpec(q8, q8, 32, true, false)));
        assertThrows(IllegalArgumentException.class, () -> NormMatVec.expertsSpec(q8, q8, 4, true, true));
        assertThrows(IllegalArgumentException.class, () -> NormMatVec.expertsSpec(q8, q8, 64, true, true));
        assertThrows(IllegalArgumentException.class, () -> NormMatVec.expertsSpec(q8, q8, 512, true, false));
    }
}
