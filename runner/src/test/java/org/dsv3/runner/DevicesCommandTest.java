package org.dsv3.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DevicesCommandTest {
    @Test
    void listsTheCpuAndTheOtherProvidersDevices() {
        RunCommandTest.Result r = RunCommandTest.run("devices");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("cpu "), r.out());
        assertTrue(r.out().matches("(?s).*\\d+ cores, .* memory, SIMD \\d+-bit \\(\\d+ float lanes.*"), r.out());
        // the test class path has the scripted provider, which describes one device
        assertTrue(r.out().contains("scripted:0   Scripted test device — writes a fixed text"), r.out());
    }
}
