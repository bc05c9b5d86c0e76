package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;

/** Packing of 32 five-bit quants as Q5_0/Q5_1 store them: a 32-bit word of fifth bits, then 16 bytes of nibbles. */
final class FiveBit {
    private FiveBit() {
    }

    static void pack(int[] q, MemorySegment dst, long qhAt, long qsAt) {
        int qh = 0;
        for (int j = 0; j < 32; j++) {
            qh |= ((q[j] >> 4) & 1) << j;
        }
        LittleEndian.putI32(dst, qhAt, qh);
        for (int j = 0; j < 16; j++) {
            LittleEndian.putU8(dst, qsAt + j, (q[j] & 15) | (q[j + 16] & 15) << 4);
        }
    }
}
