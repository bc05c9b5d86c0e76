package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/** Q5_K as ggml's reference (5-bit quants, candidate steps −0.5 + 0.1·k, k ≤ 15). Layout in {@link Q5_KFormat}. */
public final class Q5_KQuantizer extends KQuantizer {
    public static final Q5_KQuantizer INSTANCE = new Q5_KQuantizer();

    private Q5_KQuantizer() {
        super(31, -0.5f, 15);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
    }

    @Override
    void packQuants(int[] L, MemorySegment dst, long blk) {
        for (int l = 0; l < 32; l++) {
            int qh = 0;
            for (int j = 0; j < 8; j++) {
                qh |= (L[32 * j + l] >> 4) << j;
            }
            LittleEndian.putU8(dst, blk + Q5_KFormat.QH + l, qh);
        }
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                int lo = L[64 * c + l] & 15;
                int hi = L[64 * c + 32 + l] & 15;
                LittleEndian.putU8(dst, blk + Q5_KFormat.QS + 32 * c + l, lo | hi << 4);
            }
        }
    }
}
