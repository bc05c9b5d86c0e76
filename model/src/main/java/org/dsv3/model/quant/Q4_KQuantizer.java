package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/** Q4_K as ggml's reference (4-bit quants, candidate steps −1.0 + 0.1·k, k ≤ 20). Layout in {@link Q4_KFormat}. */
public final class Q4_KQuantizer extends KQuantizer {
    public static final Q4_KQuantizer INSTANCE = new Q4_KQuantizer();

    private Q4_KQuantizer() {
        super(15, -1f, 20);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    void packQuants(int[] L, MemorySegment dst, long blk) {
        // 32-byte chunk c: sub-block 2c in the low nibbles, 2c+1 in the high nibbles
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                LittleEndian.putU8(dst, blk + Q4_KFormat.QS + 32 * c + l, L[64 * c + l] | L[64 * c + 32 + l] << 4);
            }
        }
    }
}
