package org.dsv3.tornado.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The interleaved quant words of {@link WeightType#Q8_0_SPLIT} rows ({@link Q8Split}). */
class Q8SplitTest {

    /** Row widths in blocks: V2-Lite's 2048 / 1408 / 2816, V3's 7168 and 2048, and widths of 2 and 10 blocks. */
    @ParameterizedTest
    @ValueSource(ints = {2, 10, 44, 64, 88, 224})
    void everyQuantWordHasOnePlaceInTheRowsQuants(int blocks) {
        int lg = Q8Split.groupLog(blocks);
        int group = 1 << lg;
        assertEquals(0, blocks % group, "groups tile the row");
        assertTrue(group == 8 || blocks % (2 * group) != 0, "the largest group up to 8 that divides " + blocks);
        boolean[] taken = new boolean[8 * blocks];
        for (int b = 0; b < blocks; b++) {
            for (int j = 0; j < 8; j++) {
                int w = Q8Split.word(lg, b, j);
                assertTrue(w >= 0 && w < 8 * blocks && !taken[w], "block " + b + " word " + j + " at " + w);
                taken[w] = true;
                // neighbouring blocks of a group hold word j side by side
                assertEquals((b / group) * 8 * group + j * group + b % group, w);
            }
        }
    }
}
