package org.dsv3.runner.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ModelBenchmarkTest {

    @Test
    void warmUpEndsOnceTheJitTimeStopsGrowing() {
        long[] ms = {100, 200, 250, 250, 250, 250};
        assertFalse(ModelBenchmark.jitSettled(ms, 2), "fewer than 4 tokens");
        assertFalse(ModelBenchmark.jitSettled(ms, 3), "grew within the last 3 tokens");
        assertFalse(ModelBenchmark.jitSettled(ms, 4), "grew within the last 3 tokens");
        assertTrue(ModelBenchmark.jitSettled(ms, 5));
        assertTrue(ModelBenchmark.jitSettled(new long[] {-1, -1, -1, -1}, 3), "no JIT time reported: 4 tokens");
    }
}
