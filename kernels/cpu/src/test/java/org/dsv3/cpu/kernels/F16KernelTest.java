package org.dsv3.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.LittleEndian;
import org.junit.jupiter.api.Test;

/** The integer-lane half→float widening is exact for all 65536 halves: zeros, subnormals, normals, infinities (NaNs stay NaN). */
class F16KernelTest {
    @Test
    void everyHalfWidensExactly() {
        MemorySegment all = MemorySegment.ofArray(new byte[2 * 65536]);
        for (int h = 0; h < 65536; h++) {
            LittleEndian.putU16(all, 2L * h, h);
        }
        float[] out = new float[65536];
        VectorDot.dequantizeRow(GgmlType.F16, all, 0, out, 0, 65536);
        for (int h = 0; h < 65536; h++) {
            float want = Float.float16ToFloat((short) h);
            if (Float.isNaN(want)) {
                // whether a signalling NaN comes out quieted differs even between Float.float16ToFloat's
                // interpreted and intrinsic forms; only NaN-ness is specified
                assertTrue(Float.isNaN(out[h]), "half 0x" + Integer.toHexString(h) + " -> " + out[h]);
                continue;
            }
            assertEquals(Integer.toHexString(Float.floatToRawIntBits(want)), Integer.toHexString(Float.floatToRawIntBits(out[h])),
                    "half 0x" + Integer.toHexString(h));
        }
    }
}
