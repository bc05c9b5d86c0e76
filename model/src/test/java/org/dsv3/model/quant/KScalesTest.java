package org.dsv3.model.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KScalesTest {
    @Test
    void packUnpackAndFactorsAgree() {
        SplittableRandom rnd = new SplittableRandom(9);
        MemorySegment seg = MemorySegment.ofArray(new byte[3 + KScales.BYTES]);
        int[] sc = new int[8];
        int[] mn = new int[8];
        float[] k = new float[16];
        for (int trial = 0; trial < 1000; trial++) {
            for (int j = 0; j < 8; j++) {
                sc[j] = rnd.nextInt(64);
                mn[j] = rnd.nextInt(64);
            }
            KScales.pack(sc, mn, seg, 3);
            float d = (float) rnd.nextDouble();
            float dmin = (float) rnd.nextDouble();
            KScales.factors(seg, 3, d, dmin, k);
            for (int j = 0; j < 8; j++) {
                assertEquals(sc[j], KScales.scale(seg, 3, j));
                assertEquals(mn[j], KScales.min(seg, 3, j));
                assertEquals(d * sc[j], k[j]);
                assertEquals(dmin * mn[j], k[8 + j]);
            }
        }
    }
}
