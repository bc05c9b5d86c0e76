package org.dsv3.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.dsv3.model.backend.KvCacheType;
import org.junit.jupiter.api.Test;

class LatentKvCacheTest {

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals(1.0f, LatentKvCache.fromBf16(LatentKvCache.toBf16(1.0f)));
        // 1 + 2^-8 is halfway between bf16 neighbours 1 and 1 + 2^-7: ties go to the even one (1).
        assertEquals(1.0f, LatentKvCache.fromBf16(LatentKvCache.toBf16(1f + 0x1p-8f)));
        // 1 + 3·2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even).
        assertEquals(1f + 0x1p-6f, LatentKvCache.fromBf16(LatentKvCache.toBf16(1f + 3 * 0x1p-8f)));
        assertEquals(1f + 0x1p-7f, LatentKvCache.fromBf16(LatentKvCache.toBf16(1f + 0x1p-8f + 0x1p-12f)));
        assertEquals(-2.5f, LatentKvCache.fromBf16(LatentKvCache.toBf16(-2.5f)));
        assertEquals(Float.NaN, LatentKvCache.fromBf16(LatentKvCache.toBf16(Float.NaN)));
    }

    @Test
    void storesGrowsAndReadsBack() {
        try (WorkerPool pool = new WorkerPool(1)) {
            for (KvCacheType type : KvCacheType.values()) {
                LatentKvCache cache = new LatentKvCache(type, 2, 3, 1000);
                for (int p = 0; p < 600; p++) {
                    cache.store(1, p, new float[] {p, -p, 0.5f}, 0);
                }
                float[] rows = cache.rows(1, 600, pool);
                float tol = type == KvCacheType.F32 ? 0f : 600f / 256;
                for (int p = 0; p < 600; p++) {
                    assertEquals(p, rows[p * 3], tol, type + " pos " + p);
                    assertEquals(-p, rows[p * 3 + 1], tol, type + " pos " + p);
                    assertEquals(0.5f, rows[p * 3 + 2], 0f, type + " pos " + p);
                }
                assertThrows(IllegalArgumentException.class, () -> cache.store(0, 1000, new float[3], 0));
            }
        }
    }
}
