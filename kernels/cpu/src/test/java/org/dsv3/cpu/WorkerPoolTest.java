package org.dsv3.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    @Test
    void everyIndexExactlyOnceOverManyLoops() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int n : new int[] {1, 2, 3, 7, 100, 1001}) {
                for (int rep = 0; rep < 200; rep++) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    pool.parallelFor(n, (from, to, worker) -> {
                        for (int i = from; i < to; i++) {
                            hits.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, hits.get(i), "n=" + n + " index " + i);
                    }
                }
            }
        }
    }

    @Test
    void nestedLoopsRunInline() {
        try (WorkerPool pool = new WorkerPool(2)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(40);
            pool.parallelFor(4, (from, to, w) -> {
                for (int i = from; i < to; i++) {
                    int base = i * 10;
                    pool.parallelFor(10, (f2, t2, w2) -> {
                        for (int j = f2; j < t2; j++) {
                            hits.incrementAndGet(base + j);
                        }
                    });
                }
            });
            for (int i = 0; i < 40; i++) {
                assertEquals(1, hits.get(i));
            }
        }
    }

    @Test
    void failureReachesTheCaller() {
        try (WorkerPool pool = new WorkerPool(2)) {
            assertThrows(IllegalStateException.class, () -> pool.parallelFor(100, (from, to, w) -> {
                if (from <= 50 && 50 < to) {
                    throw new IllegalStateException("boom");
                }
            }));
            // still usable afterwards
            AtomicIntegerArray hits = new AtomicIntegerArray(10);
            pool.parallelFor(10, (from, to, w) -> {
                for (int i = from; i < to; i++) {
                    hits.incrementAndGet(i);
                }
            });
            assertEquals(1, hits.get(9));
        }
    }
}
